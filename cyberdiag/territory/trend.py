"""The trend since the previous campaign, over the municipalities that answered in both."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from cyberdiag.territory.anonymise import Group
from cyberdiag.territory.medians import median
from cyberdiag.territory.store import MuniRow, Store


@dataclass
class Trend:
    """Levels and medians before and after, with who improved, stayed or fell back."""

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


def trend(
    store: Store,
    campaign: str,
    rows: list[MuniRow],
    groups: list[Group],
    dom_ids: list[str],
    min_n: int,
) -> Trend | None:
    """The trend from the campaign before `campaign` (None for the first campaign). Fewer than
    `min_n` municipalities in both: only the count is given."""
    prev = store.previous_campaign(campaign)
    if prev is None:
        return None
    before = {m.insee: m for m in store.campaign_rows(prev)}
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
        return median(vals) if len(vals) >= min_n else None

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
