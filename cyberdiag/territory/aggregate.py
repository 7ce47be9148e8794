"""Territorial aggregates, computed from the store's normalised tables (pure reading, no output).

`build_view(store, campaign, named=False)` returns a TerritoryView: distribution of levels,
heatmap rows (municipalities × domains), medians per tier group, most frequent gaps, pooling
proposals, the trend since the previous campaign and coverage. Anonymisation rules (code names,
groups of at least MIN_GROUP) are applied here, so every renderer (HTML, PDF, export) gets a view
that is already safe to show.
"""

from __future__ import annotations

import fnmatch
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from cyberdiag.models import LevelInfo, Model, Text
from cyberdiag.territory.anonymise import (
    MIN_GROUP,
    Group,
    code_names,
    group_of,
    publishable,
    tier_groups,
)
from cyberdiag.territory.store import Store

# --------------------------------------------------------------------------------------------
# Rows read from the store
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingRow:
    ref: str
    kind: str
    severity: str
    critical: bool
    domain: str
    title: Text


@dataclass(frozen=True)
class CapRow:
    item: str
    ref: str
    domain: str | None
    level: int
    label: Text


@dataclass
class MuniRow:
    insee: str
    name: str
    population: int
    tier: int
    created_at: str
    overall_score: float | None
    overall_level: int
    uncapped_level: int
    target_level: int
    questions_applicable: int
    questions_answered: int
    scores: dict[str, float | None] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    caps: list[CapRow] = field(default_factory=list)
    findings: list[FindingRow] = field(default_factory=list)


def load_rows(store: Store, campaign: str) -> list[MuniRow]:
    """Every diagnostic of `campaign`, with its domain scores, caps and findings."""
    c = store.conn
    rows: dict[int, MuniRow] = {}
    for r in c.execute(
        """SELECT id, insee, name, population, tier, created_at, overall_score, overall_level,
                  uncapped_level, target_level, questions_applicable, questions_answered
           FROM diagnostics WHERE campaign=?""",
        (campaign,),
    ):
        rows[int(r[0])] = MuniRow(
            insee=r[1],
            name=r[2],
            population=r[3],
            tier=r[4],
            created_at=r[5],
            overall_score=r[6],
            overall_level=r[7],
            uncapped_level=r[8],
            target_level=r[9],
            questions_applicable=r[10],
            questions_answered=r[11],
        )
    for did, dom, score, level in c.execute(
        """SELECT s.diagnostic_id, s.domain, s.score, s.level FROM domain_scores s
           JOIN diagnostics d ON d.id = s.diagnostic_id WHERE d.campaign=? AND s.applicable=1""",
        (campaign,),
    ):
        rows[did].scores[dom] = score
        rows[did].levels[dom] = level
    for did, item, ref, dom, level, fr, en in c.execute(
        """SELECT c.diagnostic_id, c.item, c.ref, c.domain, c.level, c.label_fr, c.label_en
           FROM caps c JOIN diagnostics d ON d.id = c.diagnostic_id WHERE d.campaign=?""",
        (campaign,),
    ):
        rows[did].caps.append(CapRow(item, ref, dom, level, Text(fr=fr, en=en)))
    for did, ref, kind, sev, crit, dom, fr, en in c.execute(
        """SELECT f.diagnostic_id, f.ref, f.kind, f.severity, f.critical, f.domain, f.title_fr,
                  f.title_en
           FROM findings f JOIN diagnostics d ON d.id = f.diagnostic_id WHERE d.campaign=?""",
        (campaign,),
    ):
        rows[did].findings.append(FindingRow(ref, kind, sev, bool(crit), dom, Text(fr=fr, en=en)))
    return sorted(rows.values(), key=lambda m: m.insee)


def domain_names(store: Store, campaign: str) -> list[tuple[str, Text]]:
    """Domains seen in the campaign, in the grid's order."""
    out = store.conn.execute(
        """SELECT s.domain, MIN(s.position), MAX(s.name_fr), MAX(s.name_en) FROM domain_scores s
           JOIN diagnostics d ON d.id = s.diagnostic_id WHERE d.campaign=?
           GROUP BY s.domain ORDER BY MIN(s.position), s.domain""",
        (campaign,),
    ).fetchall()
    return [(str(r[0]), Text(fr=r[2], en=r[3])) for r in out]


