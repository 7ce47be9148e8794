"""Issue 11's scenario end to end, through the CLI only: a strate-1 commune (800 inhabitants, no
IT staff, IT outsourced) describes itself with `init`, answers the questionnaire in the terminal
leaving what it cannot know to its provider, sends the provider sheet, merges the provider's
answers, scores and gets a report that shows who confirmed what and that the target is reached.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from provider_fixtures import applicable, best, fill
from typer.testing import CliRunner

from cyberdiag.cli.app import app
from cyberdiag.provider import provider_can_answer

ENV = {"CYBERDIAG_LANG": "fr", "NO_COLOR": "1", "COLUMNS": "100"}


def cli(*args: str, text: str | None = None) -> str:
    res = CliRunner().invoke(app, list(args), input=text, env=ENV)
    assert res.exit_code == 0, res.output
    return res.output


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_strate1_commune_reaches_its_target_once_its_provider_confirms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cli("init", "--name", "Petiteville", "--insee", "59998", "--population", "800",
        "--agents", "4", "--no-it-staff", "--provider", "InfoPresta",
        "--domain", "petiteville.test", "--no-website", "--no-online-services",
        "--no-own-mail-server", "--no-ot", "-o", "municipality.yaml")  # fmt: skip
    profile = Path("municipality.yaml")

    # The interview, as typed: what the provider handles is left to it (or « je ne sais pas »),
    # everything else gets its best answer.
    keys: list[str] = []
    waiting: set[str] = set()
    for q in applicable(profile):
        kinds = {o.kind: i for i, o in enumerate(q.options, start=1)}
        if provider_can_answer(q) and ("delegated" in kinds or "dont_know" in kinds):
            keys.append(str(kinds.get("delegated") or kinds["dont_know"]))
            waiting.add(q.id)
        else:
            keys.append(str(q.options.index(best(q)) + 1))
    assert waiting, "a strate-1 commune has questions only its provider can answer"
    cli("questionnaire", "-p", "municipality.yaml", "-a", "answers.yaml", "--no-comments",
        text="\n".join(keys) + "\n")  # fmt: skip
    answers = yaml.safe_load(Path("answers.yaml").read_text(encoding="utf-8"))["answers"]
    assert waiting <= set(answers)

    cli("score", "-p", "municipality.yaml", "-a", "answers.yaml", "-o", "diagnostic.json")
    before = json.loads(Path("diagnostic.json").read_text(encoding="utf-8"))["overall"]
    assert before["level"] < before["target_level"] == 2

    cli("provider", "sheet", "-p", "municipality.yaml", "-a", "answers.yaml", "-d", "presta")
    sheet = Path("presta/prestataire-59998.yaml")
    items = {i["question"] for i in yaml.safe_load(sheet.read_text(encoding="utf-8"))["items"]}
    assert items == waiting
    assert Path("presta/prestataire-59998.pdf").stat().st_size > 0
    fill(sheet)  # the provider confirms « oui » (the best answer) for every item
    out = cli("provider", "merge", str(sheet), "-a", "answers.yaml", "-p", "municipality.yaml")
    assert "InfoPresta" in out or str(len(waiting)) in out

    cli("score", "-p", "municipality.yaml", "-a", "answers.yaml", "-o", "diagnostic.json")
    diag = json.loads(Path("diagnostic.json").read_text(encoding="utf-8"))
    assert diag["overall"]["level"] >= diag["overall"]["target_level"] == 2
    confirmed = {a["question_id"] for a in diag["answers"] if a.get("source") == "provider"}
    assert confirmed == waiting

    cli("report", "diagnostic.json", "-o", "rapport.pdf")
    text = subprocess.run(
        ["pdftotext", "rapport.pdf", "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
    assert "confirmé par InfoPresta le" in flat
    level_name = next(lv["name"]["fr"] for lv in diag["levels"]
                      if lv["id"] == diag["overall"]["level"])  # fmt: skip
    assert level_name in flat
