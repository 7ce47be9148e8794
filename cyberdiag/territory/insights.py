"""The answers to the ISD's questions, added to the territorial view (aggregate.build_view).

Who reaches the level expected for its tier (targets), each gap over the municipalities it
applies to (gaprates), the pooling answers (mutual), check-all beside the self-assessment and
old diagnostics (beside), and one row per municipality for the dashboard's table. Built only
for a view that may show details (a named one, or an anonymised one of at least MIN_GROUP
municipalities), with the same rules: code names drawn for the campaign and tier groups in an
anonymised view, no name, INSEE code or date of a municipality, and no gap of fewer than
MIN_GROUP municipalities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from cyberdiag.territory.anonymise import Group, code_names, group_of
from cyberdiag.territory.beside import Beside, beside
from cyberdiag.territory.causes import held_by
from cyberdiag.territory.gaprates import GapRate, gap_rates
from cyberdiag.territory.mutual import (
    POOLING_DOMAIN,
    PoolingAnswers,
    option_order,
    pooling_answers,
)
from cyberdiag.territory.pooling import PoolingCatalogue
from cyberdiag.territory.store import MuniRow, Store
from cyberdiag.territory.targets import TargetRow, reached, target_rows


@dataclass
class CommuneRow:
    """One municipality in the dashboard's table (named fields are None when anonymised)."""

    label: str
    group: str
    level: int
    score: float | None
    held: str  # "gap", "unknown" or "score" (territory.causes)
    gaps: list[str]  # refs of its known gaps among those the view shows
    domains: list[str]  # domains of those gaps
    insee: str | None = None
    tier: int | None = None
    reached: bool | None = None
    created: str | None = None
    stale: bool | None = None
    operator: Any = None  # Text: who runs its IT (pooling answer)
    check_fail: int | None = None  # checks failing or warning at its latest check-all run


@dataclass
class Insights:
    """Everything the ISD asks of a campaign, already anonymised unless named."""

    today: str
    previous: str | None
    targets: list[TargetRow]
    gaps: list[GapRate]
    pooling: PoolingAnswers
    beside: Beside
    communes: list[CommuneRow] = field(default_factory=list)


def build_insights(
    store: Store,
    campaign: str,
    rows: list[MuniRow],
    groups: list[Group],
    cat: PoolingCatalogue,
    *,
    named: bool,
    min_n: int,
    today: date | None = None,
) -> Insights:
    """The insights of `campaign` (its rows and tier groups as the view computed them)."""
    today = today or datetime.now(UTC).date()
    labels = {m.insee: m.name for m in rows} if named else None
    previous = store.previous_campaign(campaign)
    prev_rows = store.campaign_rows(previous) if previous else None
    own = store.own_check_states(campaign)
    states, pooling_texts = store.answers(campaign, POOLING_DOMAIN)
    gaps = gap_rates(rows, states, own, cat, named=named, min_n=min_n, labels=labels)
    pooling = pooling_answers(
        pooling_texts,
        store.it_providers(campaign),
        cat,
        labels=labels,
        min_n=min_n,
        order=option_order(),
    )
    side = beside(
        rows,
        own,
        store.latest_check_runs({m.insee for m in rows}),
        labels=labels,
        min_n=min_n,
        today=today,
    )
    codes = {} if named else code_names((m.insee for m in rows), store.campaign_salt(campaign))
    return Insights(
        today=today.isoformat(),
        previous=previous,
        targets=target_rows(rows, prev_rows, groups, min_n),
        gaps=gaps,
        pooling=pooling,
        beside=side,
        communes=_communes(rows, groups, gaps, pooling, side, codes, named=named),
    )


def _communes(
    rows: list[MuniRow],
    groups: list[Group],
    gaps: list[GapRate],
    pooling: PoolingAnswers,
    side: Beside,
    codes: dict[str, str],
    *,
    named: bool,
) -> list[CommuneRow]:
    """The dashboard's rows, by group then name or code name."""
    shown = {g.ref: g.domain for g in gaps}
    checks = {c.insee: c.fail + c.warn for c in side.communes if c.run_date}
    stale_before = side.stale_before
    out = []
    for m in rows:
        mine = sorted({f.ref for f in m.findings if f.kind in ("gap", "check") and f.ref in shown})
        row = CommuneRow(
            label=m.name if named else codes[m.insee],
            group=group_of(m.tier, groups).label,
            level=m.overall_level,
            score=m.overall_score,
            held=held_by(m),
            gaps=mine,
            domains=sorted({shown[r] for r in mine}),
        )
        if named:
            row.insee, row.tier, row.reached = m.insee, m.tier, reached(m)
            row.created = m.created_at[:10]
            row.stale = row.created < stale_before
            row.operator = pooling.operator_of.get(m.insee)
            row.check_fail = checks.get(m.insee)
        out.append(row)
    order = {g.label: i for i, g in enumerate(groups)}
    out.sort(key=lambda r: (order.get(r.group, 99), r.label.casefold()))
    return out


def pooled(insights: Insights | None) -> dict[str, Any]:
    """The pooling answers the proposals use (aggregate passes them to pooling.proposals)."""
    if insights is None:
        return {}
    return {"already": insights.pooling.already, "interested": insights.pooling.interested}
