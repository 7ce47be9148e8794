"""`territory export --summary`: one row per municipality (named) or per group of at least 5
(anonymised), in CSV for French spreadsheets (semicolon, decimal comma, BOM) and JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from campaign_fixtures import build_store, campaign_munis, read_campaign, write_campaign

from cyberdiag.cli import main


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("summary")
    build_store(tmp, 40, previous=0, checks=True)
    return tmp


def _export(campaign: Path, out: Path, *args: str) -> str:
    assert main(["territory", "export", "--summary", "--store", str(campaign / "t.sqlite"),
                 "-o", str(out), *args]) == 0  # fmt: skip
    return out.read_text(encoding="utf-8")


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def test_named_csv_one_row_per_municipality(campaign: Path, tmp_path: Path) -> None:
    diags = {d.profile.insee: d for d in read_campaign(campaign / "2026")}
    rows = _rows(_export(campaign, tmp_path / "n.csv", "--named"))
    assert len(rows) == 40 and {r["code INSEE"] for r in rows} == set(diags)
    for r in rows:
        d = diags[r["code INSEE"]]
        assert r["commune"] == d.profile.name
        assert r["niveau"] == str(d.overall.level)
        assert r["niveau attendu"] == str(d.overall.target_level)
        assert r["niveau attendu atteint"] == ("oui" if d.overall.level >= d.overall.target_level
                                               else "non")  # fmt: skip
        if d.overall.score is not None:
            assert r["score global"] == f"{d.overall.score:.1f}".replace(".", ",")
        for cap in d.overall.capped_by:
            cause = "écart connu" if cap.cause == "gap" else "à confirmer"
            assert f"{cap.label.fr} (niveau {cap.level}, {cause})" in r["plafonds (niveau, cause)"]
        assert all(f"[{f.ref}]" in r["constats"] for f in d.findings)
        for dom in d.domains:
            if dom.applicable and dom.score is not None:
                assert r[dom.name.fr] == f"{dom.score:.1f}".replace(".", ",")
        n = int(d.profile.insee)
        assert r["check-all : échecs"] == str(int(n % 2 == 0))
        assert ("mail.dmarc" in r["check-all : en échec ou avertissement"]) == (n % 2 == 0)
        assert r["check-all : date"]
    assert sum(r["plus de 18 mois"] == "oui" for r in rows) == 3


def test_named_json_and_english_headers(campaign: Path, tmp_path: Path) -> None:
    doc = json.loads(_export(campaign, tmp_path / "n.json", "--named", "-f", "json"))
    assert doc["anonymised"] is False and doc["per"] == "municipality" and len(doc["rows"]) == 40
    row = doc["rows"][0]
    assert {"insee", "caps", "findings", "domains", "checks", "reached_target"} <= set(row)
    assert all({"label", "level", "cause"} <= set(c) for c in row["caps"])
    en = _rows(_export(campaign, tmp_path / "en.csv", "--named", "--lang", "en"))
    assert "INSEE code" in en[0] and "caps (level, cause)" in en[0]


def test_anonymised_rows_are_groups_of_five_or_more(campaign: Path, tmp_path: Path) -> None:
    munis = campaign_munis(40)
    text = _export(campaign, tmp_path / "a.csv")
    rows = _rows(text)
    assert [r["groupe"] for r in rows][-1] == "Territoire"
    assert all(int(r["communes"]) >= 5 for r in rows)
    assert sum(int(r["communes"]) for r in rows[:-1]) == int(rows[-1]["communes"]) == 40
    for m in munis:
        assert m.name not in text and m.insee not in text
    assert "commune-" not in text and ".test" not in text
    counted = (
        "au niveau attendu",
        "niveaux (communes)",
        "ce qui les retient",
        "plafonds (écart connu, à confirmer)",
        "constats (communes)",
        "check-all : communes vérifiées",
        "check-all : en échec ou avertissement",
    )
    for r in rows:
        for col in counted:
            numbers = re.findall(r"(?<![\w.-])(\d+)(?![\w.])", r[col].replace("< 5", ""))
            assert all(int(n) == 0 or int(n) >= 5 for n in numbers), (col, r[col])
    doc = json.loads(_export(campaign, tmp_path / "a.json", "-f", "json"))
    assert doc["anonymised"] is True and doc["per"] == "group" and doc["min_group"] == 5
    for row in doc["rows"]:
        for n in row["levels"].values():
            assert n == 0 or n == "< 5" or n >= 5
        assert all(f["municipalities"] >= 5 for f in row["findings"])


def test_anonymised_summary_of_fewer_than_five_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_campaign(tmp_path / "in", campaign_munis(4))
    store = tmp_path / "t.sqlite"
    assert main(["territory", "import", str(tmp_path / "in"), "--store", str(store)]) == 0
    out = tmp_path / "a.csv"
    assert main(["territory", "export", "--summary", "--store", str(store), "-o", str(out)]) == 1
    assert "Moins de 5 communes" in capsys.readouterr().err and not out.exists()
    assert main(["territory", "export", "--summary", "--named", "--store", str(store),
                 "-o", str(out)]) == 0  # fmt: skip


def test_every_summary_cell_is_neutralised(tmp_path: Path) -> None:
    """A municipality named like a spreadsheet formula: the named summary writes it as text."""
    import random
    from datetime import UTC, datetime

    from territory_fixtures import Muni, make_diagnostic

    folder = tmp_path / "in"
    folder.mkdir()
    rng = random.Random(4)
    for i, name in enumerate(["=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)", "-2+3", "Normale"]):
        m = Muni(insee=f"59{i + 1:03d}", name=name, population=2000 + i)
        d = make_diagnostic(m, rng, created_at=datetime(2026, 3, 1 + i, tzinfo=UTC))
        (folder / f"{i}.json").write_text(d.model_dump_json(), encoding="utf-8")
    store = tmp_path / "t.sqlite"
    assert main(["territory", "import", str(folder), "--store", str(store)]) == 0
    out = tmp_path / "n.csv"
    assert main(["territory", "export", "--summary", "--named", "--store", str(store),
                 "-o", str(out)]) == 0  # fmt: skip
    cells = [c for r in csv.reader(io.StringIO(out.read_text(encoding="utf-8")[1:]),
                                   delimiter=";") for c in r]  # fmt: skip
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'=cmd|' /C calc'!A0" in cells
