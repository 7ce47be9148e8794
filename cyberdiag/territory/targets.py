"""How many municipalities reach the level expected for their tier: per group, and since the
previous campaign.

Each diagnostic records its tier's target level (the grid's `tiers`); a municipality reaches it
when its overall level is at least that target. The previous campaign is split with the same
groups; in an anonymised view a previous group or a set of municipalities present in both
campaigns smaller than MIN_GROUP is not compared (None), and the renderers write every count
from 1 to MIN_GROUP − 1 « < 5 ».
"""

from __future__ import annotations

from dataclasses import dataclass

from cyberdiag.territory.anonymise import Group
from cyberdiag.territory.store import MuniRow


def reached(m: MuniRow) -> bool:
    """Whether `m` is at (or above) the level expected for its tier."""
    return m.overall_level >= m.target_level


@dataclass
class TargetRow:
    """One group (or the whole territory: group "all") now and in the previous campaign."""

    group: str
    n: int
    reached: int
    prev_n: int | None = None  # None: no previous campaign, or too few to compare
    prev_reached: int | None = None
    common: int = 0  # municipalities of the group present in both campaigns
    newly: int | None = None  # ... that reach their target now and did not before
    lost: int | None = None  # ... that reached it before and no longer do

    @property
    def share(self) -> float | None:
        return self.reached / self.n if self.n else None

    @property
    def prev_share(self) -> float | None:
        if self.prev_n is None or self.prev_reached is None or not self.prev_n:
            return None
        return self.prev_reached / self.prev_n


def target_rows(
    rows: list[MuniRow], previous: list[MuniRow] | None, groups: list[Group], min_n: int
) -> list[TargetRow]:
    """One row per group, then the territory ("all"); `previous` is the previous campaign's
    rows (None for a first campaign)."""
    out = [
        _row(g.label, [m for m in rows if m.tier in g.tiers], previous, g.tiers, min_n)
        for g in groups
    ]
    out.append(_row("all", rows, previous, None, min_n))
    return out


def _row(
    label: str,
    now: list[MuniRow],
    previous: list[MuniRow] | None,
    tiers: tuple[int, ...] | None,
    min_n: int,
) -> TargetRow:
    row = TargetRow(label, len(now), sum(1 for m in now if reached(m)))
    if previous is None:
        return row
    before = [m for m in previous if tiers is None or m.tier in tiers]
    if len(before) >= min_n:
        row.prev_n, row.prev_reached = len(before), sum(1 for m in before if reached(m))
    was = {m.insee: reached(m) for m in before}
    common = [m for m in now if m.insee in was]
    row.common = len(common)
    if len(common) >= min_n:
        row.newly = sum(1 for m in common if reached(m) and not was[m.insee])
        row.lost = sum(1 for m in common if was[m.insee] and not reached(m))
    return row