def level_infos(store: Store, campaign: str) -> list[LevelInfo]:
    row = store.conn.execute(
        """SELECT json_extract(json, '$.levels') FROM diagnostics WHERE campaign=?
           ORDER BY created_at DESC LIMIT 1""",
        (campaign,),
    ).fetchone()
    if row is None or row[0] is None:
        return []
    return [LevelInfo.model_validate(x) for x in json.loads(row[0])]


# --------------------------------------------------------------------------------------------
# Pooling services (report_templates/territory/pooling.yaml)
# --------------------------------------------------------------------------------------------


class PoolingService(Model):
    id: str
    name: Text
    offer: Text
    refs: list[str] = []
    domains: list[str] = []


class PoolingCatalogue(Model):
    kind: str
    id: str
    version: str
    services: list[PoolingService]


def pooling_path() -> Path:
    from cyberdiag.resources import data_dir

    return data_dir("report_templates") / "territory" / "pooling.yaml"


@cache
def load_pooling(path: Path | None = None) -> PoolingCatalogue:
    import yaml

    p = path or pooling_path()
    with open(p, encoding="utf-8") as fh:
        return PoolingCatalogue.model_validate(yaml.safe_load(fh))


_SERVICE_MEMO: dict[tuple[str, str, str, str | None], str | None] = {}


def service_for(ref: str, domain: str | None, catalogue: PoolingCatalogue) -> str | None:
    """The pooling service answering a finding/cap (see pooling.yaml for the rule).

    Memoised per catalogue id and version: a territory has tens of thousands of findings but
    only a hundred distinct (ref, domain) pairs.
    """
    key = (catalogue.id, catalogue.version, ref, domain)
    if key not in _SERVICE_MEMO:
        if len(_SERVICE_MEMO) > 100_000:
            _SERVICE_MEMO.clear()
        _SERVICE_MEMO[key] = _service_for(ref, domain, catalogue)
    return _SERVICE_MEMO[key]


def _service_for(ref: str, domain: str | None, catalogue: PoolingCatalogue) -> str | None:
    low = ref.lower()
    for s in catalogue.services:
        if any(fnmatch.fnmatchcase(low, pat) for pat in s.refs):
            return s.id
    if domain:
        for s in catalogue.services:
            if domain in s.domains:
                return s.id
    return None


# --------------------------------------------------------------------------------------------
# The view
# --------------------------------------------------------------------------------------------


@dataclass
class HeatRow:
    label: str  # code name, or the municipality's name in named mode
    insee: str | None  # named mode only
    group: str
    overall_score: float | None
    overall_level: int
    cells: dict[str, tuple[float | None, int] | None]


@dataclass
class GroupStats:
    group: str
    n: int
    overall_median: float | None
    domain_medians: dict[str, float | None]
    levels: dict[int, int]


@dataclass
class Gap:
    ref: str
    title: Text
    domain: str
    critical: bool
    count: int
    share: float
    service: str | None


@dataclass
class Proposal:
    service: str
    name: Text
    offer: Text
    count: int  # municipalities with at least one gap answered by the service
    top_ref: str
    top_title: Text
    top_count: int  # municipalities with the most frequent of those gaps
    lifted: int  # would gain at least one overall level (every cap removed is this service's)
    lifted_from_zero: int  # ... of which now at level 0 and would leave it
    refs: list[str]
    # The gaps the service answers, most frequent first: (ref, title, municipalities).
    items: list[tuple[str, Text, int]] = field(default_factory=list)


@dataclass
class Trend:
    previous: str
    n_common: int
    improved: int
    same: int
    worse: int
    levels_before: dict[int, int]
    levels_after: dict[int, int]
    overall_median_before: float | None
    overall_median_after: float | None
    domain_medians: dict[str, tuple[float | None, float | None]]
    groups: list[tuple[str, int, float | None, float | None]]


@dataclass
class CheckAgg:
    """One passive check over the municipalities checked by check-all in the campaign."""

    id: str
    title: Text | None
    fail: int  # municipalities with at least one domain failing
    warn: int  # ... warning (and none failing)
    not_tested: int  # ... for which it could not be carried out at all
    tested: int  # municipalities where it gave pass/warn/fail


