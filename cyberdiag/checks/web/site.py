"""The web hosts of a domain (www.<domain> and <domain>) and the network facts about them that
several web checks share, fetched once per run (ctx.remember).

The hosts are www.<domain> and <domain>, those that have addresses (A and AAAA, resolved through
our resolver); with neither, the check is not_applicable. The primary host (www.<domain> if it
has addresses, else <domain>) is the one the single-host checks judge; web.https, web.hsts and
web.certificate judge every host and every address family (cyberdiag.checks.web.views). Per host
and family, the home page over HTTPS and over HTTP are fetched once per run (concurrently), every
request of their redirect chains is shared (http://host/ redirected to https://host/ reuses that
page), and their TLS session gives the certificate, so a host that hangs costs one timeout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

from cyberdiag.checks import lookups
from cyberdiag.checks.base import CheckContext, CheckFn, result
from cyberdiag.errors import NotTested
from cyberdiag.models import CheckResult, Text
from cyberdiag.net import budget
from cyberdiag.net.http import (
    FetchHop,
    Hop,
    HttpProtocolError,
    HttpResponse,
    fetch_chain,
    fetch_first,
)
from cyberdiag.net.text import clean
from cyberdiag.net.tls import TlsInfo, tls_probe

HOME_MAX_BYTES = 65536

Core = Callable[[CheckContext, "Site"], CheckResult]
"""The core of a web check: judges one Site (see with_site)."""


FAMILY_NAMES = {"4": "IPv4", "6": "IPv6"}


@dataclass(frozen=True)
class Site:
    """A web host of a domain: its name, addresses, and how to resolve redirect targets.

    family: "4" or "6" for a view of the host restricted to one address family (its redirect
    targets are resolved in that family too, falling back to every address); None for the host
    on all its addresses (IPv4 first)."""

    host: str
    ips: list[str]
    resolve: Callable[[str], list[str]]
    family: str | None = None

    def families(self) -> list[Site]:
        """One view of the host per address family it has (IPv4 first)."""
        out: list[Site] = []
        for fam in ("4", "6"):
            ips = [ip for ip in self.ips if (":" in ip) == (fam == "6")]
            if ips:
                out.append(Site(self.host, ips, _in_family(self.resolve, fam), fam))
        return out

    @property
    def label(self) -> str:
        """The host name, with its address family for a one-family view."""
        return f"{self.host} ({FAMILY_NAMES[self.family]})" if self.family else self.host


def _in_family(resolve: Callable[[str], list[str]], fam: str) -> Callable[[str], list[str]]:
    def within(name: str) -> list[str]:
        ips = resolve(name)
        return [ip for ip in ips if (":" in ip) == (fam == "6")] or ips

    return within


def find_sites(ctx: CheckContext, domain: str) -> list[Site]:
    """www.<domain> then <domain>, those that have addresses (a www. name: itself only).
    DNS trouble raises NotTested. Internationalised names are converted to their A-labels."""
    domain = ascii_domain(domain)
    candidates = [domain] if domain.startswith("www.") else [f"www.{domain}", domain]
    resolve: Callable[[str], list[str]] = lambda name: lookups.addresses(ctx, name)  # noqa: E731

    def compute() -> list[Site]:
        # Every A and AAAA query at once (one pool), then the memoised addresses.
        lookups.parallel(ctx, lambda q: lookups.lookup(ctx, q[0], q[1]),
                         [(h, t) for h in candidates for t in ("A", "AAAA")])
        found = [_addresses_or_error(resolve, h) for h in candidates]
        out: list[Site] = []
        for host, ips in zip(candidates, found, strict=True):
            if isinstance(ips, Exception):
                raise ips
            if ips:
                out.append(Site(host, list(ips), resolve))
        return out

    sites: list[Site] = ctx.remember(("web", "sites", domain), compute)
    return sites


def _addresses_or_error(resolve: Callable[[str], list[str]], host: str) -> list[str] | Exception:
    try:
        return resolve(host)
    except Exception as exc:  # noqa: BLE001 - returned to the caller, as lookups.parallel does
        return exc


def find_site(ctx: CheckContext, domain: str) -> Site | None:
    """The primary web host: www.<domain> if it has addresses, else <domain>; None if neither
    has any. DNS trouble raises NotTested."""
    sites = find_sites(ctx, domain)
    return sites[0] if sites else None


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


def no_site(check_id: str, domain: str) -> CheckResult:
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


def shown(text: str, limit: int = 512) -> str:
    """Printable, bounded text from a stranger (server headers, certificate fields)."""
    return clean(text, limit)


def time_left(ctx: CheckContext) -> float:
    """Time allowed for the next network operation (the timeout, cut by the check's budget)."""
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


def hop_fetcher(ctx: CheckContext, timeout: float, max_bytes: int) -> FetchHop:
    """The requests of redirect chains, each made once per run (memoised): http://host/
    redirected to https://host/ reuses the HTTPS home page already fetched."""

    def fetch_hop(host: str, ips: list[str], path: str, port: int | None,
                  tls: bool) -> HttpResponse:
        key = ("web", "fetch", host, tuple(ips[:3]), path, port, tls, max_bytes)
        att: Attempt = ctx.remember(key, lambda: _attempt(lambda: fetch_first(
            host, ips, path, port=port, tls=tls, timeout=timeout, max_bytes=max_bytes)))
        if att.error is not None:
            raise att.error
        value: HttpResponse = att.value
        return value

    return fetch_hop


def _home_key(site: Site, tls: bool) -> tuple[Any, ...]:
    return ("web", site.host, tuple(site.ips), "home", tls)


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
                fetch_hop=hop_fetcher(ctx, timeout, HOME_MAX_BYTES),
            )
        )

    out: Attempt = ctx.remember(_home_key(site, tls), compute)
    return out


