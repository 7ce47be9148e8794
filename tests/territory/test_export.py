"""Export as CSV (spreadsheet friendly) and JSON, anonymised by default."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest
from territory_fixtures import Muni, read_diagnostic, sample_munis, write_sample

from cyberdiag.cli import main
from cyberdiag.territory.importer import import_files
from cyberdiag.territory.store import open_store


@pytest.fixture
def munis() -> list[Muni]:
    return sample_munis()


@pytest.fixture
def diag_dir(tmp_path: Path) -> Path:
    return write_sample(tmp_path)


def test_export_csv_opens_cleanly(tmp_path: Path, diag_dir: Path, munis: list[Muni]) -> None:
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        import_files(s, [diag_dir], "2026")
    diags = [read_diagnostic(p) for p in sorted(diag_dir.glob("*.json"))]
    n_rows = sum(1 for d in diags for ds in d.domains if ds.applicable)
    out = tmp_path / "e.csv"
    assert main(["territory", "export", "--store", str(store), "-o", str(out), "--lang", "en"]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == n_rows
    assert "insee" not in rows[0] and rows[0]["municipality"].startswith("C-")
    text = raw.decode("utf-8-sig")
    assert not any(m.name in text for m in munis)
    assert any("." in r["score"] for r in rows)
    # French spreadsheets: semicolons and decimal commas.
    out2 = tmp_path / "e2.csv"
    assert (
        main(
            [
                "territory",
                "export",
                "--store",
                str(store),
                "-o",
                str(out2),
                "--semicolon",
                "--named",
                "--lang",
                "en",
            ]
        )
        == 0
    )
    text2 = out2.read_bytes().decode("utf-8-sig")
    rows2 = list(csv.DictReader(io.StringIO(text2), delimiter=";"))
    assert len(rows2) == n_rows
    by_key = {(r["insee"], r["domain"]): r for r in rows2}
    d0 = diags[0]
    ds = next(x for x in d0.domains if x.score is not None and x.score != int(x.score))
    assert by_key[(d0.profile.insee, ds.id)]["score"] == f"{ds.score:.1f}".replace(".", ",")
    assert by_key[(d0.profile.insee, ds.id)]["municipality"] == d0.profile.name


def test_export_json(tmp_path: Path, diag_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        import_files(s, [diag_dir], "2026")
    capsys.readouterr()
    assert main(["territory", "export", "--store", str(store), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["anonymised"] is True and data["campaign"] == "2026"
    assert {"municipality", "group", "domain", "score", "level"} <= set(data["rows"][0])
    assert main(["territory", "export", "--store", str(store), "--format", "xls"]) == 1


@pytest.mark.parametrize("named", [True, False])
def test_export_says_what_holds_each_municipality(tmp_path: Path, named: bool) -> None:
    """Hand-chosen caps (territory_fixtures.CAUSE_TABLE): each row says whether a known gap,
    answers to confirm or the score alone hold the municipality, with its caps by cause."""
    from territory_fixtures import CAUSE_HELD, CAUSE_TABLE, write_cause_sample

    munis = write_cause_sample(tmp_path / "in")
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        import_files(s, [tmp_path / "in"], "2026")
    out = tmp_path / "e.csv"
    args = ["territory", "export", "--store", str(store), "-o", str(out), "--lang", "en"]
    assert main(args + (["--named"] if named else [])) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert {"held_by", "caps_gap", "caps_unknown"} <= set(rows[0])
    per_muni = {r["municipality"]: (r["held_by"], r["caps_gap"], r["caps_unknown"]) for r in rows}
    assert len(per_muni) == 10
    expected = [
        (held, str(sum(c == "gap" for _, c in caps)), str(sum(c == "unknown" for _, c in caps)))
        for held, (_, caps) in zip(CAUSE_HELD, CAUSE_TABLE, strict=True)
    ]
    if named:
        assert [per_muni[m.name] for m in munis] == expected
    else:  # code names: the same values, in another order, and no name
        assert sorted(per_muni.values()) == sorted(expected)
        assert all(k.startswith("C-") for k in per_muni)
    # counted apart, as the report does: level 0 known gap 2, to confirm 3, score alone 1
    level0 = {r["municipality"]: r["held_by"] for r in rows if r["overall_level"] == "0"}
    assert sorted(level0.values()) == ["gap", "gap", "score", "unknown", "unknown", "unknown"]


def test_csv_in_the_chosen_language(tmp_path: Path, diag_dir: Path) -> None:
    """French by default: column names and words a spreadsheet reader understands; English
    with --lang en. (The JSON export, for programs, keeps its field names.)"""
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        import_files(s, [diag_dir], "2026")
    for lang, first, held in (("fr", "campagne,commune,groupe,domaine", {"écart", "à confirmer",
                                                                          "score"}),
                              ("en", "campaign,municipality,group,domain", {"gap", "unknown",
                                                                            "score"})):
        out = tmp_path / f"{lang}.csv"
        assert main(["territory", "export", "--store", str(store), "-o", str(out),
                     "--lang", lang]) == 0
        text = out.read_text(encoding="utf-8-sig")
        assert text.startswith(first)
        column = "retenu_par" if lang == "fr" else "held_by"
        values = {r[column] for r in csv.DictReader(io.StringIO(text))}
        assert values and values <= held
