"""The whole site: web.https, web.hsts and web.certificate judge every web host of a domain
(www.<domain> and <domain>) on every address family it has (IPv4, IPv6), and give one verdict
that says which host (and family) each finding is about.

A core judges one view (a host on one address family). The verdict of the domain is the worst
of the views that could be judged; views that could not be tested are named in the evidence. For
web.https, a host that answers on one family but not on the other, or a host that has an address
but does not answer while the other host does, is a warning of its own: residents' browsers use
both families and both names.
"""

from __future__ import annotations

from typing import Any

from cyberdiag.checks.base import CheckContext, CheckFn, not_tested, result
from cyberdiag.checks.web.site import (
    FAMILY_NAMES,
    Core,
    Site,
    ascii_domain,
    find_sites,
    no_site,
    prefetch_homes,
)
from cyberdiag.errors import NotTested
from cyberdiag.models import CheckResult, Status
from cyberdiag.net.tls import NO_ROUTE_HERE

_RANK: dict[str, int] = {"pass": 0, "warn": 1, "fail": 2}
View = tuple[Site, CheckResult]


def with_sites(core: Core, check_id: str, *, reachability: bool = False) -> CheckFn:
    """The registered check of a core that judges every host and address family of the
    domain. reachability (web.https): also warn about a family or a host that does not answer;
    otherwise (HSTS, certificate) a view without HTTPS is left to web.https when another view
    has HTTPS."""

    def check(ctx: CheckContext, domain: str) -> CheckResult:
        sites = find_sites(ctx, domain)
        if not sites:
            return no_site(check_id, ascii_domain(domain))
        views = [v for s in sites for v in (s.families() or [s])]
        several = len(views) > 1
        pages: list[Any] = ctx.remember(  # every view at once: one timeout for all
            ("web", "views", ascii_domain(domain)), lambda: prefetch_homes(ctx, views))
        if not reachability:
            with_https = [v for v, (https, _) in zip(views, pages, strict=True)
                          if https.error is None]
            views = with_https or views
        judged = [(v, _judge(core, check_id, ctx, v)) for v in views]
        return combine(check_id, domain, judged, reachability=reachability, several=several)

    check.__name__ = "check_" + check_id.split(".", 1)[1]
    check.__doc__ = core.__doc__
    return check


def _judge(core: Core, check_id: str, ctx: CheckContext, view: Site) -> CheckResult:
    try:
        return core(ctx, view)
    except NotTested as exc:
        return not_tested(check_id, view.host, exc.reason, exc.evidence)


def _local(res: CheckResult) -> bool:
    """Not tested because this computer cannot reach that family (no IPv6 here)."""
    ev = res.evidence
    found = [ev.get("error")] + [v.get("error") for v in ev.values() if isinstance(v, dict)]
    return NO_ROUTE_HERE in found


def _labels(views: list[Site], all_views: list[Site], fr: bool) -> str:
    """'www.x.test et x.test (IPv6)': a host once if every family of it is in the group."""
    names: list[str] = []
    for v in views:
        mine = [w for w in all_views if w.host == v.host]
        whole = all(w in views for w in mine)
        name = v.host if whole or len(mine) == 1 else v.label
        if name not in names:
            names.append(name)
    sep = " et " if fr else " and "
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + sep + names[-1]


