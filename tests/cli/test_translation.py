"""The command line in French (the default) and in English: every command's help and the parser's
usage errors, through the compiled catalogue of Click's and Typer's messages."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
import typer

from cyberdiag.cli import app, main
from cyberdiag.cli.translation import catalogue_installed

# English words of the command-line parser that must never reach a French reader.
ENGLISH = [
    "Usage", "Error", "Options:", "Arguments:", "Commands", "Show this message", "default",
    "required", "Invalid value", "Missing", "No such", "Try ", "for help", "Did you mean",
    "is not a valid", "does not exist", "Got unexpected", "Aborted", "TEXT", "INTEGER", "FLOAT",
    "PATH", "FILE", "DIRECTORY", "COMMAND", "ARGS", "RANGE", "Install completion",
    "requires an argument", "is not one of",
]
ENGLISH_RE = re.compile("|".join(
    (r"(?<!\w)" if w[0].isalnum() else "") + re.escape(w) + (r"(?!\w)" if w[-1].isalnum() else "")
    for w in ENGLISH
))


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CYBERDIAG_LANG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(tmp_path)


def command_paths() -> list[list[str]]:
    """Every command and group of the application, as the words that call it."""
    out: list[list[str]] = [[]]

    def walk(cmd: click.Command, path: list[str]) -> None:
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                out.append([*path, name])
                walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return out


def norm(text: str) -> str:
    """No-break spaces (French typography: « Options : ») read as spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def english_words(text: str) -> list[str]:
    return sorted(set(ENGLISH_RE.findall(text)))


def test_the_catalogue_is_compiled() -> None:
    assert catalogue_installed(), "make (or pip install -e .) compiles click.po to click.mo"


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "cyberdiag")
def test_every_help_in_french(path: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*path, "--help"]) == 0
    out = norm(capsys.readouterr().out)
    assert out.startswith("Utilisation : cyberdiag")
    assert "Options :" in out and "Afficher cette aide et quitter." in out
    assert english_words(out) == [], out


USAGE_ERRORS = [
    (["score", "--nmae", "x"], "Option inconnue : '--nmae'"),
    (["init", "--population", "abc"], "Valeur invalide pour '--population' : 'abc' n'est pas "
     "un nombre valide."),
    (["report"], "Argument manquant 'DIAGNOSTIC'."),
    (["questionaire"], "Commande inconnue : 'questionaire'. Vouliez-vous dire 'questionnaire' ?"),
    (["territory", "imprt"], "Commande inconnue : 'imprt'."),
    (["check", "--timeout"], "L'option '--timeout' attend une valeur."),
    (["territory", "check-all", "-m", "x.csv", "--concurrency", "0"],
     "0 n'est pas dans l'intervalle 1<=x<=64."),
    (["validate", "--lang"], "L'option '--lang' attend une valeur."),
    (["workshop", "summary"], "Argument manquant 'DOSSIER'."),
    (["lab", "status", "extra"], "Argument en trop : extra"),
]


@pytest.mark.parametrize(("args", "french"), USAGE_ERRORS, ids=lambda a: str(a))
def test_usage_errors_in_french(args: list[str], french: str,
                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 1
    err = norm(capsys.readouterr().err)
    assert french in err, err
    assert "Erreur : " in err
    assert english_words(err) == [], err


def test_english_when_asked_before_or_after_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for args in (["--lang", "en", "init", "--population", "abc"],
                 ["init", "--population", "abc", "--lang", "en"]):
        assert main(args) == 1
        err = norm(capsys.readouterr().err)
        assert "Error: Invalid value for '--population': 'abc' is not a valid integer." in err
        assert "Usage: cyberdiag init" in err
    assert main(["--lang", "en", "check", "--help"]) == 0
    out = norm(capsys.readouterr().out)
    assert "Usage: cyberdiag check [OPTIONS] [DOMAIN...]" in out
    assert "--timeout <number>" in out and "[default: 5.0]" in out
    assert "Passive DNS, e-mail and web checks" in out
    # And back to French for the next run of the same process.
    assert main(["check", "--help"]) == 0
    out = norm(capsys.readouterr().out)
    assert "--timeout <nombre>" in out and "[défaut : 5.0]" in out


def test_value_names_are_french_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--help"]) == 0
    out = norm(capsys.readouterr().out)
    assert "-p, --profile <fichier>" in out and "--lang <langue>" in out
    assert main(["territory", "check-all", "--help"]) == 0
    out = norm(capsys.readouterr().out)
    assert "--concurrency <nombre>" in out and "--rate <nombre>" in out
    assert main(["demo", "--help"]) == 0
    assert "-d, --dir, --out <dossier>" in norm(capsys.readouterr().out)


def test_user_errors_of_cyberdiag_itself_stay_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--lang", "en", "score", "--profile", "absent.yaml"]) == 1
    assert norm(capsys.readouterr().err).startswith("Error: Profile not found: absent.yaml.")
    assert main(["score", "--profile", "absent.yaml"]) == 1
    assert norm(capsys.readouterr().err).startswith("Erreur : Profil introuvable : absent.yaml.")