@dataclass
class CoverageRow:
    group: str
    known: int | None  # from municipalities.csv (roster), None when no roster was loaded
    imported: int


@dataclass
class TerritoryView:
    campaign: str
    named: bool
    min_group: int
    n: int
    suppressed: bool  # anonymised and fewer than min_group municipalities: totals only
    levels: list[LevelInfo]
    domains: list[tuple[str, Text]]
    groups: list[str]
    distribution: dict[int, int]
    by_group: list[GroupStats]
    overall: GroupStats | None
    heatmap: list[HeatRow]
    gaps: list[Gap]
    proposals: list[Proposal]
    trend: Trend | None
    coverage: list[CoverageRow]
    answered_ratio: float | None
    check_runs: int
    checks: list[CheckAgg]
    created_range: tuple[str, str] | None


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _stats(label: str, rows: list[MuniRow], domains: list[str], min_n: int) -> GroupStats:
    meds: dict[str, float | None] = {}
    for d in domains:
        vals = [s for m in rows if (s := m.scores.get(d)) is not None]
        meds[d] = _median(vals) if len(vals) >= min_n else None
    overall = [m.overall_score for m in rows if m.overall_score is not None]
    return GroupStats(
        group=label,
        n=len(rows),
        overall_median=_median(overall) if len(overall) >= min_n else None,
        domain_medians=meds,
        levels=dict(Counter(m.overall_level for m in rows)),
    )


def _lift(m: MuniRow, service: str, cat: PoolingCatalogue) -> int:
    """m's overall level once every cap answered by `service` is lifted (capped by the rest)."""
    remaining = [c.level for c in m.caps if service_for(c.ref, c.domain, cat) != service]
    return min([m.uncapped_level, *remaining])


def proposals(rows: list[MuniRow], cat: PoolingCatalogue) -> list[Proposal]:
    """Frequent gaps grouped by shared service, with an honest estimate of levels gained.

    A municipality counts once per service. "lifted": municipalities whose overall level would
    rise if the service put its items fully in place, i.e. every cap holding them at their level
    belongs to that service (other caps and the uncapped score still apply). Findings of kind
    "delegated" (the provider says it does it; proof requested) are not counted as gaps.
    """
    concerned: dict[str, set[str]] = defaultdict(set)
    ref_munis: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    titles: dict[str, Text] = {}
    for m in rows:
        for f in m.findings:
            if f.kind == "delegated":
                continue
            s = service_for(f.ref, f.domain, cat)
            if s is None:
                continue
            concerned[s].add(m.insee)
            ref_munis[s][f.ref].add(m.insee)
            titles.setdefault(f.ref, f.title)
    by_id = {s.id: s for s in cat.services}
    out: list[Proposal] = []
    for sid, munis in concerned.items():
        refs = sorted(ref_munis[sid], key=lambda r: (-len(ref_munis[sid][r]), r))
        lifted = lifted0 = 0
        for m in rows:
            if m.insee not in munis:
                continue
            new = _lift(m, sid, cat)
            if new > m.overall_level:
                lifted += 1
                if m.overall_level == 0:
                    lifted0 += 1
        svc = by_id[sid]
        out.append(
            Proposal(
                service=sid,
                name=svc.name,
                offer=svc.offer,
                count=len(munis),
                top_ref=refs[0],
                top_title=titles[refs[0]],
                top_count=len(ref_munis[sid][refs[0]]),
                lifted=lifted,
                lifted_from_zero=lifted0,
                refs=refs,
                items=[(r, titles[r], len(ref_munis[sid][r])) for r in refs],
            )
        )
    out.sort(key=lambda p: (-p.lifted, -p.count, p.service))
    return out


def frequent_gaps(rows: list[MuniRow], cat: PoolingCatalogue, top: int = 12) -> list[Gap]:
    munis: dict[str, set[str]] = defaultdict(set)
    info: dict[str, FindingRow] = {}
    for m in rows:
        for f in m.findings:
            if f.kind == "delegated":
                continue
            munis[f.ref].add(m.insee)
            info.setdefault(f.ref, f)
    n = max(1, len(rows))
    refs = sorted(munis, key=lambda r: (-len(munis[r]), not info[r].critical, r))[:top]
    return [
        Gap(
            ref=r,
            title=info[r].title,
            domain=info[r].domain,
            critical=info[r].critical,
            count=len(munis[r]),
            share=len(munis[r]) / n,
            service=service_for(r, info[r].domain, cat),
        )
        for r in refs
    ]


