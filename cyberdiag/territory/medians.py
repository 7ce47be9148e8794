"""Medians of the territory: per group of tiers, and per tier for one municipality's report.

Per group: the territorial view (aggregate). Per tier: the comparison printed in a single
municipality's own report (`cyberdiag report --territory STORE`).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cyberdiag.territory.anonymise import MIN_GROUP
from cyberdiag.territory.causes import CauseCounts, cause_counts
from cyberdiag.territory.store import MuniRow, Store


def median(values: list[float]) -> float | None:
    """The median to one decimal, None for no value."""
    return round(statistics.median(values), 1) if values else None


@dataclass
class GroupStats:
    """Medians and level distribution of one group of municipalities."""

    group: str
    n: int
    overall_median: float | None
    domain_medians: dict[str, float | None]
    levels: dict[int, int]
    # Level 0 and capped municipalities by what holds them (known gaps / to be confirmed).
    causes: CauseCounts = field(default_factory=CauseCounts)


def group_stats(label: str, rows: list[MuniRow], domains: list[str], min_n: int) -> GroupStats:
    """Medians over `rows`; a median over fewer than `min_n` values is left out (None)."""
    meds: dict[str, float | None] = {}
    for d in domains:
        vals = [s for m in rows if (s := m.scores.get(d)) is not None]
        meds[d] = median(vals) if len(vals) >= min_n else None
    overall = [m.overall_score for m in rows if m.overall_score is not None]
    return GroupStats(
        group=label,
        n=len(rows),
        overall_median=median(overall) if len(overall) >= min_n else None,
        domain_medians=meds,
        levels=dict(Counter(m.overall_level for m in rows)),
        causes=cause_counts(rows),
    )


def medians_for(store: Path, tier: int, campaign: str | None = None) -> dict[str, float]:
    """Domain id -> median score of the municipalities of `tier` in `campaign` (default latest).

    For `cyberdiag report --territory STORE`. Reveals no individual municipality: a domain is
    left out when fewer than MIN_GROUP municipalities of the tier have a score in it, so a tier
    smaller than MIN_GROUP gives {}. A missing or empty store gives {} as well.
    """
    if not Path(store).exists():
        return {}
    with Store(Path(store), create=False) as s:
        names = s.campaigns()
        if not names:
            return {}
        if campaign is None:
            campaign = names[-1]
        elif campaign not in names:
            return {}
        rows = s.tier_domain_scores(campaign, tier)
    values: dict[str, list[float]] = defaultdict(list)
    for dom, score in rows:
        values[dom].append(score)
    return {d: round(statistics.median(v), 1) for d, v in values.items() if len(v) >= MIN_GROUP}
