"""web.https: the site is offered over HTTPS, and HTTP redirects to HTTPS."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.web.site import (
    Site,
    base_evidence,
    chain_evidence,
    homes,
    raise_unreachable,
    shown,
)
from cyberdiag.models import CheckResult
from cyberdiag.net.http import Hop


def https_core(ctx: CheckContext, site: Site) -> CheckResult:
    """HTTPS is offered, and HTTP redirects to HTTPS."""
    cid = "web.https"
    https, http = homes(ctx, site)
    raise_unreachable(site, https, http)
    ev = base_evidence(site)
    if https.error is not None:
        ev["https"] = https.error.evidence
        if http.value is not None:
            ev["http"] = chain_evidence(http.value)
            elsewhere = _https_elsewhere(site, http.value)
            if elsewhere is not None:
                return result(
                    cid,
                    site.host,
                    "warn",
                    f"https://{site.host}/ ne répond pas ({https.error.reason.fr}) ; "
                    f"http://{site.host}/ redirige bien vers {elsewhere}, mais qui tape "
                    f"https://{site.host}/ tombe sur une erreur.",
                    f"https://{site.host}/ does not answer ({https.error.reason.en}); "
                    f"http://{site.host}/ does redirect to {elsewhere}, but whoever types "
                    f"https://{site.host}/ gets an error.",
                    ev,
                )
        return result(
            cid,
            site.host,
            "fail",
            f"Le site {site.host} n'est pas disponible en HTTPS ({https.error.reason.fr}) : "
            "les échanges avec les visiteurs circulent en clair.",
            f"The site {site.host} is not available over HTTPS ({https.error.reason.en}): "
            "exchanges with visitors travel in clear text.",
            ev,
        )
    hop_s: Hop = https.value
    ev["https"] = chain_evidence(hop_s)
    if hop_s.final.url.startswith("http://"):
        target = shown(hop_s.final.url, 200)
        return result(
            cid,
            site.host,
            "fail",
            f"https://{site.host}/ renvoie vers une adresse non chiffrée ({target}).",
            f"https://{site.host}/ redirects to an unencrypted address ({target}).",
            ev,
        )
    if hop_s.stopped is not None:
        ev["stopped"] = hop_s.stopped
        return result(
            cid,
            site.host,
            "warn",
            f"https://{site.host}/ redirige vers {shown(hop_s.final.location or '', 200)}, mais "
            f"la chaîne de redirections n'aboutit pas ({shown(hop_s.stopped, 200)}).",
            f"https://{site.host}/ redirects to {shown(hop_s.final.location or '', 200)}, but "
            f"the redirect chain does not complete ({shown(hop_s.stopped, 200)}).",
            ev,
        )
    if http.error is not None:
        ev["http"] = {"error": http.error.reason.en}
        return result(
            cid,
            site.host,
            "pass",
            f"HTTPS disponible ; HTTP (port 80) ne répond pas ({http.error.reason.fr}).",
            f"HTTPS available; HTTP (port 80) does not answer ({http.error.reason.en}).",
            ev,
        )
    return _judge_http(cid, site, http.value, ev)


def _judge_http(cid: str, site: Site, hop_h: Hop, ev: dict[str, Any]) -> CheckResult:
    """HTTPS works: judge what http://<host>/ does (redirect to HTTPS, or serve in clear)."""
    ev["http"] = chain_evidence(hop_h)
    first = hop_h.responses[0]
    final = hop_h.final
    if first.location is None:
        return result(
            cid,
            site.host,
            "fail",
            f"HTTPS disponible, mais http://{site.host}/ sert le site en clair (statut "
            f"{first.status}) au lieu de rediriger vers HTTPS.",
            f"HTTPS available, but http://{site.host}/ serves the site in clear text (status "
            f"{first.status}) instead of redirecting to HTTPS.",
            ev,
        )
    if final.url.startswith("https://") and hop_h.stopped is None:
        direct = first.location.startswith("https://")
        other = _host_of(final.url) != site.host
        where = f" ({shown(final.url, 200)})" if other else ""
        return result(
            cid,
            site.host,
            "pass",
            f"HTTPS disponible et HTTP redirigé vers HTTPS{where}"
            + ("." if direct else " (après une étape intermédiaire en HTTP)."),
            f"HTTPS available and HTTP redirected to HTTPS{where}"
            + ("." if direct else " (after an intermediate HTTP step)."),
            ev,
        )
    if final.url.startswith("https://") or any(
        (r.location or "").startswith("https://") for r in hop_h.responses
    ):
        ev["stopped"] = hop_h.stopped
        return result(
            cid,
            site.host,
            "warn",
            f"HTTP redirige vers HTTPS, mais la chaîne de redirections n'aboutit pas "
            f"({hop_h.stopped}).",
            f"HTTP redirects to HTTPS, but the redirect chain does not complete ({hop_h.stopped}).",
            ev,
        )
    return result(
        cid,
        site.host,
        "fail",
        "HTTPS disponible, mais HTTP ne redirige pas vers HTTPS (redirection vers "
        f"{shown(first.location, 200)}).",
        "HTTPS available, but HTTP does not redirect to HTTPS (redirect to "
        f"{shown(first.location, 200)}).",
        ev,
    )


def _host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def _https_elsewhere(site: Site, hop_h: Hop) -> str | None:
    """The HTTPS address on another host (apex -> www or the reverse) where http://<host>/
    leads, if the chain ends there; None otherwise."""
    final = hop_h.final
    if hop_h.stopped is None and final.url.startswith("https://") and 200 <= final.status < 400 \
            and _host_of(final.url) not in ("", site.host):
        return shown(final.url, 200)
    return None
