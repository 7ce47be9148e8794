"""A whole campaign of 90 municipalities through the CLI, as the ISD runs it.

keygen → each municipality seals its diagnostic → the ISD imports the sealed files (two of them
bad: sealed for another key, truncated) → list of municipalities and check-all → report (PDF,
HTML; anonymised and named) → exports (per domain and summary; CSV and JSON). Every anonymised
output is checked: no name, INSEE code or domain of a municipality, no count under 5 of
municipalities, no group under 5.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from campaign_fixtures import campaign_munis, run_checks, write_campaign, write_roster
from hostile_fixtures import cli, env

from cyberdiag.cli import main
from cyberdiag.sealing import PUBLIC_FILE, SECRET_FILE

SMALL_COUNT = re.compile(r"(?<![\d,.])[1-4] (communes?|municipalit(y|ies))\b")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli(*args), capture_output=True, text=True, env=env(), timeout=300)


def _text(path: Path) -> str:
    if path.suffix == ".pdf":
        raw = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    else:
        raw = path.read_text(encoding="utf-8")
    return " ".join(raw.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.fixture(scope="module")
def isd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ISD's folder after the campaign's collection (keys, store, received files)."""
    tmp = tmp_path_factory.mktemp("campagne")
    munis = campaign_munis(90)
    store = tmp / "territoire.sqlite"
    # The previous campaign (plain files, 80 municipalities), for the trend.
    write_campaign(tmp / "2025", munis[:80], seed=3, old=0, age_days=700)
    assert main(["territory", "import", str(tmp / "2025"), "--campaign", "2025",
                 "--store", str(store)]) == 0  # fmt: skip
    keys = _run("territory", "keygen", "-d", str(tmp / "cles"))
    assert keys.returncode == 0, keys.stderr
    public = tmp / "cles" / PUBLIC_FILE
    assert public.read_text(encoding="utf-8").split()[-1] in keys.stdout
    # Each municipality seals its diagnostic; they all land in the ISD's mailbox folder.
    inbox = tmp / "recus"
    inbox.mkdir()
    for path in write_campaign(tmp / "communes", munis, seed=9):
        assert main(["seal", str(path), "--to", str(public), "-o", str(inbox)]) == 0
    # Two bad files: sealed for another territory's key, and cut in the middle (mail client).
    assert _run("territory", "keygen", "-d", str(tmp / "autre")).returncode == 0
    assert main(["seal", str(tmp / "communes" / "diagnostic-59001.json"), "--to",
                 str(tmp / "autre" / PUBLIC_FILE), "-o",
                 str(inbox / "59001-autre-cle.cyberdiag.age")]) == 0  # fmt: skip
    whole = next(inbox.glob("59002-*.cyberdiag.age")).read_bytes()
    (inbox / "59002-coupe.cyberdiag.age").write_bytes(whole[: len(whole) * 2 // 3])
    imp = _run("territory", "import", str(inbox), "--identity", str(tmp / "cles" / SECRET_FILE),
               "--campaign", "2026", "--store", str(store))  # fmt: skip
    assert imp.returncode == 1, imp.stderr  # some files refused: scripts see it
    refused = [line for line in imp.stderr.splitlines() if line.startswith("Refusé")]
    assert len(refused) == 2, imp.stderr
    assert "59001-autre-cle" in refused[0] + refused[1]
    assert "59002-coupe" in refused[0] + refused[1]
    assert re.search(r"\b90 diagnostic", imp.stdout), imp.stdout
    roster = write_roster(tmp / "communes.csv", munis)
    assert _run("territory", "status", "-m", str(roster), "--store", str(store)).returncode == 0
    run_checks(roster, store)
    return tmp


def test_reports_answer_the_isd_and_name_no_one(isd: Path) -> None:
    munis = campaign_munis(90)
    store = str(isd / "territoire.sqlite")
    texts = {}
    for name, extra in (("r.pdf", []), ("r.html", []), ("n.html", ["--named"])):
        res = _run("territory", "report", "--store", store, "-o", str(isd / name), *extra)
        assert res.returncode == 0, res.stderr
        texts[name] = _text(isd / name)
    for name in ("r.pdf", "r.html"):
        text = texts[name]
        for title in (
            "Niveau attendu par strate",
            "Écarts les plus fréquents",
            "Qui fait quoi",
            "Besoins de formation par public",
            "Vérifications passives (check-all) et auto-diagnostic",
            "Diagnostics de plus de 18 mois",
            "Comparaison avec la campagne 2025",
        ):
            assert title in text, (name, title)  # fmt: skip
        _anonymous(name, text, munis)
    assert "Tableau de bord" in texts["r.html"] and "Tableau de bord" not in texts["r.pdf"]
    assert all(m.name in texts["n.html"] for m in munis)


def test_exports_are_per_group_of_five_or_more_when_anonymised(isd: Path) -> None:
    munis = campaign_munis(90)
    store = str(isd / "territoire.sqlite")
    outputs = {
        "domaines.csv": ["-f", "csv"],
        "domaines.json": ["-f", "json"],
        "synthese.csv": ["--summary"],
        "synthese.json": ["--summary", "-f", "json"],
    }
    for name, args in outputs.items():
        res = _run("territory", "export", "--store", store, "-o", str(isd / name), *args)
        assert res.returncode == 0, res.stderr
        _anonymous(name, (isd / name).read_text(encoding="utf-8"), munis)
    text = (isd / "synthese.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert [int(r["communes"]) for r in rows][-1] == 90
    assert all(int(r["communes"]) >= 5 for r in rows)
    doc = json.loads((isd / "synthese.json").read_text(encoding="utf-8"))
    assert all(r["municipalities"] >= 5 for r in doc["rows"])
    named = _run("territory", "export", "--summary", "--named", "--store", store,
                 "-o", str(isd / "n.csv"))  # fmt: skip
    assert named.returncode == 0
    assert len((isd / "n.csv").read_text(encoding="utf-8").splitlines()) == 91


def _anonymous(name: str, text: str, munis: list) -> None:  # type: ignore[type-arg]
    for m in munis:
        assert m.name not in text, (name, m.name)
        assert m.insee not in text, (name, m.insee)
    assert not re.search(r"[\w-]+\.test\b", text), name  # no domain (commune-59001.test)
    assert not SMALL_COUNT.search(text), (name, SMALL_COUNT.search(text))
