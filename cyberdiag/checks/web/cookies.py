"""web.cookies: the cookies set by the home page (and its redirects) carry Secure, HttpOnly and
SameSite."""

from __future__ import annotations

from typing import Any

from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.parsers import web as wp
from cyberdiag.checks.web.site import (
    Site,
    base_evidence,
    homes,
    raise_unreachable,
    shown,
)
from cyberdiag.errors import ParseError
from cyberdiag.i18n import one_or_many, plural
from cyberdiag.models import CheckResult, Text
from cyberdiag.net.http import Hop, HttpProtocolError

_COOKIE_TEXT: dict[str, tuple[str, str]] = {
    "cookie_no_secure": ("sans Secure", "without Secure"),
    "cookie_no_httponly": ("sans HttpOnly", "without HttpOnly"),
    "cookie_no_samesite": ("sans SameSite", "without SameSite"),
    "cookie_bad_samesite": ("SameSite invalide", "invalid SameSite"),
    "cookie_samesite_none_insecure": ("SameSite=None sans Secure", "SameSite=None without Secure"),
    "cookie_bad_prefix": (
        "préfixe __Secure-/__Host- non respecté",
        "__Secure-/__Host- prefix broken",
    ),
}
_COOKIE_FAIL = {"cookie_no_secure", "cookie_samesite_none_insecure", "cookie_bad_prefix"}


def _collect(hop: Hop) -> tuple[list[dict[str, Any]], list[str]]:
    """The cookies set along the hop (at most 50 per response), and the unparsable ones."""
    cookies: list[dict[str, Any]] = []
    invalid: list[str] = []
    for resp in hop.responses:
        for raw in resp.header_all("set-cookie")[:50]:
            try:
                c = wp.parse_set_cookie(raw)
            except ParseError:
                invalid.append(raw[:100])
                continue
            cookies.append(
                {
                    "name": shown(c.name, 100),
                    "url": resp.url,
                    "secure": c.secure,
                    "httponly": c.httponly,
                    "samesite": c.samesite,
                    "issues": wp.cookie_issues(c, https=resp.url.startswith("https://")),
                }
            )
    return cookies, invalid


def cookies_core(ctx: CheckContext, site: Site) -> CheckResult:
    """Flags of the cookies set by the home page (and its redirects)."""
    cid = "web.cookies"
    https, http = homes(ctx, site)
    raise_unreachable(site, https, http)
    hop: Hop | None = https.value if https.value is not None else http.value
    if hop is None:  # both answered unusably (endless headers, junk, TLS refused)
        err = https.error if isinstance(https.error, HttpProtocolError) else http.error
        assert err is not None
        raise err
    over_https = https.value is not None
    cookies, invalid = _collect(hop)
    ev = base_evidence(site) | {"over_https": over_https, "cookies": cookies}
    if invalid:
        ev["ignored"] = invalid
    if not cookies:
        return result(
            cid,
            site.host,
            "not_applicable",
            "La page d'accueil ne dépose aucun cookie.",
            "The home page sets no cookie.",
            ev,
            reason=Text(fr="aucun cookie déposé", en="no cookie set"),
        )
    if not over_https:
        return result(
            cid,
            site.host,
            "fail",
            one_or_many(
                len(cookies),
                "1 cookie déposé par un site sans HTTPS : il circule en clair et aucun attribut "
                "ne peut le protéger.",
                f"{len(cookies)} cookies déposés par un site sans HTTPS : ils circulent en clair "
                "et aucun attribut ne peut les protéger.",
            ),
            one_or_many(
                len(cookies),
                "1 cookie set by a site without HTTPS: it travels in clear text and no attribute "
                "can protect it.",
                f"{len(cookies)} cookies set by a site without HTTPS: they travel in clear text "
                "and no attribute can protect them.",
            ),
            ev,
        )
    flawed = [c for c in cookies if c["issues"]]
    if not flawed:
        return result(
            cid,
            site.host,
            "pass",
            one_or_many(
                len(cookies),
                "1 cookie, protégé (Secure, HttpOnly, SameSite).",
                f"{len(cookies)} cookies, tous protégés (Secure, HttpOnly, SameSite).",
            ),
            one_or_many(
                len(cookies),
                "1 cookie, protected (Secure, HttpOnly, SameSite).",
                f"{len(cookies)} cookies, all protected (Secure, HttpOnly, SameSite).",
            ),
            ev,
        )
    worst = any(set(c["issues"]) & _COOKIE_FAIL for c in flawed)
    parts_fr = [
        f"{shown(c['name'], 40)} ({', '.join(_COOKIE_TEXT[i][0] for i in c['issues'])})"
        for c in flawed[:5]
    ]
    parts_en = [
        f"{shown(c['name'], 40)} ({', '.join(_COOKIE_TEXT[i][1] for i in c['issues'])})"
        for c in flawed[:5]
    ]
    return result(
        cid,
        site.host,
        "fail" if worst else "warn",
        f"{plural(len(flawed), 'cookie', 'cookies', 'fr')} sur {len(cookies)} "
        f"{one_or_many(len(flawed), 'mal protégé', 'mal protégés')} : "
        + " ; ".join(parts_fr)
        + ".",
        f"{len(flawed)} of {plural(len(cookies), 'cookie', 'cookies', 'en')} poorly protected: "
        + "; ".join(parts_en)
        + ".",
        ev,
    )
