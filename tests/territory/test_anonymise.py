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


# ---- anonymised territorial outputs, end to end (import → report PDF/HTML, export CSV/JSON) ---

import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from territory_fixtures import Muni, municipalities, real_diagnostic, tier_of  # noqa: E402

from cyberdiag.cli import main  # noqa: E402
from cyberdiag.models import CheckResult, Text  # noqa: E402


def _territory() -> list[Muni]:
    """13 municipalities: 7 of tier 2 and a tier-1 village (merged: "T1–T2"), 4 of tier 3
    and a city of tier 4 (merged: "T3–T4", where T3 and T4 have different target levels)."""
    ms = municipalities(80, seed=8)
    by = {t: [m for m in ms if tier_of(m.population) == t] for t in (1, 2, 3, 4)}
    return by[2][:7] + by[3][:4] + by[4][:1] + by[1][:1]


def _write(folder: Path, ms: list[Muni], *, hsts_for: Muni) -> None:
    """Real diagnostics; one municipality also fails the HSTS check on its own web site (its
    finding's title carries its domain)."""
    from cyberdiag.diagnostic import build
    from cyberdiag.loading import load_check_catalogue, load_grid, load_questionnaire
    from cyberdiag.models import AnswerFile

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(12)
    for m in ms:
        d = real_diagnostic(m, rng)
        if m == hsts_for:
            target = f"www.commune-{m.insee}.test"
            hsts = CheckResult(id="web.hsts", target=target, status="fail",
                               message=Text(fr="pas de HSTS", en="no HSTS"))  # fmt: skip
            d = build(grid=load_grid(), questionnaire=load_questionnaire("complet"),
                      profile=d.profile, answers=_answers(d), checks=[hsts],
                      catalogue=load_check_catalogue(), now=d.created_at)  # fmt: skip
        (folder / f"{m.insee}.json").write_text(d.model_dump_json(), encoding="utf-8")
    del AnswerFile


def _answers(d: object) -> object:
    from cyberdiag.models import Answer, AnswerFile, Diagnostic

    assert isinstance(d, Diagnostic)
    return AnswerFile(
        questionnaire="complet",
        answers={a.question_id: Answer(option=a.option) for a in d.answers if a.option},
    )


def _text_of(path: Path) -> str:
    if path.suffix == ".pdf":
        raw = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    else:
        raw = path.read_text(encoding="utf-8")
    return " ".join(raw.replace("\u00a0", " ").replace("\u202f", " ").split())


SMALL_COUNT = re.compile(r"(?<![\d,.])[1-4] (communes?|municipalit(y|ies))\b")


@pytest.fixture(scope="module")
def territory_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Muni]]:
    tmp = tmp_path_factory.mktemp("anon")
    ms = _territory()
    _write(tmp / "in", ms, hsts_for=ms[0])
    store = tmp / "t.sqlite"
    for campaign in ("2025", "2026"):
        assert main(["territory", "import", str(tmp / "in"), "--campaign", campaign,
                     "--store", str(store)]) == 0  # fmt: skip
    return store, ms


def test_anonymised_outputs_name_no_one_and_count_no_one(
    tmp_path: Path, territory_store: tuple[Path, list[Muni]]
) -> None:
    store, ms = territory_store
    texts = {}
    for name in ("r.pdf", "r.html", "e.csv", "e.json"):
        out = tmp_path / name
        if name.startswith("r."):
            args = ["territory", "report", "--store", str(store), "-o", str(out)]
        else:
            args = ["territory", "export", "-f", out.suffix[1:], "--store", str(store),
                    "-o", str(out)]  # fmt: skip
        assert main(args) == 0
        texts[name] = _text_of(out)
    for name, text in texts.items():
        for m in ms:
            assert m.name not in text, (name, m.name)
            assert m.insee not in text, (name, m.insee)
        assert "commune-" not in text and ".test" not in text, name  # no domain
        assert not SMALL_COUNT.search(text), (name, SMALL_COUNT.search(text))  # « 1 communes »
    report = texts["r.html"]
    assert "T3–T4" in report and "HSTS" not in report  # one municipality's gap: left out
    assert "tiré au sort pour cette campagne" in report


