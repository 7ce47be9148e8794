"""What holds each municipality at its level: known gaps, answers to confirm, or the score alone.

A municipality is held by a known gap when at least one critical item capping it at its level is
known to be missing or partial (its answer says so, or a check fails or warns); it is "to be
confirmed" when every cap at its level comes from an answer not known yet (« je ne sais pas », no
answer, or delegated to the provider without its confirmation) — confirming those answers could
lift it. With no cap at its level, the score alone sets it. The counts are shown by group, so the
anonymisation rule of the groups (anonymise.MIN_GROUP) applies to them as to the distribution.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from cyberdiag.territory.store import MuniRow

Held = Literal["gap", "unknown", "score"]


def held_by(m: MuniRow) -> Held:
    """Why `m` is at its level: "gap", "unknown" (to be confirmed) or "score" (no cap there)."""
    at_level = [c for c in m.caps if c.level == m.overall_level]
    if not at_level:
        return "score"
    return "gap" if any(c.cause == "gap" for c in at_level) else "unknown"


def cap_counts(m: MuniRow) -> tuple[int, int]:
    """(known gaps, answers to confirm) among the caps `m` records, as in its own summary."""
    gaps = sum(1 for c in m.caps if c.cause == "gap")
    return gaps, len(m.caps) - gaps


@dataclass(frozen=True)
class CauseCounts:
    """Municipalities of a group at level 0, and capped at any level, by what holds them."""

    level0_gap: int = 0
    level0_unknown: int = 0
    level0_score: int = 0
    capped_gap: int = 0
    capped_unknown: int = 0

    @property
    def level0(self) -> int:
        return self.level0_gap + self.level0_unknown + self.level0_score


def cause_counts(rows: Iterable[MuniRow]) -> CauseCounts:
    """The counts over `rows` (callers show them only for a publishable group)."""
    n = {
        "level0_gap": 0,
        "level0_unknown": 0,
        "level0_score": 0,
        "capped_gap": 0,
        "capped_unknown": 0,
    }
    for m in rows:
        held = held_by(m)
        if m.overall_level == 0:
            n[f"level0_{held}"] += 1
        if held != "score":
            n[f"capped_{held}"] += 1
    return CauseCounts(**n)
