"""Web checks: HTTPS and its enforcement, HSTS, certificate, legacy TLS, security headers,
cookies, security.txt, disclosed versions.

Each public check is `fn(ctx, domain) -> CheckResult`. The web host is www.<domain> if it has
addresses, else <domain> (resolved through our resolver); with neither, the check is
not_applicable. The core of each check is a function of (ctx, Site) so that it can be tested
on IP addresses directly. Network operations are shared between checks through ctx.remember:
per host, the home page over HTTPS and over HTTP are fetched once per run (concurrently), and
their TLS session gives the certificate, so a host that hangs costs one timeout, not eight.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cyberdiag.checks import lookups
from cyberdiag.checks.base import CheckContext, CheckFn, result
from cyberdiag.checks.parsers import web as wp
from cyberdiag.errors import NotTested, ParseError
from cyberdiag.models import CheckResult, Status, Text
from cyberdiag.net import budget
from cyberdiag.net.http import Hop, HttpProtocolError, HttpResponse, fetch_chain
from cyberdiag.net.text import clean
from cyberdiag.net.tls import (
    TlsInfo,
    client_legacy_support,
    legacy_versions,
    tls_probe,
)

CERT_WARN_DAYS = 30
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
HOME_MAX_BYTES = 65536
SECURITY_TXT_MAX_BYTES = 32768


@dataclass(frozen=True)
class Site:
    """The web host of a domain: its name, addresses, and how to resolve redirect targets."""

    host: str
    ips: list[str]
    resolve: Callable[[str], list[str]]


def find_site(ctx: CheckContext, domain: str) -> Site | None:
    """www.<domain> if it has addresses, else <domain>; None if neither has any.
    DNS trouble raises NotTested. Internationalised names are converted to their A-labels."""
    domain = ascii_domain(domain)
    candidates = [domain] if domain.startswith("www.") else [f"www.{domain}", domain]
    for host in candidates:
        ips = lookups.addresses(ctx, host)
        if ips:
            return Site(host, list(ips), lambda name: lookups.addresses(ctx, name))
    return None


def ascii_domain(domain: str) -> str:
    """Lower-case ASCII form of a domain (IDNA A-labels), or NotTested if it has none."""
    d = domain.strip().lower().rstrip(".")
    if d.isascii():
        return d
    try:
        return d.encode("idna").decode("ascii")
    except UnicodeError:
        raise NotTested(
            f"nom de domaine non convertible en ASCII : {clean(d, 100)}",
            f"domain name cannot be converted to ASCII: {clean(d, 100)}",
        ) from None


def _no_site(check_id: str, domain: str) -> CheckResult:
    reason = Text(
        fr=f"ni www.{domain} ni {domain} n'ont d'adresse : pas de site web à vérifier",
        en=f"neither www.{domain} nor {domain} has an address: no website to check",
    )
    return result(
        check_id,
        domain,
        "not_applicable",
        "Pas de site web pour ce domaine.",
        "No website for this domain.",
        {"hosts_tried": [f"www.{domain}", domain]},
        reason=reason,
    )


def _c(text: str, limit: int = 512) -> str:
    """Printable, bounded text from a stranger (server headers, certificate fields)."""
    return clean(text, limit)


def _timeout(ctx: CheckContext) -> float:
    return budget.remaining(ctx.timeout)


# ------------------------------------------------------------------------------------------
# Shared, memoised network facts about a host
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """A memoised network outcome: a value, or the NotTested it raised."""

    value: Any = None
    error: NotTested | None = None


def _attempt(fn: Callable[[], Any]) -> Attempt:
    try:
        return Attempt(value=fn())
    except NotTested as exc:
        return Attempt(error=exc)


def _home(ctx: CheckContext, site: Site, tls: bool, timeout: float) -> Attempt:
    """The home page over HTTPS (tls=True) or HTTP, redirects followed (memoised)."""

    def compute() -> Attempt:
        return _attempt(
            lambda: fetch_chain(
                site.host,
                site.ips,
                "/",
                tls=tls,
                resolve=site.resolve,
                timeout=timeout,
                max_bytes=HOME_MAX_BYTES,
            )
        )

    out: Attempt = ctx.remember(("web", site.host, "home", tls), compute)
    return out


def _homes(ctx: CheckContext, site: Site) -> tuple[Attempt, Attempt]:
    """Both home pages, fetched concurrently (a hanging host costs one timeout)."""
    timeout = _timeout(ctx)
    with ThreadPoolExecutor(max_workers=2) as pool:
        https = pool.submit(_home, ctx, site, True, timeout)
        http = pool.submit(_home, ctx, site, False, timeout)
        return https.result(), http.result()


def _raise_unreachable(site: Site, https: Attempt, http: Attempt) -> None:
    """Neither HTTPS nor HTTP answered: network trouble (or nothing listening)."""
    err = https.error
    if err is not None and http.error is not None and not isinstance(err, HttpProtocolError):
        raise NotTested(
            f"le site {site.host} ne répond ni en HTTPS ni en HTTP ({err.reason.fr})",
            f"the site {site.host} answers neither over HTTPS nor over HTTP ({err.reason.en})",
            {
                "host": site.host,
                "ips": site.ips,
                "https": err.evidence,
                "http": http.error.evidence,
            },
        )


def _tls_info(ctx: CheckContext, site: Site) -> TlsInfo:
    """The TLS session of the HTTPS home page; a direct probe if HTTP failed after TLS or the
    handshake failed (to say why). Raises NotTested on network trouble."""
    https, http = _homes(ctx, site)
    if https.value is not None:
        first: HttpResponse = https.value.responses[0]
        if first.tls is not None:
            return first.tls
    if https.error is not None and not isinstance(https.error, HttpProtocolError):
        raise https.error
    timeout = _timeout(ctx)

    def probe() -> TlsInfo:
        last: NotTested | None = None
        for ip in site.ips[:3]:
            try:
                return tls_probe(ip, 443, site.host, timeout)
            except NotTested as exc:
                last = exc
        assert last is not None
        raise last

    info: TlsInfo = ctx.remember(("web", site.host, "tls_probe"), probe)
    return info


def _base_evidence(site: Site) -> dict[str, Any]:
    return {"host": site.host, "ips": site.ips[:8]}


def _no_https_result(check_id: str, site: Site, https: Attempt, status: str) -> CheckResult:
    assert https.error is not None
    ev = _base_evidence(site) | {"https": https.error.evidence}
    if status == "not_applicable":
        reason = Text(
            fr=f"{site.host} ne propose pas HTTPS ({https.error.reason.fr})",
            en=f"{site.host} does not offer HTTPS ({https.error.reason.en})",
        )
        return result(
            check_id,
            site.host,
            "not_applicable",
            "Sans HTTPS, rien à vérifier ici (voir « Site web en HTTPS »).",
            "Without HTTPS there is nothing to check here (see 'Website over HTTPS').",
            ev,
            reason=reason,
        )
    return result(
        check_id,
        site.host,
        "fail",
        f"{site.host} ne propose pas HTTPS : {https.error.reason.fr}.",
        f"{site.host} does not offer HTTPS: {https.error.reason.en}.",
        ev,
    )


def _with_site(core: Callable[[CheckContext, Site], CheckResult], check_id: str) -> CheckFn:
    def check(ctx: CheckContext, domain: str) -> CheckResult:
        site = find_site(ctx, domain)
        if site is None:
            return _no_site(check_id, ascii_domain(domain))
        res = core(ctx, site)
        if res.target != domain:
            ev = dict(res.evidence)
            ev.setdefault("host", site.host)
            res = res.model_copy(update={"target": domain, "evidence": ev})
        return res

    check.__name__ = "check_" + check_id.split(".", 1)[1]
    check.__doc__ = core.__doc__
    return check


def _chain_evidence(hop: Hop) -> list[dict[str, Any]]:
    return [
        {"url": r.url, "status": r.status, "location": r.header("location")} for r in hop.responses
    ]


# ------------------------------------------------------------------------------------------
# web.https
# ------------------------------------------------------------------------------------------


def https_core(ctx: CheckContext, site: Site) -> CheckResult:
    """HTTPS is offered, and HTTP redirects to HTTPS."""
    cid = "web.https"
    https, http = _homes(ctx, site)
    _raise_unreachable(site, https, http)
    ev = _base_evidence(site)
    if https.error is not None:
        ev["https"] = https.error.evidence
        if http.value is not None:
            ev["http"] = _chain_evidence(http.value)
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
    ev["https"] = _chain_evidence(hop_s)
    if hop_s.final.url.startswith("http://"):
        target = _c(hop_s.final.url, 200)
        return result(
            cid,
            site.host,
            "fail",
            f"https://{site.host}/ renvoie vers une adresse non chiffrée ({target}).",
            f"https://{site.host}/ redirects to an unencrypted address ({target}).",
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
    hop_h: Hop = http.value
    ev["http"] = _chain_evidence(hop_h)
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
        return result(
            cid,
            site.host,
            "pass",
            "HTTPS disponible et HTTP redirigé vers HTTPS"
            + ("." if direct else " (après une étape intermédiaire en HTTP)."),
            "HTTPS available and HTTP redirected to HTTPS"
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
        f"{_c(first.location, 200)}).",
        "HTTPS available, but HTTP does not redirect to HTTPS (redirect to "
        f"{_c(first.location, 200)}).",
        ev,
    )


# ------------------------------------------------------------------------------------------
# web.hsts
# ------------------------------------------------------------------------------------------

_HSTS_TEXT = {
    "hsts_syntax": ("syntaxe invalide", "invalid syntax"),
    "hsts_duplicate": ("directive en double", "duplicate directive"),
    "hsts_no_max_age": ("max-age absent", "max-age missing"),
    "hsts_bad_max_age": ("max-age invalide", "invalid max-age"),
}


def _days(seconds: int) -> str:
    return f"{seconds // 86400}"


def hsts_core(ctx: CheckContext, site: Site) -> CheckResult:
    """Strict-Transport-Security on the HTTPS home page of the host."""
    cid = "web.hsts"
    https, http = _homes(ctx, site)
    _raise_unreachable(site, https, http)
    if https.error is not None:
        return _no_https_result(cid, site, https, "fail")
    first: HttpResponse = https.value.responses[0]
    values = first.header_all("strict-transport-security")
    ev = _base_evidence(site) | {
        "url": first.url,
        "status": first.status,
        "hsts": [_c(v) for v in values[:3]],
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
            f"En-tête HSTS inutilisable ({fr}) : « {_c(values[0], 200)} ».",
            f"Unusable HSTS header ({en}): '{_c(values[0], 200)}'.",
            ev,
        )
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


# ------------------------------------------------------------------------------------------
# web.certificate
# ------------------------------------------------------------------------------------------


# OpenSSL verification errors that the certificate check reports in its own words.
_VERIFY_ERRORS_JUDGED_APART = (
    "expired",
    "hostname mismatch",
    "ip address mismatch",
    "not yet valid",
    "too weak",
)


def name_matches(host: str, sans: list[str]) -> bool:
    """RFC 6125 matching of a host name against DNS SANs (one left-most wildcard label)."""
    h = host.lower().rstrip(".")
    for san in sans:
        s = san.lower().rstrip(".")
        if s == h:
            return True
        if s.startswith("*.") and "." in h:
            if h.split(".", 1)[1] == s[2:] and s.count(".") >= 2:
                return True
    return False


def certificate_core(ctx: CheckContext, site: Site) -> CheckResult:
    """Certificate of the HTTPS site: dates, name, chain of trust, key, signature."""
    cid = "web.certificate"
    https, http = _homes(ctx, site)
    _raise_unreachable(site, https, http)
    if https.error is not None and not isinstance(https.error, HttpProtocolError):
        return _no_https_result(cid, site, https, "not_applicable")
    info = _tls_info(ctx, site)
    ev = _base_evidence(site) | {"tls": info.evidence()}
    why = _c(info.verify_error or "", 200)
    if info.cert is None:
        return result(
            cid,
            site.host,
            "fail",
            f"Impossible d'établir une session TLS avec {site.host} ({why}).",
            f"No TLS session could be set up with {site.host} ({why}).",
            ev,
        )
    cert = info.cert
    now = datetime.now(UTC)
    fails_fr: list[str] = []
    fails_en: list[str] = []
    warns_fr: list[str] = []
    warns_en: list[str] = []
    days_left = (cert.not_after - now).total_seconds() / 86400
    ev["days_left"] = int(days_left)
    if cert.not_after <= now:
        fails_fr.append(f"expiré depuis le {cert.not_after:%d/%m/%Y}")
        fails_en.append(f"expired on {cert.not_after:%Y-%m-%d}")
    elif cert.not_before > now:
        fails_fr.append(f"pas encore valide (à partir du {cert.not_before:%d/%m/%Y})")
        fails_en.append(f"not valid yet (from {cert.not_before:%Y-%m-%d})")
    elif now + timedelta(days=CERT_WARN_DAYS) >= cert.not_after:
        warns_fr.append(f"expire dans {int(days_left)} jours ({cert.not_after:%d/%m/%Y})")
        warns_en.append(f"expires in {int(days_left)} days ({cert.not_after:%Y-%m-%d})")
    if not name_matches(site.host, cert.sans):
        fails_fr.append(f"non valable pour le nom {site.host}")
        fails_en.append(f"not valid for the name {site.host}")
    err = (info.verify_error or "").lower()
    if cert.self_signed:
        fails_fr.append("auto-signé (aucune autorité de confiance)")
        fails_en.append("self-signed (no trusted authority)")
    elif not info.verified and not any(k in err for k in _VERIFY_ERRORS_JUDGED_APART):
        fails_fr.append(f"chaîne de confiance non vérifiable ({why})")
        fails_en.append(f"chain of trust cannot be verified ({why})")
    weak = (cert.key_type in ("RSA", "DSA") and cert.key_bits < MIN_RSA_BITS) or (
        cert.key_type == "EC" and cert.key_bits < MIN_EC_BITS
    )
    if weak:
        fails_fr.append(f"clé trop faible ({cert.key_type} {cert.key_bits} bits)")
        fails_en.append(f"key too weak ({cert.key_type} {cert.key_bits} bits)")
    sig = cert.sig_alg.lower()
    if "sha1" in sig.replace("-", "") or "md5" in sig:
        fails_fr.append(f"signature obsolète ({cert.sig_alg})")
        fails_en.append(f"obsolete signature ({cert.sig_alg})")
    if fails_fr:
        return result(
            cid,
            site.host,
            "fail",
            "Certificat invalide : " + " ; ".join(fails_fr + warns_fr) + ".",
            "Invalid certificate: " + "; ".join(fails_en + warns_en) + ".",
            ev,
        )
    if warns_fr:
        return result(
            cid,
            site.host,
            "warn",
            "Certificat valide mais qui " + " ; ".join(warns_fr) + " : à renouveler.",
            "Valid certificate, but it " + "; ".join(warns_en) + ": renew it.",
            ev,
        )
    return result(
        cid,
        site.host,
        "pass",
        f"Certificat valide jusqu'au {cert.not_after:%d/%m/%Y} ({cert.key_type} "
        f"{cert.key_bits} bits, émis par {_c(cert.issuer, 120)}).",
        f"Valid certificate until {cert.not_after:%Y-%m-%d} ({cert.key_type} "
        f"{cert.key_bits} bits, issued by {_c(cert.issuer, 120)}).",
        ev,
    )


# ------------------------------------------------------------------------------------------
# web.tls_legacy
# ------------------------------------------------------------------------------------------


def tls_legacy_core(ctx: CheckContext, site: Site) -> CheckResult:
    """TLS 1.0 / 1.1 offered, and the best version negotiated."""
    cid = "web.tls_legacy"
    https, http = _homes(ctx, site)
    _raise_unreachable(site, https, http)
    if https.error is not None and not isinstance(https.error, HttpProtocolError):
        return _no_https_result(cid, site, https, "not_applicable")
    info = _tls_info(ctx, site)
    supported = client_legacy_support()
    if not supported:
        raise NotTested(
            "l'OpenSSL local ne sait plus proposer TLS 1.0 ni 1.1",
            "the local OpenSSL can no longer offer TLS 1.0 or 1.1",
            _base_evidence(site),
        )
    timeout = _timeout(ctx)

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
    ev = _base_evidence(site) | {
        "max_version": best,
        "legacy_offered": offered,
        "legacy_tested": supported,
        "cipher": info.cipher,
    }
    names = " et ".join(v.replace("TLSv1", "TLS 1.0").replace("1.0.1", "1.1") for v in offered)
    names_en = " and ".join(v.replace("TLSv1", "TLS 1.0").replace("1.0.1", "1.1") for v in offered)
    why = _c(info.verify_error or "", 200)
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


# ------------------------------------------------------------------------------------------
# web.headers
# ------------------------------------------------------------------------------------------

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
    https, http = _homes(ctx, site)
    _raise_unreachable(site, https, http)
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
    ev = _base_evidence(site) | {
        "url": page.url,
        "status": page.status,
        "headers": {
            v.key: {
                "verdict": v.verdict,
                "value": _c(v.value) if v.value is not None else None,
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


# ------------------------------------------------------------------------------------------
# web.cookies
# ------------------------------------------------------------------------------------------

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


def cookies_core(ctx: CheckContext, site: Site) -> CheckResult:
    """Flags of the cookies set by the home page (and its redirects)."""
    cid = "web.cookies"
    https, http = _homes(ctx, site)
    _raise_unreachable(site, https, http)
    hop: Hop = https.value if https.value is not None else http.value
    over_https = https.value is not None
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
                    "name": _c(c.name, 100),
                    "url": resp.url,
                    "secure": c.secure,
                    "httponly": c.httponly,
                    "samesite": c.samesite,
                    "issues": wp.cookie_issues(c, https=resp.url.startswith("https://")),
                }
            )
    ev = _base_evidence(site) | {"over_https": over_https, "cookies": cookies}
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
            f"{len(cookies)} cookie(s) déposé(s) par un site sans HTTPS : ils circulent en clair "
            "et aucun attribut ne peut les protéger.",
            f"{len(cookies)} cookie(s) set by a site without HTTPS: they travel in clear text "
            "and no attribute can protect them.",
            ev,
        )
    flawed = [c for c in cookies if c["issues"]]
    if not flawed:
        return result(
            cid,
            site.host,
            "pass",
            f"{len(cookies)} cookie(s), tous protégés (Secure, HttpOnly, SameSite).",
            f"{len(cookies)} cookie(s), all protected (Secure, HttpOnly, SameSite).",
            ev,
        )
    worst = any(set(c["issues"]) & _COOKIE_FAIL for c in flawed)
    parts_fr = [
        f"{_c(c['name'], 40)} ({', '.join(_COOKIE_TEXT[i][0] for i in c['issues'])})"
        for c in flawed[:5]
    ]
    parts_en = [
        f"{_c(c['name'], 40)} ({', '.join(_COOKIE_TEXT[i][1] for i in c['issues'])})"
        for c in flawed[:5]
    ]
    return result(
        cid,
        site.host,
        "fail" if worst else "warn",
        f"{len(flawed)} cookie(s) sur {len(cookies)} mal protégé(s) : "
        + " ; ".join(parts_fr)
        + ".",
        f"{len(flawed)} of {len(cookies)} cookie(s) poorly protected: " + "; ".join(parts_en) + ".",
        ev,
    )


# ------------------------------------------------------------------------------------------
# web.security_txt
# ------------------------------------------------------------------------------------------

_STXT_TEXT: dict[str, tuple[str, str]] = {
    "no_contact": ("champ Contact absent", "no Contact field"),
    "no_expires": ("champ Expires absent", "no Expires field"),
    "expired": ("date d'expiration dépassée", "expiry date passed"),
    "expires_too_far": ("expiration à plus d'un an", "expires more than a year ahead"),
    "bad_expires": ("date Expires invalide", "invalid Expires date"),
    "multiple_expires": ("plusieurs champs Expires", "several Expires fields"),
    "multiple_preferred_languages": (
        "plusieurs champs Preferred-Languages",
        "several Preferred-Languages fields",
    ),
    "bad_contact": (
        "Contact n'est pas une adresse mailto:, https: ou tel:",
        "Contact is not a mailto:, https: or tel: URI",
    ),
    "invalid_line": ("lignes invalides", "invalid lines"),
    "canonical_mismatch": ("Canonical ne correspond pas à l'adresse", "Canonical does not match"),
    "content_type": ("type de contenu autre que text/plain", "content type other than text/plain"),
    "legacy_location": (
        "publié à la racine (/security.txt) au lieu de /.well-known/",
        "published at the root (/security.txt) instead of /.well-known/",
    ),
}
_STXT_FAIL = {"no_contact", "no_expires", "expired", "bad_expires"}


def _security_txt(ctx: CheckContext, site: Site) -> tuple[HttpResponse | None, bool]:
    """(response holding the file, found at the legacy location) or (None, False)."""
    timeout = _timeout(ctx)

    def compute() -> tuple[HttpResponse | None, bool]:
        for path, legacy in (("/.well-known/security.txt", False), ("/security.txt", True)):
            hop = fetch_chain(
                site.host,
                site.ips,
                path,
                tls=True,
                resolve=site.resolve,
                timeout=timeout,
                max_bytes=SECURITY_TXT_MAX_BYTES,
            )
            final = hop.final
            if final.status == 200 and final.url.startswith("https://"):
                return final, legacy
        return None, False

    out: tuple[HttpResponse | None, bool] = ctx.remember(
        ("web", site.host, "security.txt"), compute
    )
    return out


def security_txt_core(ctx: CheckContext, site: Site) -> CheckResult:
    """/.well-known/security.txt (RFC 9116): present, Contact and Expires, not expired."""
    cid = "web.security_txt"
    https, http = _homes(ctx, site)
    _raise_unreachable(site, https, http)
    if https.error is not None:
        return _no_https_result(cid, site, https, "fail")
    resp, legacy = _security_txt(ctx, site)
    ev = _base_evidence(site)
    st: wp.SecurityTxt | None = None
    if resp is not None:
        ev |= {"url": resp.url, "content_type": resp.header("content-type")}
        try:
            st = wp.parse_security_txt(resp.text())
        except ParseError as exc:
            ev["error"] = exc.code
    if resp is None or st is None:
        return result(
            cid,
            site.host,
            "fail",
            f"Pas de fichier security.txt valide sur https://{site.host}/.well-known/security.txt "
            ": personne ne sait comment signaler une faille à la commune.",
            f"No valid security.txt at https://{site.host}/.well-known/security.txt: nobody "
            "knows how to report a vulnerability to the municipality.",
            ev,
        )
    now = datetime.now(UTC)
    issues = wp.security_txt_issues(st, now, resp.url)
    ctype = (resp.header("content-type") or "").split(";")[0].strip().lower()
    if ctype != "text/plain":
        issues.append("content_type")
    if legacy:
        issues.append("legacy_location")
    ev |= {
        "contact": st.contacts[:5],
        "expires": st.expires.isoformat() if st.expires else None,
        "signed": st.signed,
        "issues": issues,
    }
    if not issues:
        assert st.expires is not None
        return result(
            cid,
            site.host,
            "pass",
            f"security.txt valide (contact : {_c(st.contacts[0], 80)}, expire le "
            f"{st.expires:%d/%m/%Y}).",
            f"Valid security.txt (contact: {_c(st.contacts[0], 80)}, expires on "
            f"{st.expires:%Y-%m-%d}).",
            ev,
        )
    status: Status = "fail" if set(issues) & _STXT_FAIL else "warn"
    return result(
        cid,
        site.host,
        status,
        "security.txt à corriger : "
        + " ; ".join(_STXT_TEXT.get(i, (i, i))[0] for i in issues)
        + ".",
        "security.txt to fix: " + "; ".join(_STXT_TEXT.get(i, (i, i))[1] for i in issues) + ".",
        ev,
    )


# ------------------------------------------------------------------------------------------
# web.versions
# ------------------------------------------------------------------------------------------


def versions_core(ctx: CheckContext, site: Site) -> CheckResult:
    """Software versions disclosed by headers (Server, X-Powered-By...) and generator tags."""
    cid = "web.versions"
    https, http = _homes(ctx, site)
    _raise_unreachable(site, https, http)
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
    ev = _base_evidence(site) | {
        "disclosures": [
            {"source": d.source, "value": _c(d.value), "version": _c(d.version or "") or None}
            for d in items[:20]
        ],
    }
    versioned = [d for d in items if d.version]
    if versioned:
        listing = ", ".join(f"{d.source}: {_c(d.value, 80)}" for d in versioned[:6])
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
        listing = ", ".join(f"{d.source}: {_c(d.value, 80)}" for d in items[:6])
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


# ------------------------------------------------------------------------------------------
# Registry
# ------------------------------------------------------------------------------------------

CORES: dict[str, Callable[[CheckContext, Site], CheckResult]] = {
    "web.https": https_core,
    "web.hsts": hsts_core,
    "web.certificate": certificate_core,
    "web.tls_legacy": tls_legacy_core,
    "web.headers": headers_core,
    "web.cookies": cookies_core,
    "web.security_txt": security_txt_core,
    "web.versions": versions_core,
}

WEB_CHECKS: dict[str, CheckFn] = {cid: _with_site(core, cid) for cid, core in CORES.items()}