def test_a_merged_group_is_not_split_by_the_target_level(
    tmp_path: Path, territory_store: tuple[Path, list[Muni]]
) -> None:
    """Target levels follow the exact tier: in the anonymised export no column does, so a
    merged group ("T1–T2", "T3–T4") cannot be split back into its tiers."""
    store, _ = territory_store
    out = tmp_path / "e.csv"
    assert main(["territory", "export", "--store", str(store), "-o", str(out), "--lang", "en"]) == 0
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert "target_level" not in header and "gap" not in header and "tier" not in header
    rows = [line.split(",") for line in out.read_text(encoding="utf-8-sig").splitlines()[1:]]
    per_group: dict[str, set[str]] = {}
    for r in rows:
        per_group.setdefault(r[header.index("group")], set()).add(r[header.index("municipality")])
    assert all(len(codes) >= 5 for codes in per_group.values()), per_group
    named = tmp_path / "n.csv"
    assert main(["territory", "export", "--named", "--store", str(store), "-o", str(named)]) == 0
    assert "niveau_cible" in named.read_text(encoding="utf-8-sig").splitlines()[0]  # French


def test_code_names_are_drawn_per_campaign(
    tmp_path: Path, territory_store: tuple[Path, list[Muni]]
) -> None:
    store, _ = territory_store
    codes = {}
    for campaign in ("2025", "2026"):
        out = tmp_path / f"{campaign}.json"
        assert main(["territory", "export", "-f", "json", "--campaign", campaign, "--store",
                     str(store), "-o", str(out)]) == 0  # fmt: skip
        codes[campaign] = {r["municipality"] for r in json.loads(out.read_text())["rows"]}
    assert len(codes["2025"]) == len(codes["2026"]) == 13
    assert not codes["2025"] & codes["2026"]  # a code learned once says nothing next time
    again = tmp_path / "again.json"
    assert main(["territory", "export", "-f", "json", "--campaign", "2026", "--store", str(store),
                 "-o", str(again)]) == 0  # fmt: skip
    assert {r["municipality"] for r in json.loads(again.read_text())["rows"]} == codes["2026"]


def test_coverage_is_over_the_roster_only(
    tmp_path: Path, territory_store: tuple[Path, list[Muni]]
) -> None:
    """Two municipalities answered without being on the list, and the list gives one of them
    another tier: coverage never exceeds 100 %, the outsiders have their own line."""
    store, ms = territory_store
    import shutil

    mine = tmp_path / "t.sqlite"
    shutil.copy(store, mine)
    roster = tmp_path / "communes.csv"
    listed = ms[2:]  # ms[0] and ms[1] are not on the list
    rows = ["insee,name,domains,population"] + [
        f"{m.insee},{m.name},commune-{m.insee}.test,{m.population}" for m in listed
    ]
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["territory", "status", "-m", str(roster), "--store", str(mine)]) == 0
    out = tmp_path / "r.html"
    assert main(["territory", "report", "--store", str(mine), "-o", str(out), "--named"]) == 0
    text = _text_of(out)
    percents = [int(p) for p in re.findall(r"(\d+) %", text.split("Couverture")[-1])]
    assert percents and max(percents) <= 100
    assert "Hors de la liste des communes" in text
    from hostile_fixtures import cli

    js = subprocess.run(cli("territory", "status", "--json", "--store", str(mine)),
                        capture_output=True, text=True, check=True).stdout  # fmt: skip
    status = json.loads(js)
    assert {o["insee"] for o in status["outside"]} == {ms[0].insee, ms[1].insee}
    assert all(c["imported"] <= c["known"] for c in status["coverage"].values())


def test_named_report_shows_insee_codes(
    tmp_path: Path, territory_store: tuple[Path, list[Muni]]
) -> None:
    store, ms = territory_store
    out = tmp_path / "n.pdf"
    assert main(["territory", "report", "--named", "--store", str(store), "-o", str(out)]) == 0
    text = _text_of(out)
    assert all(m.insee in text for m in ms)


def test_every_csv_cell_is_neutralised(tmp_path: Path) -> None:
    """A municipality named like a spreadsheet formula: the named export writes it as text."""
    from territory_fixtures import make_diagnostic

    folder = tmp_path / "in"
    folder.mkdir()
    evil = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]
    rng = random.Random(4)
    for i, name in enumerate(evil):
        m = Muni(insee=f"59{i + 1:03d}", name=name, population=2000 + i)
        d = make_diagnostic(m, rng, created_at=datetime(2026, 3, 1 + i, tzinfo=UTC))
        (folder / f"{i}.json").write_text(d.model_dump_json(), encoding="utf-8")
    store = tmp_path / "t.sqlite"
    assert main(["territory", "import", str(folder), "--store", str(store)]) == 0
    for sep in ([], ["--semicolon"]):
        out = tmp_path / "e.csv"
        assert main(["territory", "export", "--named", *sep, "--store", str(store),
                     "-o", str(out)]) == 0  # fmt: skip
        import csv

        with out.open(encoding="utf-8-sig", newline="") as fh:
            cells = [c for row in csv.reader(fh, delimiter=";" if sep else ",") for c in row]
        assert cells, "empty export"
        for cell in cells:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), repr(cell)
        assert "'=cmd|' /C calc'!A0" in cells
