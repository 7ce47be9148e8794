"""`score --seal-to` and `run --seal-to`: the diagnostic is written and sealed in one go.

The example municipality's profile and answers (examples/ville-exemple), the territory's keys
from `territory keygen`; a wrong key is refused before any work is done.
"""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
import yaml

from cyberdiag.answering import applicable_questions
from cyberdiag.cli import main
from cyberdiag.loading import load_grid, load_profile, load_questionnaire
from cyberdiag.resources import data_dir
from cyberdiag.sealing import PUBLIC_FILE, SECRET_FILE, open_sealed, read_identities


@pytest.fixture
def commune(tmp_path: Path) -> Path:
    """A folder with the example municipality's profile and answers, and the ISD's keys."""
    folder = tmp_path / "mairie"
    folder.mkdir()
    for name in ("municipality.yaml", "answers.yaml"):
        shutil.copy(data_dir("examples") / "ville-exemple" / name, folder / name)
    _complete(folder / "answers.yaml", folder / "municipality.yaml")
    assert main(["territory", "keygen", "-d", str(tmp_path / "isd")]) == 0
    return folder


def _complete(answers: Path, profile: Path) -> None:
    """Answer every applicable question the example leaves open (its first option), so that
    `run` has nothing to ask."""
    grid = load_grid()
    questions = applicable_questions(
        load_questionnaire("complet"),
        load_profile(profile),
        grid.tier_rules,
        {d.id: d.condition for d in grid.domains},
    )
    data = yaml.safe_load(answers.read_text(encoding="utf-8"))
    for q in questions:
        data["answers"].setdefault(q.id, {"option": q.options[0].id})
    answers.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_score_seal_to_writes_the_diagnostic_and_its_sealed_copy(
    commune: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    isd = commune.parent / "isd"
    out = commune / "diagnostic.json"
    capsys.readouterr()
    assert main(["score", "-p", str(commune / "municipality.yaml"), "-a",
                 str(commune / "answers.yaml"), "-o", str(out),
                 "--seal-to", str(isd / PUBLIC_FILE)]) == 0  # fmt: skip
    sealed = list(commune.glob("59999-*.cyberdiag.age"))
    assert len(sealed) == 1 and str(sealed[0]) in capsys.readouterr().out
    assert stat.S_IMODE(sealed[0].stat().st_mode) == 0o600
    assert open_sealed(sealed[0], read_identities(isd / SECRET_FILE)) == out.read_bytes()


def test_a_wrong_key_is_refused_before_scoring(
    commune: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = commune / "diagnostic.json"
    assert main(["score", "-p", str(commune / "municipality.yaml"), "-a",
                 str(commune / "answers.yaml"), "-o", str(out),
                 "--seal-to", str(commune.parent / "isd" / SECRET_FILE)]) == 1  # fmt: skip
    assert "SECRÈTE" in capsys.readouterr().err
    assert not out.exists()  # nothing done
    assert main(["run", "-p", str(commune / "municipality.yaml"), "--seal-to", "age1faux",
                 "--out", str(commune / "diag")]) == 1  # fmt: skip
    assert "clé publique invalide" in capsys.readouterr().err
    assert not (commune / "diag").exists()


def test_run_seal_to_seals_the_run_diagnostic(
    commune: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    isd = commune.parent / "isd"
    out = commune / "resultats"
    # No DNS server answers on this port: the checks are "not tested", the run completes.
    code = main(["run", "-p", str(commune / "municipality.yaml"),
                 "-a", str(commune / "answers.yaml"), "-n", "127.0.0.1:9", "--timeout", "0.3",
                 "--no-scan", "--out", str(out), "--seal-to", str(isd / PUBLIC_FILE)])  # fmt: skip
    assert code == 0, capsys.readouterr()
    sealed = list(out.glob("59999-*.cyberdiag.age"))
    assert len(sealed) == 1
    diag = out / "diagnostic.json"
    assert open_sealed(sealed[0], read_identities(isd / SECRET_FILE)) == diag.read_bytes()
