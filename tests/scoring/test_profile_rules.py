"""The tier derived from the profile, on the hand-written grid's rules (tests/core_fixtures.py)."""

from __future__ import annotations

import pytest
from core_fixtures import grid, profile

from cyberdiag.scoring import derive_tier


@pytest.mark.parametrize(
    ("population", "it_staff", "tier"),
    [
        (500, True, 1),
        (999, True, 1),
        (1000, True, 2),
        (5000, False, 1),
        (10000, True, 2),
        (10001, True, 3),
        (15000, False, 2),
        (30000, True, 3),
        (30001, False, 4),
    ],
)
def test_tier(population: int, it_staff: bool, tier: int) -> None:
    assert derive_tier(profile(population, it_staff), grid().tier_rules) == tier