def _pair(ctx: CheckContext, site: Site, timeout: float) -> tuple[Attempt, Attempt]:
    if ctx.known(_home_key(site, True)) and ctx.known(_home_key(site, False)):
        return _home(ctx, site, True, timeout), _home(ctx, site, False, timeout)
    with ThreadPoolExecutor(max_workers=2) as pool:
        https = pool.submit(_home, ctx, site, True, timeout)
        http = pool.submit(_home, ctx, site, False, timeout)
        return https.result(), http.result()


def answered(https: Attempt, http: Attempt) -> bool:
    """Did the host answer at all (a page, or at least an unusable HTTP/TLS answer)?"""
    return not (https.error is not None and http.error is not None
                and not isinstance(https.error, HttpProtocolError)
                and not isinstance(http.error, HttpProtocolError))


def homes(ctx: CheckContext, site: Site) -> tuple[Attempt, Attempt]:
    """Both home pages, fetched concurrently (a hanging host costs one timeout). A host with
    IPv4 and IPv6 addresses: those of the first address family that answers (IPv4 first)."""
    timeout = time_left(ctx)
    views = site.families() if site.family is None else [site]
    if len(views) <= 1:
        return _pair(ctx, views[0] if views else site, timeout)
    pairs = budget_parallel([partial(_pair, ctx, v, timeout) for v in views])
    for https, http in pairs:
        if answered(https, http):
            return https, http
    first: tuple[Attempt, Attempt] = pairs[0]
    return first


def prefetch_homes(ctx: CheckContext, views: list[Site]) -> list[tuple[Attempt, Attempt]]:
    """The home pages of several views (hosts, families), every request at once: a domain
    whose hosts all hang costs one timeout."""
    timeout = time_left(ctx)
    fns = [partial(_home, ctx, v, tls, timeout) for v in views for tls in (True, False)]
    done = budget_parallel(fns)
    return [(done[2 * i], done[2 * i + 1]) for i in range(len(views))]


def budget_parallel(fns: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run a few functions concurrently, each within the caller's time budget."""
    state = budget.inherit_budget()

    def run(fn: Callable[[], Any]) -> Any:
        budget.adopt_budget(state)
        return fn()

    with ThreadPoolExecutor(max_workers=max(1, len(fns))) as pool:
        return list(pool.map(run, fns))


def raise_unreachable(site: Site, https: Attempt, http: Attempt) -> None:
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
                "why": err.reason.en,
                "why_fr": err.reason.fr,
            },
        )


def tls_info(ctx: CheckContext, site: Site) -> TlsInfo:
    """The TLS session of the HTTPS home page; a direct probe if HTTP failed after TLS or the
    handshake failed (to say why). Raises NotTested on network trouble."""
    https, http = homes(ctx, site)
    if https.value is not None:
        first: HttpResponse = https.value.responses[0]
        if first.tls is not None:
            return first.tls
    if https.error is not None and not isinstance(https.error, HttpProtocolError):
        raise https.error
    timeout = time_left(ctx)

    def probe() -> TlsInfo:
        last: NotTested | None = None
        for ip in site.ips[:3]:
            try:
                return tls_probe(ip, 443, site.host, timeout)
            except NotTested as exc:
                last = exc
        assert last is not None
        raise last

    info: TlsInfo = ctx.remember(("web", site.host, tuple(site.ips), "tls_probe"), probe)
    return info


def tls_session_or_result(ctx: CheckContext, site: Site, check_id: str) -> TlsInfo | CheckResult:
    """What the TLS checks (certificate, legacy versions) start from: the site's TLS session, or
    the `not_applicable` result when the site offers no HTTPS. Raises NotTested when the site
    cannot be reached at all."""
    https, http = homes(ctx, site)
    raise_unreachable(site, https, http)
    if https.error is not None and not isinstance(https.error, HttpProtocolError):
        return no_https_result(check_id, site, https, "not_applicable")
    return tls_info(ctx, site)


def base_evidence(site: Site) -> dict[str, Any]:
    """The evidence every web result starts with: the host and its addresses."""
    ev: dict[str, Any] = {"host": site.host, "ips": site.ips[:8]}
    if site.family:
        ev["family"] = FAMILY_NAMES[site.family]
    return ev


def no_https_result(check_id: str, site: Site, https: Attempt, status: str) -> CheckResult:
    """The verdict of a check that needs HTTPS on a site without it: `status` is "fail" or
    "not_applicable"."""
    assert https.error is not None
    ev = base_evidence(site) | {"https": https.error.evidence}
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


def with_site(core: Core, check_id: str) -> CheckFn:
    """The registered check `fn(ctx, domain)` of a core: find the web host of the domain
    (not_applicable without one), judge it, and report the result on the domain."""

    def check(ctx: CheckContext, domain: str) -> CheckResult:
        site = find_site(ctx, domain)
        if site is None:
            return no_site(check_id, ascii_domain(domain))
        res = core(ctx, site)
        if res.target != domain:
            ev = dict(res.evidence)
            ev.setdefault("host", site.host)
            res = res.model_copy(update={"target": domain, "evidence": ev})
        return res

    check.__name__ = "check_" + check_id.split(".", 1)[1]
    check.__doc__ = core.__doc__
    return check


def chain_evidence(hop: Hop) -> list[dict[str, Any]]:
    """URL, status and Location of each response of a redirect chain."""
    return [
        {"url": r.url, "status": r.status, "location": r.header("location")} for r in hop.responses
    ]
