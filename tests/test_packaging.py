"""`pip install .` ships the data folders inside the wheel: cyberdiag works from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("cyberdiag-*.whl"))


def test_wheel_contains_the_data_folders(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "cyberdiag/_data/questionnaires/complet.yaml",
        "cyberdiag/_data/questionnaires/atelier.yaml",
        "cyberdiag/_data/questionnaires/grille.yaml",
        "cyberdiag/_data/checks/ports.yaml",
        "cyberdiag/_data/examples/ville-exemple/municipality.yaml",
        "cyberdiag/schemas/diagnostic.schema.json",
    ):
        assert expected in names, expected
    assert any(n.startswith("cyberdiag/_data/report_templates/") for n in names)
    # The French messages of the command-line parser, compiled by the build (hatch_build.py).
    assert "cyberdiag/locale/fr/LC_MESSAGES/click.mo" in names


def test_installed_package_works_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target), "CYBERDIAG_LANG": "en"}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [sys.executable, "-c", "import cyberdiag; print(cyberdiag.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(target))
    res = subprocess.run(
        [sys.executable, "-m", "cyberdiag", "validate"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("OK: ")
    # French usage errors from the installed catalogue.
    res = subprocess.run(
        [sys.executable, "-m", "cyberdiag", "score", "--nmae", "x", "--lang", "fr"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "Erreur : Option inconnue : '--nmae'." in res.stderr