def _roster_tiers(store: Store) -> Counter[int] | None:
    rows = store.conn.execute("SELECT tier, COUNT(*) FROM roster GROUP BY tier").fetchall()
    if not rows:
        return None
    return Counter({int(t): int(n) for t, n in rows})


def build_view(
    store: Store, campaign: str | None = None, *, named: bool = False, min_group: int = MIN_GROUP
) -> TerritoryView:
    campaign = store.resolve_campaign(campaign)
    cat = load_pooling()
    rows = load_rows(store, campaign)
    min_n = 1 if named else min_group
    doms = domain_names(store, campaign)
    dom_ids = [d for d, _ in doms]
    tiers = Counter(m.tier for m in rows)
    groups = tier_groups(dict(tiers), min_n)
    suppressed = not named and not publishable(len(rows), min_group)
    codes = code_names((m.insee for m in rows), store.salt())

    by_group: list[GroupStats] = []
    heat: list[HeatRow] = []
    if not suppressed:
        for g in groups:
            members = [m for m in rows if m.tier in g.tiers]
            by_group.append(_stats(g.label, members, dom_ids, min_n))
        order = {g.label: i for i, g in enumerate(groups)}
        for m in rows:
            g = group_of(m.tier, groups)
            cells: dict[str, tuple[float | None, int] | None] = {
                d: (m.scores[d], m.levels[d]) if d in m.scores else None for d in dom_ids
            }
            heat.append(
                HeatRow(
                    label=m.name if named else codes[m.insee],
                    insee=m.insee if named else None,
                    group=g.label,
                    overall_score=m.overall_score,
                    overall_level=m.overall_level,
                    cells=cells,
                )
            )
        heat.sort(key=lambda r: (order.get(r.group, 99), -(r.overall_score or -1), r.label))

    overall = None if suppressed else _stats("all", rows, dom_ids, min_n)
    trend = None if suppressed else _trend(store, campaign, rows, groups, dom_ids, min_n)
    roster = _roster_tiers(store)
    coverage: list[CoverageRow] = []
    cov_groups = (
        groups
        if not roster
        else tier_groups(
            {t: max(tiers.get(t, 0), roster.get(t, 0)) for t in set(tiers) | set(roster)}, min_n
        )
    )
    for g in cov_groups:
        known = sum(roster.get(t, 0) for t in g.tiers) if roster else None
        coverage.append(CoverageRow(g.label, known, sum(tiers.get(t, 0) for t in g.tiers)))
    appl = sum(m.questions_applicable for m in rows)
    runs = store.conn.execute(
        "SELECT COUNT(*) FROM check_runs WHERE campaign=?", (campaign,)
    ).fetchone()[0]
    dates = sorted(m.created_at for m in rows)
    return TerritoryView(
        campaign=campaign,
        named=named,
        min_group=min_group,
        n=len(rows),
        suppressed=suppressed,
        levels=level_infos(store, campaign),
        domains=doms,
        groups=[g.label for g in groups],
        distribution={} if suppressed else dict(Counter(m.overall_level for m in rows)),
        by_group=by_group,
        overall=overall,
        heatmap=heat,
        gaps=[] if suppressed else frequent_gaps(rows, cat),
        proposals=[] if suppressed else proposals(rows, cat),
        trend=trend,
        coverage=coverage,
        answered_ratio=(sum(m.questions_answered for m in rows) / appl) if appl else None,
        check_runs=int(runs),
        checks=[] if runs < min_n else check_aggregates(store, campaign),
        created_range=(dates[0][:10], dates[-1][:10]) if dates else None,
    )


