"""web.versions: the site does not disclose its software versions (headers, generator tags)."""

from __future__ import annotations

from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.parsers import web as wp
from cyberdiag.checks.web.site import (
    Site,
    base_evidence,
    homes,
    raise_unreachable,
    shown,
)
from cyberdiag.models import CheckResult
from cyberdiag.net.http import HttpResponse


def versions_core(ctx: CheckContext, site: Site) -> CheckResult:
    """Software versions disclosed by headers (Server, X-Powered-By...) and generator tags."""
    cid = "web.versions"
    https, http = homes(ctx, site)
    raise_unreachable(site, https, http)
    found: list[wp.Disclosure] = []
    pages: list[HttpResponse] = []
    for att in (https, http):
        if att.value is not None:
            pages += att.value.responses
    for resp in pages:
        ctype = (resp.header("content-type") or "").lower()
        html = resp.text() if "html" in ctype else ""
        found += wp.version_disclosures(resp.headers, html)
    unique: dict[tuple[str, str], wp.Disclosure] = {}
    for d in found:
        unique.setdefault((d.source.lower(), d.value), d)
    items = list(unique.values())
    ev = base_evidence(site) | {
        "disclosures": [
            {"source": d.source, "value": shown(d.value), "version": shown(d.version or "") or None}
            for d in items[:20]
        ],
    }
    versioned = [d for d in items if d.version]
    if versioned:
        listing = ", ".join(f"{d.source}: {shown(d.value, 80)}" for d in versioned[:6])
        return result(
            cid,
            site.host,
            "warn",
            f"Le site affiche les versions de ses logiciels ({listing}) : un attaquant sait "
            "aussitôt quelles failles essayer.",
            f"The site shows its software versions ({listing}): an attacker knows at once "
            "which flaws to try.",
            ev,
        )
    if items:
        listing = ", ".join(f"{d.source}: {shown(d.value, 80)}" for d in items[:6])
        return result(
            cid,
            site.host,
            "pass",
            f"Aucune version affichée (logiciels nommés sans version : {listing}).",
            f"No version shown (software named without version: {listing}).",
            ev,
        )
    return result(
        cid,
        site.host,
        "pass",
        "Aucun logiciel ni version affichés.",
        "No software or version shown.",
        ev,
    )
