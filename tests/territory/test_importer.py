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
    assert "30 diagnostics importés" in out
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
            "--campaign",
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
    (bad / "y.json").write_text("{")
    with open_store(tmp_path / "t.sqlite") as s:
        with pytest.raises(UserError, match="Aucun fichier"):
            import_files(s, [tmp_path / "empty"], "2027")
        rep = import_files(s, [bad], "2027")
        # x.json is JSON but no diagnostic (skipped with a note); y.json is broken (refused)
        assert len(rep.skipped) == 1 and len(rep.refused) == 1 and rep.imported == []
        assert s.campaigns() == []
        import_files(s, [diag_dir], "2026")
        assert s.campaigns() == ["2026"]


# ---- what a real territory sends: run folders, workshops, other versions, BOMs, typos --------


def _import(tmp_path: Path, *paths: Path, lang: str = "fr") -> tuple[int, str, str]:
    import subprocess

    from hostile_fixtures import cli, env

    proc = subprocess.run(
        cli("territory", "import", *map(str, paths), "--campaign", "2026", "--store",
            str(tmp_path / "t.sqlite"), "--lang", lang),
        capture_output=True, text=True, env=env(), timeout=120,
    )  # fmt: skip
    return proc.returncode, proc.stdout, proc.stderr


def test_a_run_folder_imports_its_diagnostic_and_skips_the_rest(
    tmp_path: Path, munis: list[Muni]
) -> None:
    """The folder of `cyberdiag run` holds checks.json and scan.json beside diagnostic.json:
    they are skipped with a note, not refused."""
    from cyberdiag.models import CheckRun

    run = tmp_path / "mairie" / "cyberdiag-run"
    run.mkdir(parents=True)
    diag = make_diagnostic(munis[0], random.Random(3))
    (run / "diagnostic.json").write_text(diag.model_dump_json(), encoding="utf-8")
    checks = CheckRun(tool_version="0.1.0", started_at=datetime(2026, 3, 1, tzinfo=UTC), results=[])
    (run / "checks.json").write_text(checks.model_dump_json(), encoding="utf-8")
    (run / "scan.json").write_text(checks.model_copy(update={"kind": "scan"}).model_dump_json())
    code, out, err = _import(tmp_path, tmp_path / "mairie")
    assert code == 0, err
    assert "1 diagnostic importé" in out
    assert f"Ignoré : {run / 'checks.json'} (ce n'est pas un diagnostic" in out
    assert f"Ignoré : {run / 'scan.json'}" in out
    assert err == ""


def test_a_workshop_diagnostic_is_refused(tmp_path: Path) -> None:
    """Scored from a workshop's answers it reads 100/100: it never enters the campaign."""
    import subprocess

    from hostile_fixtures import cli, env

    (tmp_path / "m.yaml").write_text(
        'name: Ville\ninsee: "59350"\npopulation: 2500\nagents: 30\n', encoding="utf-8"
    )
    (tmp_path / "a.yaml").write_text(
        "questionnaire: atelier\nanswers:\n  atelier.passwords_unique: {option: oui}\n",
        encoding="utf-8",
    )
    subprocess.run(cli("score", "-p", "m.yaml", "-a", "a.yaml", "-o", "d.json"), cwd=tmp_path,
                   env=env(), check=True, capture_output=True, timeout=120)  # fmt: skip
    code, out, err = _import(tmp_path, tmp_path / "d.json")
    assert code == 1
    assert f"Refusé : {tmp_path / 'd.json'} : diagnostic d'un atelier de sensibilisation" in err
    assert "0 diagnostic importé" in out


def test_another_questionnaire_version_is_kept_apart(
    tmp_path: Path, diag_dir: Path, munis: list[Muni]
) -> None:
    assert _import(tmp_path, diag_dir)[0] == 0
    data = json.loads(make_diagnostic(munis[0], random.Random(9)).model_dump_json())
    data["questionnaire"]["version"] = "2019.1"
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = _import(tmp_path, odd)
    assert code == 1
    assert "2019.1" in err and "pas mélangé" in err and "--campaign" in err
    assert len(err.strip().splitlines()) == 2  # the file's line, then the summary line


def test_a_bom_is_accepted_and_a_tier_contradicting_the_population_refused(
    tmp_path: Path, munis: list[Muni]
) -> None:
    rng = random.Random(5)
    folder = tmp_path / "in"
    folder.mkdir()
    bom = folder / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + make_diagnostic(munis[1], rng).model_dump_json().encode())
    big = next(m for m in munis if m.population > 30_000)
    data = json.loads(make_diagnostic(big, rng).model_dump_json())
    data["tier"] = 1  # "strate 1" for a city of tens of thousands
    lie = folder / "lie.json"
    lie.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = _import(tmp_path, folder)
    assert code == 1
    assert "1 diagnostic importé" in out
    pop = f"{big.population:,}".replace(",", "\u202f")
    assert f"strate 1 incohérente avec la population ({pop} habitants → strate 4)" in err
    assert "bom.json" not in err


def test_kept_the_newer_names_both_with_their_offsets(tmp_path: Path, munis: list[Muni]) -> None:
    from datetime import timedelta, timezone

    paris = timezone(timedelta(hours=2))
    rng = random.Random(6)
    older = make_diagnostic(munis[2], rng, created_at=datetime(2026, 4, 1, 23, 30, tzinfo=UTC))
    newer = make_diagnostic(munis[2], rng, created_at=datetime(2026, 4, 2, 8, 0, tzinfo=paris))
    (tmp_path / "older.json").write_text(older.model_dump_json(), encoding="utf-8")
    (tmp_path / "newer.json").write_text(newer.model_dump_json(), encoding="utf-8")
    code, out, _ = _import(tmp_path, tmp_path / "newer.json", tmp_path / "older.json")
    assert code == 0
    assert (
        f"{munis[2].name} (INSEE {munis[2].insee}) : deux diagnostics dans la campagne 2026 ; "
        f"conservé le plus récent : {tmp_path / 'newer.json'} (du 2026-04-02 08:00:00+02:00) ; "
        f"écarté : {tmp_path / 'older.json'} (du 2026-04-01 23:30:00+00:00)."
    ) in " ".join(out.split())