def check_aggregates(store: Store, campaign: str, top: int = 15) -> list[CheckAgg]:
    """Per check id: how many municipalities fail / warn / could not be tested (check-all)."""
    from cyberdiag.models import CheckRun

    try:
        from cyberdiag.report.catalogue import check_catalogue

        titles = {k: v.title for k, v in check_catalogue().items()}
    except ImportError:  # pragma: no cover - the report package is part of cyberdiag
        titles = {}
    worst: dict[str, dict[str, str]] = defaultdict(dict)
    rank = {"fail": 3, "warn": 2, "pass": 1, "not_tested": 0, "not_applicable": -1}
    for insee, raw in store.conn.execute(
        "SELECT insee, results_json FROM check_runs WHERE campaign=?", (campaign,)
    ):
        for r in CheckRun.model_validate_json(raw).results:
            cur = worst[r.id].get(insee)
            if cur is None or rank[r.status] > rank[cur]:
                worst[r.id][insee] = r.status
    out = []
    for cid, per in worst.items():
        c = Counter(per.values())
        out.append(
            CheckAgg(
                id=cid,
                title=titles.get(cid),
                fail=c["fail"],
                warn=c["warn"],
                not_tested=c["not_tested"],
                tested=c["fail"] + c["warn"] + c["pass"],
            )
        )
    out.sort(key=lambda a: (-a.fail, -a.warn, a.id))
    return [a for a in out if a.fail or a.warn][:top]


def _trend(
    store: Store,
    campaign: str,
    rows: list[MuniRow],
    groups: list[Group],
    dom_ids: list[str],
    min_n: int,
) -> Trend | None:
    prev = store.previous_campaign(campaign)
    if prev is None:
        return None
    before = {m.insee: m for m in load_rows(store, prev)}
    common = [(before[m.insee], m) for m in rows if m.insee in before]
    if len(common) < min_n:
        return Trend(
            previous=prev,
            n_common=len(common),
            improved=0,
            same=0,
            worse=0,
            levels_before={},
            levels_after={},
            overall_median_before=None,
            overall_median_after=None,
            domain_medians={},
            groups=[],
        )

    def med(ms: list[MuniRow], d: str | None) -> float | None:
        vals = [
            v for m in ms if (v := (m.overall_score if d is None else m.scores.get(d))) is not None
        ]
        return _median(vals) if len(vals) >= min_n else None

    olds = [a for a, _ in common]
    news = [b for _, b in common]
    grp: list[tuple[str, int, float | None, float | None]] = []
    for g in groups:
        pairs = [(a, b) for a, b in common if b.tier in g.tiers]
        if len(pairs) >= min_n:
            grp.append(
                (
                    g.label,
                    len(pairs),
                    med([a for a, _ in pairs], None),
                    med([b for _, b in pairs], None),
                )
            )
    return Trend(
        previous=prev,
        n_common=len(common),
        improved=sum(1 for a, b in common if b.overall_level > a.overall_level),
        same=sum(1 for a, b in common if b.overall_level == a.overall_level),
        worse=sum(1 for a, b in common if b.overall_level < a.overall_level),
        levels_before=dict(Counter(a.overall_level for a in olds)),
        levels_after=dict(Counter(b.overall_level for b in news)),
        overall_median_before=med(olds, None),
        overall_median_after=med(news, None),
        domain_medians={d: (med(olds, d), med(news, d)) for d in dom_ids},
        groups=grp,
    )


def medians_for(store: Path, tier: int, campaign: str | None = None) -> dict[str, float]:
    """Domain id -> median score of the municipalities of `tier` in `campaign` (default latest).

    For `cyberdiag report --territory STORE`. Reveals no individual municipality: a domain is
    left out when fewer than MIN_GROUP municipalities of the tier have a score in it, so a tier
    smaller than MIN_GROUP gives {}. A missing or empty store gives {} as well.
    """
    from cyberdiag.territory.store import Store as _Store

    if not Path(store).exists():
        return {}
    with _Store(Path(store), create=False) as s:
        names = s.campaigns()
        if not names:
            return {}
        if campaign is None:
            campaign = names[-1]
        elif campaign not in names:
            return {}
        rows = s.conn.execute(
            """SELECT s.domain, s.score FROM domain_scores s
               JOIN diagnostics d ON d.id = s.diagnostic_id
               WHERE d.campaign=? AND d.tier=? AND s.applicable=1 AND s.score IS NOT NULL""",
            (campaign, tier),
        ).fetchall()
    values: dict[str, list[float]] = defaultdict(list)
    for dom, score in rows:
        values[str(dom)].append(float(score))
    return {d: round(statistics.median(v), 1) for d, v in values.items() if len(v) >= MIN_GROUP}
