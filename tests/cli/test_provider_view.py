"""`cyberdiag questionnaire --provider FILE` driven through its real prompts (CliRunner input)."""

from __future__ import annotations

import io
import stat
import sys
from datetime import date
from pathlib import Path

import pytest
from provider_fixtures import load_yaml, waiting_answers, write_profile
from typer.testing import CliRunner

from cyberdiag.cli import main
from cyberdiag.cli.app import app
from cyberdiag.loading import load_questionnaire
from cyberdiag.loading.provider import provider_options


@pytest.fixture
def provider_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    waiting_answers(write_profile(tmp_path), tmp_path / "answers.yaml")
    assert main(["provider", "sheet", "-d", "out", "--lang", "fr"]) == 0
    return tmp_path / "out" / "prestataire-59998.yaml"


def invoke(path: Path, text: str, *extra: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        app,
        ["questionnaire", "--provider", str(path), *extra],
        input=text,
        env={"CYBERDIAG_LANG": "fr", "NO_COLOR": "1", "COLUMNS": "100"},
    )


def test_provider_answers_in_the_terminal_then_resumes(provider_file: Path) -> None:
    items = load_yaml(provider_file)["items"]
    by_id = {q.id: q for q in load_questionnaire("complet").questions}
    first = provider_options(by_id[items[0]["question"]])
    # The name once, then: option 1 with its evidence, "?" then option 2 without, then stop.
    res = invoke(provider_file, "InfoPresta\n1\nexport de la console MFA\n?\n2\n\nq\n")
    assert res.exit_code == 0, res.output
    assert "Nom du prestataire" in res.output
    assert "gardé comme preuve" in res.output
    assert "Pourquoi c'est important" in res.output
    # Only the options a provider may give are offered.
    assert "Je ne sais pas" not in res.output and "s’en charge" not in res.output
    assert stat.S_IMODE(provider_file.stat().st_mode) == 0o600
    data = load_yaml(provider_file)
    assert data["provider"] == "InfoPresta"
    done = data["items"][:2]
    assert done[0]["option"] == first[0].id
    assert done[0]["evidence"] == "export de la console MFA"
    assert done[0]["confirmed_on"] == date.today().isoformat()
    assert done[1]["option"] == provider_options(by_id[items[1]["question"]])[1].id
    assert done[1]["evidence"] is None
    assert all(item["option"] is None for item in data["items"][2:])
    # Resumed: the name is not asked again, the answered items are not asked again.
    rest = len(items) - 2
    res = invoke(provider_file, "1\n\n" * rest)
    assert res.exit_code == 0, res.output
    assert "Nom du prestataire" not in res.output
    assert f"Reprise : 2 réponses déjà enregistrées sur {len(items)}." in res.output
    assert f"Terminé : {len(items)}/{len(items)}" in res.output
    data = load_yaml(provider_file)
    assert all(item["option"] for item in data["items"])
    # The commune merges what the provider answered in the terminal.
    assert main(["provider", "merge", str(provider_file)]) == 0
    saved = load_yaml(Path("answers.yaml"))["answers"]
    assert saved[items[0]["question"]]["evidence"] == "export de la console MFA"
    assert saved[items[0]["question"]]["confirmed_by"] == "InfoPresta"


def test_a_file_for_another_version_is_refused_before_any_question(provider_file: Path) -> None:
    text = provider_file.read_text(encoding="utf-8")
    version = load_questionnaire("complet").version
    provider_file.write_text(text.replace(f"'{version}'", "'2020.1'"), encoding="utf-8")
    res = invoke(provider_file, "InfoPresta\n")
    assert res.exit_code == 1
    assert "Nom du prestataire" not in res.output


def test_end_of_input_keeps_answers_and_exits_130(
    provider_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("InfoPresta\n1\n\n"))
    assert main(["questionnaire", "--provider", str(provider_file), "--lang", "fr"]) == 130
    err = capsys.readouterr().err
    assert "1/" in err and "relancez la même commande pour reprendre" in err
    data = load_yaml(provider_file)
    assert data["provider"] == "InfoPresta" and data["items"][0]["option"]
    assert all(item["option"] is None for item in data["items"][1:])
