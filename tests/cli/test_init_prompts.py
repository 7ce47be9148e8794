"""`cyberdiag init` asks for what its options did not give (CliRunner input)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cyberdiag.cli import main
from cyberdiag.cli.app import app


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CYBERDIAG_LANG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)


def test_init_prompts_for_what_is_missing() -> None:
    res = CliRunner().invoke(
        app,
        ["init"],
        input="Petiteville\n59001\n1 200\n12\nn\nPresta Nord\npetiteville.test\n\n\n\n",
        env={"CYBERDIAG_LANG": "fr"},
    )
    assert res.exit_code == 0, res.output
    data = yaml.safe_load(Path("municipality.yaml").read_text())
    assert data["population"] == 1200 and data["it_provider"] == "Presta Nord"
    assert data["domains"] == ["petiteville.test"] and data["it_staff"] is False
    assert "Strate 1" in res.output


def test_a_number_is_asked_again_and_the_nis2_line() -> None:
    res = CliRunner().invoke(
        app,
        ["init", "--lang", "en", "--name", "Grandeville", "--insee", "59002", "--it-staff"],
        input="deux cents mille\n200 000\n1200\nPresta\ngrandeville.test\n\n\n\n",
    )
    assert res.exit_code == 0, res.output
    assert res.output.count("A whole number is expected.") == 1
    assert yaml.safe_load(Path("municipality.yaml").read_text())["population"] == 200000
    assert "Tier 4" in res.output and "NIS2: probably an" in res.output
    assert "Next step: cyberdiag questionnaire --profile municipality.yaml" in res.output


def test_input_that_ends_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Petiteville\n"))
    assert main(["init"]) == 1
    err = capsys.readouterr().err
    assert "Saisie interrompue : « Code INSEE (5 caractères) » est demandé" in err
    assert not Path("municipality.yaml").exists()
