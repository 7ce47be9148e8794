"""How many municipalities reach the level expected for their tier, and since the last campaign.

The expected figures are computed here from the diagnostic files themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from campaign_fixtures import build_store, read_campaign

from cyberdiag.cli import main
from cyberdiag.territory.aggregate import build_view
from cyberdiag.territory.store import open_store


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("targets")
    build_store(tmp, 40, previous=30, checks=False)
    return tmp


def _reached(folder: Path) -> dict[str, tuple[int, bool]]:
    return {
        d.profile.insee: (d.tier, d.overall.level >= d.overall.target_level)
        for d in read_campaign(folder)
    }


def test_named_view_counts_who_reaches_its_target_per_tier_and_since_2025(campaign: Path) -> None:
    now, before = _reached(campaign / "2026"), _reached(campaign / "2025")
    with open_store(campaign / "t.sqlite", create=False) as s:
        view = build_view(s, "2026", named=True)
    assert view.insights is not None
    rows = {r.group: r for r in view.insights.targets}
    assert view.insights.previous == "2025"
    for tier in (1, 2, 3, 4):
        mine = [i for i, (t, _) in now.items() if t == tier]
        if not mine:
            continue
        r = rows[f"T{tier}"]
        assert (r.n, r.reached) == (len(mine), sum(now[i][1] for i in mine))
    total = rows["all"]
    assert (total.n, total.reached) == (40, sum(ok for _, ok in now.values()))
    assert (total.prev_n, total.prev_reached) == (30, sum(ok for _, ok in before.values()))
    common = set(now) & set(before)
    assert total.common == len(common) == 30
    assert total.newly == sum(now[i][1] and not before[i][1] for i in common)
    assert total.lost == sum(before[i][1] and not now[i][1] for i in common)


def test_anonymised_view_compares_no_group_under_five(campaign: Path) -> None:
    with open_store(campaign / "t.sqlite", create=False) as s:
        view = build_view(s, "2026")
    assert view.insights is not None
    for r in view.insights.targets:
        assert r.n >= 5
        assert r.prev_n is None or r.prev_n >= 5
        assert (r.newly is None) == (r.common < 5)


def test_report_says_how_many_reach_the_expected_level(campaign: Path, tmp_path: Path) -> None:
    now = _reached(campaign / "2026")
    out = tmp_path / "r.html"
    assert main(["territory", "report", "--store", str(campaign / "t.sqlite"), "-o", str(out)]) == 0
    text = " ".join(out.read_text(encoding="utf-8").replace("\u00a0", " ").split())
    assert "Niveau attendu par strate" in text
    reached = sum(ok for _, ok in now.values())
    shown = str(reached) if reached == 0 or reached >= 5 else "&lt; 5"
    assert f"<b>{shown} sur 40</b>" in text
    assert "Comparaison avec la campagne 2025" in text
