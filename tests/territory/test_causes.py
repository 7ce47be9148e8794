"""Level 0 and capped municipalities counted apart: known gaps, answers to confirm, score alone.

Ten tier-2 municipalities whose caps are chosen by hand (tests/territory_fixtures.CAUSE_TABLE),
imported into a store, read back through the territorial view, named and anonymised.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from territory_fixtures import (
    CAUSE_HELD,
    CAUSE_TABLE,
    cause_munis,
    municipalities,
    tier_of,
    write_cause_sample,
    write_diagnostics,
)

from cyberdiag.territory.aggregate import build_view
from cyberdiag.territory.anonymise import MIN_GROUP
from cyberdiag.territory.causes import CauseCounts, cap_counts, held_by
from cyberdiag.territory.importer import import_files
from cyberdiag.territory.store import open_store

# By hand from CAUSE_TABLE: level 0 — known gap: rows 1, 2; to confirm: rows 3, 4, 5; score
# alone: row 6. Capped at any level — known gap: rows 1, 2, 7; to confirm: rows 3, 4, 5, 8.
EXPECTED = CauseCounts(
    level0_gap=2, level0_unknown=3, level0_score=1, capped_gap=3, capped_unknown=4
)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    write_cause_sample(tmp_path / "in")
    path = tmp_path / "t.sqlite"
    with open_store(path) as s:
        import_files(s, [tmp_path / "in"], "2026")
    return path


def test_each_municipality_is_held_by_what_caps_it_at_its_level(store: Path) -> None:
    with open_store(store) as s:
        rows = {m.name: m for m in s.campaign_rows("2026")}
    for m, held, (_, caps) in zip(cause_munis(), CAUSE_HELD, CAUSE_TABLE, strict=True):
        row = rows[m.name]
        assert held_by(row) == held, m.name
        assert cap_counts(row) == (
            sum(1 for _, c in caps if c == "gap"),
            sum(1 for _, c in caps if c == "unknown"),
        )


@pytest.mark.parametrize("named", [True, False])
def test_view_counts_them_apart_named_and_anonymised(store: Path, named: bool) -> None:
    with open_store(store) as s:
        view = build_view(s, named=named)
    assert not view.suppressed
    assert view.overall is not None and view.overall.causes == EXPECTED
    assert view.overall.causes.level0 == view.distribution[0] == 6
    assert [(g.group, g.n, g.causes) for g in view.by_group] == [("T2", 10, EXPECTED)]


def test_small_groups_never_show_their_own_counts(tmp_path: Path) -> None:
    """Two tier-4 municipalities beside the ten: anonymised, they are only counted within a
    merged group of at least MIN_GROUP; named, they have their own row."""
    write_cause_sample(tmp_path / "in")
    big = [m for m in municipalities(300, seed=12) if tier_of(m.population) == 4][:2]
    write_diagnostics(tmp_path / "in", big, seed=3)
    path = tmp_path / "t.sqlite"
    with open_store(path) as s:
        import_files(s, [tmp_path / "in"], "2026")
        anon = build_view(s)
        named = build_view(s, named=True)
    assert all(g.n >= MIN_GROUP for g in anon.by_group)
    assert "T4" not in [g.group for g in anon.by_group]
    assert [g.group for g in named.by_group] == ["T2", "T4"]
    assert named.by_group[0].causes == EXPECTED
    # the territory's totals are the same either way
    assert anon.overall is not None and named.overall is not None
    assert anon.overall.causes == named.overall.causes


def test_a_tiny_territory_shows_no_counts_when_anonymised(tmp_path: Path) -> None:
    write_cause_sample(tmp_path / "in")
    for p in sorted((tmp_path / "in").glob("*.json"))[MIN_GROUP - 1 :]:
        p.unlink()
    path = tmp_path / "t.sqlite"
    with open_store(path) as s:
        import_files(s, [tmp_path / "in"], "2026")
        anon = build_view(s)
        named = build_view(s, named=True)
    assert anon.suppressed and anon.overall is None and anon.by_group == []
    assert named.overall is not None and named.overall.causes.level0 == MIN_GROUP - 1


def test_an_older_diagnostic_file_is_imported_with_its_causes(tmp_path: Path) -> None:
    """tests/data/diagnostic-1.0.json (schema 1.0, caps without a cause) is migrated at import:
    its four caps at level 0 are counted by the cause its answers give."""
    old = Path(__file__).parent.parent / "data" / "diagnostic-1.0.json"
    path = tmp_path / "t.sqlite"
    with open_store(path) as s:
        report = import_files(s, [old], "2026")
        assert not report.refused
        (row,) = s.campaign_rows("2026")
    assert [(c.item, c.cause) for c in row.caps] == [
        ("crit-doc", "gap"),
        ("crit-mfa", "unknown"),
        ("crit-spf", "gap"),
        ("crit-t3", "unknown"),
    ]
    assert held_by(row) == "gap" and cap_counts(row) == (2, 2)
