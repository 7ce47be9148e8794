"""web.tls_legacy: TLS 1.0 and 1.1 are refused, and a modern version is offered."""

from __future__ import annotations

from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.web.site import (
    Site,
    base_evidence,
    shown,
    time_left,
    tls_session_or_result,
)
from cyberdiag.errors import NotTested
from cyberdiag.models import CheckResult, Status
from cyberdiag.net.tls import client_legacy_support, legacy_versions


def tls_legacy_core(ctx: CheckContext, site: Site) -> CheckResult:
    """TLS 1.0 / 1.1 offered, and the best version negotiated."""
    cid = "web.tls_legacy"
    info = tls_session_or_result(ctx, site, cid)
    if isinstance(info, CheckResult):
        return info
    supported = client_legacy_support()
    if not supported:
        raise NotTested(
            "l'OpenSSL local ne sait plus proposer TLS 1.0 ni 1.1",
            "the local OpenSSL can no longer offer TLS 1.0 or 1.1",
            base_evidence(site),
        )
    timeout = time_left(ctx)

    def probe() -> list[str]:
        last: NotTested | None = None
        for ip in site.ips[:3]:
            try:
                return legacy_versions(ip, 443, site.host, timeout)
            except NotTested as exc:
                last = exc
        assert last is not None
        raise last

    offered: list[str] = ctx.remember(("web", site.host, "legacy"), probe)
    best = info.version or (offered[-1] if offered else None)
    ev = base_evidence(site) | {
        "max_version": best,
        "legacy_offered": offered,
        "legacy_tested": supported,
        "cipher": info.cipher,
    }
    names = " et ".join(v.replace("TLSv1", "TLS 1.0").replace("1.0.1", "1.1") for v in offered)
    names_en = " and ".join(v.replace("TLSv1", "TLS 1.0").replace("1.0.1", "1.1") for v in offered)
    why = shown(info.verify_error or "", 200)
    if info.version is None and not offered:
        return result(
            cid,
            site.host,
            "fail",
            f"Aucune version de TLS utilisable n'est proposée ({why}).",
            f"No usable TLS version is offered ({why}).",
            ev,
        )
    if info.version is None:
        return result(
            cid,
            site.host,
            "fail",
            f"Le serveur ne propose que des versions obsolètes de TLS ({names}).",
            f"The server only offers obsolete TLS versions ({names_en}).",
            ev,
        )
    best_text = best.replace("TLSv", "TLS ") if best else "?"
    if "TLSv1" in offered or "TLSv1.1" in offered:
        status: Status = "fail" if "TLSv1" in offered else "warn"
        return result(
            cid,
            site.host,
            status,
            f"Versions obsolètes de TLS encore acceptées : {names} (meilleure version : "
            f"{best_text}).",
            f"Obsolete TLS versions still accepted: {names_en} (best version: {best_text}).",
            ev,
        )
    return result(
        cid,
        site.host,
        "pass",
        f"TLS 1.0 et 1.1 refusés ; meilleure version proposée : {best_text}.",
        f"TLS 1.0 and 1.1 refused; best version offered: {best_text}.",
        ev,
    )
