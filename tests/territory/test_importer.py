"""Import of diagnostic.json files: normalised tables, duplicates, refused files."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from territory_fixtures import Muni, make_diagnostic, read_diagnostic, sample_munis, write_sample

from cyberdiag.cli import main
from cyberdiag.errors import UserError
from cyberdiag.models import Diagnostic
from cyberdiag.territory.importer import import_files
from cyberdiag.territory.store import open_store


@pytest.fixture
def munis() -> list[Muni]:
    return sample_munis()


@pytest.fixture
def diag_dir(tmp_path: Path) -> Path:
    return write_sample(tmp_path)


def test_import_good_files_fills_normalised_tables(tmp_path: Path, diag_dir: Path) -> None:
    with open_store(tmp_path / "t.sqlite") as s:
        rep = import_files(s, [diag_dir], "2026")
        assert len(rep.imported) == 30 and not rep.refused and not rep.superseded
        c = s.conn
        one = read_diagnostic(diag_dir / "diagnostic-59004.json")
        row = c.execute(
            "SELECT name, tier, overall_level, overall_score, json FROM diagnostics "
            "WHERE insee='59004'"
        ).fetchone()
        assert row[:4] == (one.profile.name, one.tier, one.overall.level, one.overall.score)
        assert Diagnostic.model_validate_json(row[4]) == one
        n_dom = c.execute(
            "SELECT COUNT(*) FROM domain_scores s JOIN diagnostics d ON d.id=s.diagnostic_id "
            "WHERE d.insee='59004'"
        ).fetchone()[0]
        assert n_dom == len(one.domains)
        refs = sorted(
            r[0]
            for r in c.execute(
                "SELECT f.ref FROM findings f JOIN diagnostics d ON d.id=f.diagnostic_id "
                "WHERE d.insee='59004'"
            )
        )
        assert refs == sorted(f.ref for f in one.findings)
        caps = c.execute(
            "SELECT COUNT(*) FROM caps c JOIN diagnostics d ON d.id=c.diagnostic_id "
            "WHERE d.insee='59004'"
        ).fetchone()[0]
        assert caps == len(one.overall.capped_by)


def test_duplicate_keeps_newer_and_says_so(tmp_path: Path, munis: list[Muni]) -> None:
    rng = random.Random(1)
    m = munis[0]
    old = make_diagnostic(m, rng, created_at=datetime(2026, 2, 1, tzinfo=UTC))
    new = make_diagnostic(m, rng, created_at=datetime(2026, 3, 1, tzinfo=UTC))
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "old.json").write_text(old.model_dump_json())
    (tmp_path / "a" / "new.json").write_text(new.model_dump_json())
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        rep = import_files(s, [tmp_path / "a"], "2026")
        assert len(rep.imported) == 1 and len(rep.superseded) == 1
        sup = rep.superseded[0]
        assert sup.kept.endswith("new.json") and sup.dropped.endswith("old.json")
        # Importing the older one again later does not replace the newer one.
        rep2 = import_files(s, [tmp_path / "a" / "old.json"], "2026")
        assert rep2.imported == [] and rep2.superseded[0].kept == "(base)"
        created = s.conn.execute("SELECT created_at FROM diagnostics").fetchall()
        assert created == [(new.created_at.isoformat(),)]
        # The same diagnostic in another campaign is a separate record.
        import_files(s, [tmp_path / "a" / "old.json"], "2025")
        assert s.conn.execute("SELECT COUNT(*) FROM diagnostics").fetchone()[0] == 2


def test_import_cli_refuses_corrupted_and_future_but_imports_good(
    tmp_path: Path, diag_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = sorted(diag_dir.glob("*.json"))
    truncated = diag_dir / "truncated.json"
    truncated.write_text(good[0].read_text()[:500])
    future = diag_dir / "future.json"
    data = json.loads(good[1].read_text())
    data["schema_version"] = "9.0"
    future.write_text(json.dumps(data))
    invalid = diag_dir / "invalid.json"
    data = json.loads(good[2].read_text())
    data["overall"]["level"] = "high"
    invalid.write_text(json.dumps(data))
    store = tmp_path / "t.sqlite"
    code = main(["territory", "import", str(diag_dir), "--campaign", "2026", "--store", str(store)])
    out, err = capsys.readouterr()
    assert code == 1
    for name in ("truncated.json", "future.json", "invalid.json"):
        assert name in err
    assert "9.0" in err and "JSON" in err
    assert "30 diagnostic(s) importé(s)" in out
    with open_store(store) as s:
        assert s.conn.execute("SELECT COUNT(*) FROM diagnostics").fetchone()[0] == 30


def test_import_cli_duplicate_message_english(
    tmp_path: Path, munis: list[Muni], capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(2)
    for i, day in enumerate((1, 9)):
        d = make_diagnostic(munis[3], rng, created_at=datetime(2026, 1, day, tzinfo=UTC))
        (tmp_path / f"d{i}.json").write_text(d.model_dump_json())
    code = main(
        [
            "territory",
            "import",
            str(tmp_path / "d0.json"),
            str(tmp_path / "d1.json"),
            "-c",
            "2026",
            "--store",
            str(tmp_path / "t.sqlite"),
            "--lang",
            "en",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert munis[3].name in out and "kept the newer" in out and "d0.json" in out


def test_import_missing_path_is_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["territory", "import", str(tmp_path / "nope"), "--store", str(tmp_path / "t.sqlite")]
    )
    assert code == 1
    assert "nope" in capsys.readouterr().err


def test_import_of_nothing_creates_no_campaign(tmp_path: Path, diag_dir: Path) -> None:
    (tmp_path / "empty").mkdir()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.json").write_text("{}")
    with open_store(tmp_path / "t.sqlite") as s:
        with pytest.raises(UserError, match="Aucun fichier"):
            import_files(s, [tmp_path / "empty"], "2027")
        rep = import_files(s, [bad], "2027")
        assert len(rep.refused) == 1 and rep.imported == []
        assert s.campaigns() == []
        import_files(s, [diag_dir], "2026")
        assert s.campaigns() == ["2026"]
