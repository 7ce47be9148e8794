"""Anonymisation: tier groups never smaller than MIN_GROUP, keyed code names."""

from __future__ import annotations

from cyberdiag.territory.anonymise import code_names, tier_groups


def test_tier_groups_merge_small_tiers() -> None:
    assert [g.label for g in tier_groups({1: 20, 2: 50, 3: 10, 4: 6})] == ["T1", "T2", "T3", "T4"]
    assert [g.label for g in tier_groups({1: 20, 2: 50, 3: 10, 4: 2})] == ["T1", "T2", "T3–T4"]
    assert [g.label for g in tier_groups({1: 3, 2: 50, 3: 1, 4: 2})] == ["T1–T4"]
    assert [g.label for g in tier_groups({1: 6, 2: 50, 3: 1, 4: 4})] == ["T1", "T2", "T3–T4"]
    assert [g.label for g in tier_groups({1: 2, 2: 50, 3: 9, 4: 0})] == ["T1–T2", "T3"]
    assert [g.label for g in tier_groups({2: 3})] == ["T2"]  # callers suppress it


def test_code_names_stable_unique_and_keyed() -> None:
    insees = [f"59{i:03d}" for i in range(1, 200)]
    a = code_names(insees, "salt-1")
    assert len(set(a.values())) == len(insees)
    assert a == code_names(reversed(insees), "salt-1")
    b = code_names(insees, "salt-2")
    assert sum(a[i] == b[i] for i in insees) < 5
