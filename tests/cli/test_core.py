"""The one error handler, `cyberdiag init` and `cyberdiag score` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import cyberdiag.loading
from cyberdiag.cli import main
from cyberdiag.resources import data_dir


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CYBERDIAG_LANG", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)


def test_user_error_is_one_line_in_the_chosen_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--profile", "absent.yaml"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "Erreur : Profil introuvable : absent.yaml. Créez-le avec : cyberdiag init -o absent.yaml\n"
    )
    assert main(["score", "--profile", "absent.yaml", "--lang", "en"]) == 1
    assert capsys.readouterr().err.startswith("Error: Profile not found: absent.yaml.")


def test_unknown_language_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--lang", "de"]) == 1
    assert "Langue inconnue « de »" in capsys.readouterr().err
    assert main(["score", "--no-such-option"]) == 1
    assert "--no-such-option" in capsys.readouterr().err


def test_a_bug_exits_3_and_points_to_a_log(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def boom(paths: object = None) -> list[str]:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(cyberdiag.loading, "validate_files", boom)
    assert main(["validate"]) == 3
    err = capsys.readouterr().err
    assert "Erreur interne de cyberdiag" in err and "Traceback" not in err
    log = Path(err.strip().rsplit(" ", 1)[-1])
    assert log.is_relative_to(tmp_path / "state")
    text = log.read_text()
    assert "builtins.RuntimeError" in text and "in boom" in text
    assert "RuntimeError: simulated bug" not in text  # messages may quote user text: not kept


def test_init_with_options(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "init",
            "--name",
            "Ville-Exemple",
            "--insee",
            "59999",
            "--population",
            "6500",
            "--agents",
            "85",
            "--it-staff",
            "--provider",
            "Presta",
            "--domain",
            "Ville-Exemple.TEST",
            "--dkim-selector",
            "sel1",
            "--address",
            "127.0.0.1",
            "--ot",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "Strate 2" in out and "Étape suivante : cyberdiag questionnaire" in out
    data = yaml.safe_load(Path("municipality.yaml").read_text())
    assert data["domains"] == ["ville-exemple.test"] and data["has_ot"] is True
    assert oct(Path("municipality.yaml").stat().st_mode & 0o777) == "0o600"
    # an existing file is not overwritten without --force
    assert (
        main(["init", "--name", "X", "--insee", "59999", "--population", "1", "--agents", "1"]) == 1
    )
    assert "existe déjà" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--insee", "5999"], "  --insee: format invalide (attendu le motif"),
        (
            ["--domain", "pas un domaine"],
            "  --domain: nom de domaine invalide (attendu par exemple "
            "ville-exemple.fr), trouvé « pas un domaine »",
        ),
        (["--population", "-5"], "  --population: attendu une valeur ≥ 0, trouvé -5"),
    ],
)
def test_init_refuses_bad_values(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = {"--name": "X", "--insee": "59999", "--population": "10", "--agents": "1"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    assert main(["init", *[x for kv in base.items() for x in kv]]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Erreur : Profil invalide :\n")
    assert message in err
    assert "Traceback" not in err
    assert not Path("municipality.yaml").exists()


def test_score_end_to_end_with_checks_file(capsys: pytest.CaptureFixture[str]) -> None:
    ex = data_dir("examples") / "ville-exemple"
    checks = Path("checks.json")
    checks.write_text(
        json.dumps(
            {
                "kind": "checks",
                "tool_version": "t",
                "started_at": "2026-11-22T10:00:00Z",
                "results": [
                    {
                        "id": "mail.dmarc",
                        "target": "ville-exemple.test",
                        "status": "fail",
                        "message": {"fr": "pas de DMARC", "en": "no DMARC"},
                    },
                    {
                        "id": "mail.spf",
                        "target": "ville-exemple.test",
                        "status": "not_tested",
                        "message": {"fr": "délai dépassé", "en": "timeout"},
                    },
                ],
            }
        )
    )
    code = main(
        [
            "score",
            "-p",
            str(ex / "municipality.yaml"),
            "-a",
            str(ex / "answers.yaml"),
            "-c",
            str(checks),
            "-o",
            "diagnostic.json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    diag = json.loads(Path("diagnostic.json").read_text())
    assert oct(Path("diagnostic.json").stat().st_mode & 0o777) == "0o600"
    assert {c["id"] for c in diag["checks"]} == {"mail.dmarc", "mail.spf"}
    assert any(f["id"] == "mail.dmarc@ville-exemple.test" for f in diag["findings"])
    assert "Niveau global" in out and "Diagnostic écrit : diagnostic.json" in out
    # a corrupted checks file is a user error
    checks.write_text("{not json")
    assert (
        main(
            [
                "score",
                "-p",
                str(ex / "municipality.yaml"),
                "-a",
                str(ex / "answers.yaml"),
                "-c",
                str(checks),
            ]
        )
        == 1
    )
    assert "checks.json : ce n'est pas un résultat de cyberdiag check/scan" in (
        capsys.readouterr().err
    )