def _gaps(judged: list[View]) -> tuple[list[str], list[str]]:
    """Hosts or families that do not answer while others do (web.https): (fr, en)."""
    fr: list[str] = []
    en: list[str] = []
    ok = [v for v, r in judged if r.status != "not_tested"]
    if not ok:
        return fr, en
    hosts = list(dict.fromkeys(v.host for v, _ in judged))
    for host in hosts:
        mine = [(v, r) for v, r in judged if v.host == host]
        dead = [(v, r) for v, r in mine if r.status == "not_tested" and not _local(r)]
        alive = [v for v, r in mine if r.status != "not_tested"]
        if not dead:
            continue
        res = dead[0][1]
        reason_en = str(res.evidence.get("why") or (res.reason.en if res.reason else ""))
        reason_fr = str(res.evidence.get("why_fr") or (res.reason.fr if res.reason else ""))
        if alive:
            up = " et ".join(FAMILY_NAMES[v.family] for v in alive if v.family)
            down = " et ".join(FAMILY_NAMES[v.family] for v, _ in dead if v.family)
            up_en, down_en = up.replace(" et ", " and "), down.replace(" et ", " and ")
            fr.append(f"En {down}, {host} ne répond pas ({reason_fr}) alors qu'il répond en "
                      f"{up} : les visiteurs en {down} ne peuvent pas ouvrir le site.")
            en.append(f"Over {down_en}, {host} does not answer ({reason_en}) while it answers "
                      f"over {up_en}: visitors on {down_en} cannot open the site.")
        else:
            fr.append(f"Le nom {host} a une adresse mais ne répond pas ({reason_fr}).")
            en.append(f"The name {host} has an address but does not answer ({reason_en}).")
    return fr, en


def combine(check_id: str, domain: str, judged: list[View], *,
            reachability: bool = False, several: bool = True) -> CheckResult:
    """One verdict for the domain from the verdicts of its views. several: the domain has
    several views (hosts or families), so each finding names its host."""
    if len(judged) == 1 and not several:
        res = judged[0][1]
        return _retarget(res, domain, judged[0][0])
    rated = [(v, r) for v, r in judged if r.status in _RANK]
    gaps_fr, gaps_en = _gaps(judged) if reachability else ([], [])
    evidence = _evidence(judged, gaps_en)
    if not rated:
        first = next((r for _, r in judged if r.status == "not_applicable"), None)
        if first is None:
            res = judged[0][1]
            reason = res.reason
            assert reason is not None
            raise NotTested(reason.fr, reason.en, evidence)
        return first.model_copy(update={"target": domain, "evidence": evidence})
    status: Status = max((r.status for _, r in rated), key=lambda s: _RANK[s])
    if gaps_fr and status == "pass":
        status = "warn"
    views = [v for v, _ in judged]
    groups: dict[tuple[str, str], list[Site]] = {}
    texts: dict[tuple[str, str], tuple[str, str]] = {}
    for v, r in rated:
        key = (r.status, r.message.en)
        groups.setdefault(key, []).append(v)
        texts[key] = (r.message.fr, r.message.en)
    order = sorted(groups, key=lambda k: -_RANK[k[0]])
    fr = [f"{_labels(groups[k], views, True)} : {texts[k][0]}" for k in order]
    en = [f"{_labels(groups[k], views, False)}: {texts[k][1]}" for k in order]
    fr += gaps_fr
    en += gaps_en
    return result(check_id, domain, status, " ".join(fr), " ".join(en), evidence)


def _retarget(res: CheckResult, domain: str, view: Site) -> CheckResult:
    if res.status == "not_tested":
        reason = res.reason
        assert reason is not None
        raise NotTested(reason.fr, reason.en, res.evidence)
    ev = dict(res.evidence)
    ev.setdefault("host", view.host)
    return res.model_copy(update={"target": domain, "evidence": ev})


def _evidence(judged: list[View], gaps: list[str]) -> dict[str, Any]:
    first = next((v for v, r in judged if r.status != "not_tested"), judged[0][0])
    ev: dict[str, Any] = {
        "host": first.host,
        "hosts": list(dict.fromkeys(v.host for v, _ in judged)),
        "views": [{"host": v.host, "family": FAMILY_NAMES.get(v.family or "", "all"),
                   "status": r.status, "message": r.message.en,
                   "reason": r.reason.en if r.reason else None, "evidence": r.evidence}
                  for v, r in judged],
    }
    if gaps:
        ev["unreachable"] = gaps
    return ev

