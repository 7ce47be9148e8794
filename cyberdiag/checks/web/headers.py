"""web.headers: the security headers of the home page (CSP, X-Content-Type-Options, framing
protection, Referrer-Policy)."""

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
from cyberdiag.models import CheckResult, Status
from cyberdiag.net.http import HttpResponse

# (French name, its "missing" adjective, English name)
_HEADER_NAMES: dict[str, tuple[str, str, str]] = {
    "csp": ("en-tête Content-Security-Policy", "absent", "Content-Security-Policy header"),
    "xcto": ("en-tête X-Content-Type-Options", "absent", "X-Content-Type-Options header"),
    "frame": (
        "protection contre l'intégration dans un autre site (frame-ancestors / X-Frame-Options)",
        "absente",
        "framing protection (frame-ancestors / X-Frame-Options)",
    ),
    "referrer": ("en-tête Referrer-Policy", "absent", "Referrer-Policy header"),
}
_ISSUE_TEXT: dict[str, tuple[str, str]] = {
    "csp_no_script_src": ("ne restreint pas les scripts", "does not restrict scripts"),
    "csp_unsafe_inline": ("autorise 'unsafe-inline'", "allows 'unsafe-inline'"),
    "csp_unsafe_eval": ("autorise 'unsafe-eval'", "allows 'unsafe-eval'"),
    "csp_wildcard": ("autorise toute origine (*)", "allows any origin (*)"),
    "csp_scheme_source": ("autorise un schéma entier (https:, data:…)", "allows a whole scheme"),
    "csp_empty": ("vide", "empty"),
    "frame_ancestors_wildcard": ("frame-ancestors trop large", "frame-ancestors too broad"),
    "xfo_allow_from": ("ALLOW-FROM est ignoré par les navigateurs", "ALLOW-FROM is ignored"),
    "xfo_invalid": ("valeur invalide", "invalid value"),
    "xcto_invalid": ("valeur autre que nosniff", "value other than nosniff"),
    "referrer_invalid": ("valeur invalide", "invalid value"),
    "referrer_leaky": ("laisse fuiter l'adresse des pages", "leaks page addresses"),
}


def _page(ctx: CheckContext, site: Site) -> tuple[HttpResponse, bool]:
    """The page to judge: final HTTPS home page, else the HTTP one. (response, over_https)."""
    https, http = homes(ctx, site)
    raise_unreachable(site, https, http)
    if https.value is not None:
        return https.value.final, True
    if http.value is not None:
        return http.value.final, False
    assert https.error is not None
    raise https.error


def headers_core(ctx: CheckContext, site: Site) -> CheckResult:
    """Security headers of the home page: CSP, X-Content-Type-Options, framing, Referrer."""
    cid = "web.headers"
    page, over_https = _page(ctx, site)
    verdicts = wp.judge_headers(page.headers)
    ev = base_evidence(site) | {
        "url": page.url,
        "status": page.status,
        "headers": {
            v.key: {
                "verdict": v.verdict,
                "value": shown(v.value) if v.value is not None else None,
                "issues": list(v.issues),
            }
            for v in verdicts
        },
    }
    bad = [v for v in verdicts if v.verdict != "ok"]
    if not bad:
        return result(
            cid,
            site.host,
            "pass",
            "Les quatre en-têtes de sécurité sont présents et bien réglés.",
            "The four security headers are present and well set.",
            ev,
        )
    parts_fr: list[str] = []
    parts_en: list[str] = []
    for v in bad:
        if v.verdict == "missing":
            fr_name, absent, en_name = _HEADER_NAMES[v.key]
            parts_fr.append(f"{fr_name} {absent}")
            parts_en.append(f"{en_name} missing")
        else:
            why_fr = ", ".join(_ISSUE_TEXT.get(i, (i, i))[0] for i in v.issues)
            why_en = ", ".join(_ISSUE_TEXT.get(i, (i, i))[1] for i in v.issues)
            parts_fr.append(f"{_HEADER_NAMES[v.key][0]} faible ({why_fr})")
            parts_en.append(f"{_HEADER_NAMES[v.key][2]} weak ({why_en})")
    status: Status = "fail" if len(bad) >= 3 else "warn"
    return result(
        cid,
        site.host,
        status,
        "En-têtes de sécurité à corriger : " + " ; ".join(parts_fr) + ".",
        "Security headers to fix: " + "; ".join(parts_en) + ".",
        ev,
    )
