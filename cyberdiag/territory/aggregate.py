"""The territorial view: every figure of the territorial report, computed from the store.

`build_view(store, campaign, named=False)` returns a TerritoryView: distribution of levels,
heatmap rows (municipalities × domains), medians per tier group, most frequent gaps, pooling
proposals, the trend since the previous campaign and coverage. Anonymisation rules (code names
drawn per campaign, groups of at least MIN_GROUP, no gap, pooled service or domain column that
concerns fewer than MIN_GROUP municipalities) are applied here, so every renderer (HTML, PDF,
export) gets a view that is already safe to show; counts under MIN_GROUP are written « < 5 » by
the renderers. Coverage is computed over the list of municipalities (roster) only: those that
answered without being on it are counted on their own line. The figures themselves come from
medians, pooling, trend and checkstats.
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
from cyberdiag.territory.insights import Insights, build_insights, pooled
from cyberdiag.territory.medians import GroupStats, group_stats
from cyberdiag.territory.pooling import Gap, Proposal, frequent_gaps, load_pooling, proposals
from cyberdiag.territory.store import MuniRow, RosterRow, Store
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
    # Municipalities that answered but are not on the roster (None: no roster loaded).
    outside_roster: int | None = None
    # The ISD's questions (territory.insights): targets per tier, gap rates, pooling answers,
    # check-all beside the self-assessment, the dashboard's rows. None when suppressed.
    insights: Insights | None = None


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
        codes = code_names((m.insee for m in rows), store.campaign_salt(campaign))
        heat = _heatmap(rows, groups, _shown_domains(rows, dom_ids, min_n), codes, named)
    coverage, outside = _coverage(rows, store.roster_rows(), groups, min_n)
    appl = sum(m.questions_applicable for m in rows)
    runs = store.check_run_count(campaign)
    dates = sorted(m.created_at for m in rows)
    insights = None
    if not suppressed:
        insights = build_insights(store, campaign, rows, groups, cat, named=named, min_n=min_n)
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
        gaps=[] if suppressed else frequent_gaps(rows, cat, min_count=min_n),
        proposals=[] if suppressed else proposals(rows, cat, min_n, **pooled(insights)),
        trend=None if suppressed else trend(store, campaign, rows, groups, dom_ids, min_n),
        coverage=coverage,
        answered_ratio=(sum(m.questions_answered for m in rows) / appl) if appl else None,
        check_runs=runs,
        checks=[] if runs < min_n else check_aggregates(store, campaign),
        created_range=(dates[0][:10], dates[-1][:10]) if dates else None,
        outside_roster=outside,
        insights=insights,
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


def _shown_domains(rows: list[MuniRow], dom_ids: list[str], min_n: int) -> list[str]:
    """The domains the heatmap shows: a domain scored for fewer than `min_n` municipalities
    (a condition few meet, like connected equipment) would point at them: its column is left
    blank in anonymised views."""
    return [d for d in dom_ids if sum(1 for m in rows if d in m.scores) >= min_n]


def _coverage(
    rows: list[MuniRow], roster: list[RosterRow], groups: list[Group], min_n: int
) -> tuple[list[CoverageRow], int | None]:
    """Answered / known per group, and how many answered from outside the roster.

    With a roster, coverage is over the roster only: each listed municipality counts in its
    roster tier (the list's population), groups are recomputed over the roster's tiers, and a
    municipality that answered without being listed is only counted on its own line. Without
    one, the imported diagnostics per group (known: None)."""
    if not roster:
        tiers = Counter(m.tier for m in rows)
        return [
            CoverageRow(g.label, None, sum(tiers.get(t, 0) for t in g.tiers)) for g in groups
        ], None
    tier_of = {r.insee: r.tier for r in roster}
    known = Counter(r.tier for r in roster)
    answered = Counter(tier_of[m.insee] for m in rows if m.insee in tier_of)
    outside = sum(1 for m in rows if m.insee not in tier_of)
    cover_groups = tier_groups(dict(known), min_n)
    return [
        CoverageRow(
            g.label,
            sum(known.get(t, 0) for t in g.tiers),
            sum(answered.get(t, 0) for t in g.tiers),
        )
        for g in cover_groups
    ], outside
