"""web.hsts: the HTTPS home page sends Strict-Transport-Security, long enough, with subdomains."""

from __future__ import annotations

from typing import Any

from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.parsers import web as wp
from cyberdiag.checks.web.site import (
    Site,
    base_evidence,
    homes,
    no_https_result,
    raise_unreachable,
    shown,
)
from cyberdiag.errors import ParseError
from cyberdiag.models import CheckResult, Status
from cyberdiag.net.http import HttpResponse

_HSTS_TEXT = {
    "hsts_syntax": ("syntaxe invalide", "invalid syntax"),
    "hsts_duplicate": ("directive en double", "duplicate directive"),
    "hsts_no_max_age": ("max-age absent", "max-age missing"),
    "hsts_bad_max_age": ("max-age invalide", "invalid max-age"),
}


def _days(seconds: int) -> str:
    """Whole days in a max-age, as text."""
    return f"{seconds // 86400}"


def hsts_core(ctx: CheckContext, site: Site) -> CheckResult:
    """Strict-Transport-Security on the HTTPS home page of the host."""
    cid = "web.hsts"
    https, http = homes(ctx, site)
    raise_unreachable(site, https, http)
    if https.error is not None:
        return no_https_result(cid, site, https, "fail")
    first: HttpResponse = https.value.responses[0]
    values = first.header_all("strict-transport-security")
    ev = base_evidence(site) | {
        "url": first.url,
        "status": first.status,
        "hsts": [shown(v) for v in values[:3]],
    }
    if not values:
        return result(
            cid,
            site.host,
            "fail",
            "Pas d'en-tête HSTS : un navigateur peut encore être détourné vers une version non "
            "chiffrée du site.",
            "No HSTS header: a browser can still be diverted to an unencrypted version of the "
            "site.",
            ev,
        )
    try:
        hsts = wp.parse_hsts(values[0])
    except ParseError as exc:
        fr, en = _HSTS_TEXT.get(exc.code, ("invalide", "invalid"))
        ev["error"] = exc.code
        return result(
            cid,
            site.host,
            "fail",
            f"En-tête HSTS inutilisable ({fr}) : « {shown(values[0], 200)} ».",
            f"Unusable HSTS header ({en}): '{shown(values[0], 200)}'.",
            ev,
        )
    return _judge_hsts(cid, site, hsts, ev)


def _judge_hsts(cid: str, site: Site, hsts: wp.Hsts, ev: dict[str, Any]) -> CheckResult:
    """A well-formed header: switched off, too short, without subdomains, or right."""
    ev |= {
        "max_age": hsts.max_age,
        "include_subdomains": hsts.include_subdomains,
        "preload": hsts.preload,
    }
    if hsts.max_age == 0:
        return result(
            cid,
            site.host,
            "fail",
            "HSTS désactivé (max-age=0).",
            "HSTS switched off (max-age=0).",
            ev,
        )
    notes_fr: list[str] = []
    notes_en: list[str] = []
    status: Status = "pass"
    if hsts.max_age < wp.HSTS_SIX_MONTHS:
        status = "warn"
        notes_fr.append(f"durée trop courte ({_days(hsts.max_age)} jours, 6 mois au moins)")
        notes_en.append(f"duration too short ({_days(hsts.max_age)} days, at least 6 months)")
    if not hsts.include_subdomains:
        status = "warn"
        notes_fr.append("includeSubDomains absent")
        notes_en.append("includeSubDomains missing")
    if status == "pass":
        extra_fr = " (préchargement demandé)" if hsts.preload else ""
        extra_en = " (preload requested)" if hsts.preload else ""
        if hsts.max_age < wp.HSTS_ONE_YEAR:
            extra_fr += " ; un an est recommandé"
            extra_en += "; one year is recommended"
        return result(
            cid,
            site.host,
            "pass",
            f"HSTS actif pour {_days(hsts.max_age)} jours, sous-domaines compris{extra_fr}.",
            f"HSTS active for {_days(hsts.max_age)} days, subdomains included{extra_en}.",
            ev,
        )
    return result(
        cid,
        site.host,
        "warn",
        "HSTS présent mais insuffisant : " + " ; ".join(notes_fr) + ".",
        "HSTS present but insufficient: " + "; ".join(notes_en) + ".",
        ev,
    )
