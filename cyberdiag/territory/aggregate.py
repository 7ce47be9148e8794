"""The territorial view: every figure of the territorial report, computed from the store.

`build_view(store, campaign, named=False)` returns a TerritoryView: distribution of levels,
heatmap rows (municipalities × domains), medians per tier group, most frequent gaps, pooling
proposals, the trend since the previous campaign and coverage. Anonymisation rules (code names,
groups of at least MIN_GROUP) are applied here, so every renderer (HTML, PDF, export) gets a view
that is already safe to show. The figures themselves come from medians, pooling, trend and
checkstats.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from cyberdiag.models import LevelInfo, Text
from cyberdiag.territory.anonymise import (
    MIN_GROUP,
    Group,
    code_names,
    group_of,
    publishable,
    tier_groups,
)
from cyberdiag.territory.checkstats import CheckAgg, check_aggregates
from cyberdiag.territory.medians import GroupStats, group_stats
from cyberdiag.territory.pooling import Gap, Proposal, frequent_gaps, load_pooling, proposals
from cyberdiag.territory.store import MuniRow, Store
from cyberdiag.territory.trend import Trend, trend


@dataclass
class HeatRow:
    """One municipality in the heatmap: (score, level) per domain, None when not applicable."""

    label: str  # code name, or the municipality's name in named mode
    insee: str | None  # named mode only
    group: str
    overall_score: float | None
    overall_level: int
    cells: dict[str, tuple[float | None, int] | None]


@dataclass
class CoverageRow:
    """How many municipalities of a group answered, out of those known."""

    group: str
    known: int | None  # from municipalities.csv (roster), None when no roster was loaded
    imported: int


@dataclass
class TerritoryView:
    """Everything the territorial report shows, already anonymised unless `named`."""

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


def build_view(
    store: Store, campaign: str | None = None, *, named: bool = False, min_group: int = MIN_GROUP
) -> TerritoryView:
    """The view of `campaign` (default: the latest); `named` shows names (ISD internal use)."""
    campaign = store.resolve_campaign(campaign)
    cat = load_pooling()
    rows = store.campaign_rows(campaign)
    min_n = 1 if named else min_group
    doms = store.campaign_domains(campaign)
    dom_ids = [d for d, _ in doms]
    tiers = Counter(m.tier for m in rows)
    groups = tier_groups(dict(tiers), min_n)
    suppressed = not named and not publishable(len(rows), min_group)
    by_group: list[GroupStats] = []
    heat: list[HeatRow] = []
    if not suppressed:
        for g in groups:
            members = [m for m in rows if m.tier in g.tiers]
            by_group.append(group_stats(g.label, members, dom_ids, min_n))
        codes = code_names((m.insee for m in rows), store.salt())
        heat = _heatmap(rows, groups, dom_ids, codes, named)
    appl = sum(m.questions_applicable for m in rows)
    runs = store.check_run_count(campaign)
    dates = sorted(m.created_at for m in rows)
    return TerritoryView(
        campaign=campaign,
        named=named,
        min_group=min_group,
        n=len(rows),
        suppressed=suppressed,
        levels=store.campaign_levels(campaign),
        domains=doms,
        groups=[g.label for g in groups],
        distribution={} if suppressed else dict(Counter(m.overall_level for m in rows)),
        by_group=by_group,
        overall=None if suppressed else group_stats("all", rows, dom_ids, min_n),
        heatmap=heat,
        gaps=[] if suppressed else frequent_gaps(rows, cat),
        proposals=[] if suppressed else proposals(rows, cat),
        trend=None if suppressed else trend(store, campaign, rows, groups, dom_ids, min_n),
        coverage=_coverage(tiers, store.roster_tier_counts(), groups, min_n),
        answered_ratio=(sum(m.questions_answered for m in rows) / appl) if appl else None,
        check_runs=runs,
        checks=[] if runs < min_n else check_aggregates(store, campaign),
        created_range=(dates[0][:10], dates[-1][:10]) if dates else None,
    )


def _heatmap(
    rows: list[MuniRow], groups: list[Group], dom_ids: list[str], codes: dict[str, str], named: bool
) -> list[HeatRow]:
    """One row per municipality, by group then best overall score first."""
    heat: list[HeatRow] = []
    for m in rows:
        cells: dict[str, tuple[float | None, int] | None] = {
            d: (m.scores[d], m.levels[d]) if d in m.scores else None for d in dom_ids
        }
        heat.append(
            HeatRow(
                label=m.name if named else codes[m.insee],
                insee=m.insee if named else None,
                group=group_of(m.tier, groups).label,
                overall_score=m.overall_score,
                overall_level=m.overall_level,
                cells=cells,
            )
        )
    order = {g.label: i for i, g in enumerate(groups)}
    heat.sort(key=lambda r: (order.get(r.group, 99), -(r.overall_score or -1), r.label))
    return heat


def _coverage(
    tiers: Counter[int], roster: dict[int, int], groups: list[Group], min_n: int
) -> list[CoverageRow]:
    """Answered / known per group; groups are recomputed over the known municipalities too."""
    if roster:
        known_tiers = {t: max(tiers.get(t, 0), roster.get(t, 0)) for t in set(tiers) | set(roster)}
        groups = tier_groups(known_tiers, min_n)
    return [
        CoverageRow(
            g.label,
            sum(roster.get(t, 0) for t in g.tiers) if roster else None,
            sum(tiers.get(t, 0) for t in g.tiers),
        )
        for g in groups
    ]
