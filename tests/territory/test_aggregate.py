"""The territorial view: distribution, medians per tier, trend since the previous campaign."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime
from pathlib import Path

import pytest
from territory_fixtures import make_diagnostic, municipalities, read_diagnostic, write_diagnostics

from cyberdiag.territory import medians_for
from cyberdiag.territory.aggregate import build_view
from cyberdiag.territory.anonymise import MIN_GROUP
from cyberdiag.territory.importer import import_files
from cyberdiag.territory.store import open_store


def test_medians_and_distribution_match_the_diagnostics(tmp_path: Path) -> None:
    ms = municipalities(60, seed=21)
    paths = write_diagnostics(tmp_path / "in", ms, seed=4)
    diags = [read_diagnostic(p) for p in paths]
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        import_files(s, [tmp_path / "in"], "2026")
        view = build_view(s)
    assert view.n == 60
    assert view.distribution == {
        lv: sum(1 for d in diags if d.overall.level == lv)
        for lv in {d.overall.level for d in diags}
    }
    for tier in range(1, 5):
        in_tier = [d for d in diags if d.tier == tier]
        got = medians_for(store, tier)
        for dom in ("gouvernance", "sauvegardes", "equipements"):
            vals = [
                ds.score
                for d in in_tier
                for ds in d.domains
                if ds.id == dom and ds.applicable and ds.score is not None
            ]
            if len(vals) >= MIN_GROUP:
                assert got[dom] == pytest.approx(statistics.median(vals), abs=0.05)
            else:
                assert dom not in got
    assert medians_for(tmp_path / "absent.sqlite", 2) == {}
    assert medians_for(store, 2, campaign="1999") == {}


def test_trend_since_previous_campaign(tmp_path: Path) -> None:
    ms = municipalities(40, seed=5)
    rng = random.Random(3)
    store = tmp_path / "t.sqlite"
    before, after = tmp_path / "2025", tmp_path / "2026"
    before.mkdir()
    after.mkdir()
    levels: dict[str, tuple[int, int]] = {}
    for m in ms:
        a = make_diagnostic(m, rng, created_at=datetime(2025, 3, 1, tzinfo=UTC), quality=0.3)
        b = make_diagnostic(m, rng, created_at=datetime(2026, 3, 1, tzinfo=UTC), quality=0.7)
        (before / f"{m.insee}.json").write_text(a.model_dump_json())
        (after / f"{m.insee}.json").write_text(b.model_dump_json())
        levels[m.insee] = (a.overall.level, b.overall.level)
    with open_store(store) as s:
        import_files(s, [after], "2026")  # imported first, but it is the later campaign
        import_files(s, [before], "2025")
        assert s.campaigns() == ["2025", "2026"]
        view = build_view(s)
    assert view.campaign == "2026" and view.trend is not None
    t = view.trend
    assert t.previous == "2025" and t.n_common == 40
    assert t.improved == sum(1 for a, b in levels.values() if b > a)
    assert t.worse == sum(1 for a, b in levels.values() if b < a)
    assert t.overall_median_after is not None and t.overall_median_before is not None
    assert t.overall_median_after > t.overall_median_before
