"""`territory status`: campaigns, coverage per tier, who answered and who did not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from territory_fixtures import (
    Muni,
    municipalities,
    sample_munis,
    tier_of,
    write_roster,
    write_sample,
)

from cyberdiag.cli import main


@pytest.fixture
def munis() -> list[Muni]:
    return sample_munis()


@pytest.fixture
def diag_dir(tmp_path: Path) -> Path:
    return write_sample(tmp_path)


def test_status_coverage_per_tier(
    tmp_path: Path, munis: list[Muni], diag_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = municipalities(34, seed=3)  # the same 30 first, plus 4 that did not answer
    assert extra[:30] == munis
    roster = write_roster(tmp_path / "communes.csv", extra, sep=";")
    store = tmp_path / "t.sqlite"
    assert main(["territory", "import", str(diag_dir), "--campaign", "2026", "--store",
                 str(store)]) == 0
    capsys.readouterr()
    assert main(["territory", "status", "--store", str(store), "-m", str(roster), "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["campaign"] == "2026"
    assert st["campaigns"] == {"2026": {"diagnostics": 30, "checked": 0}}
    for t in range(1, 5):
        known = sum(1 for m in extra if tier_of(m.population) == t)
        imported = sum(1 for m in munis if tier_of(m.population) == t)
        if known:
            assert st["coverage"][f"T{t}"] == {"known": known, "imported": imported}
    assert sorted(x["insee"] for x in st["missing"]) == sorted(m.insee for m in extra[30:])
    # The human view lists who answered and who did not.
    assert main(["territory", "status", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert munis[0].name in out and extra[31].name in out


def test_status_on_missing_store_is_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["territory", "status", "--store", str(tmp_path / "none.sqlite")]) == 1
    assert "introuvable" in capsys.readouterr().err
