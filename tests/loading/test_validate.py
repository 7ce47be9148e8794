"""`cyberdiag validate`: every mistake, exact messages, line numbers, exit code 1, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from cyberdiag.cli import main
from cyberdiag.loading import validate_files


def test_good_files_have_no_mistake() -> None:
    files = ["grid.yaml", "checks.yaml", "good.yaml"]
    assert validate_files([Path(f) for f in files]) == []


def test_cli_exit_code_and_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "grid.yaml", "checks.yaml", "broken.yaml"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err
    assert err.splitlines()[0] == "Erreur : 8 erreurs de validation."
    assert "  broken.yaml:14 › sauv.copie › options[oui].score" in err


def test_cli_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "grid.yaml", "checks.yaml", "good.yaml"]) == 0
    assert "OK : 3 fichiers valides." in capsys.readouterr().out
