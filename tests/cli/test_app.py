"""cyberdiag/cli/app.py: the options every command shares, one meaning per letter across all
commands, --version, and --lang before or after the command."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import click
import pytest
import typer

from cyberdiag import __version__
from cyberdiag.cli import app, main
from cyberdiag.cli.translation import localise

# The one table of the README (« Options communes »): letter -> the long option it stands for.
LETTERS = {
    "-a": "--answers",
    "-c": "--checks",
    "-d": "--dir",
    "-f": "--format",
    "-m": "--municipalities",
    "-n": "--nameserver",
    "-o": "--output",
    "-p": "--profile",
    "-q": "--questionnaire",
    "-t": "--target",
}


def every_option() -> list[tuple[str, click.Option]]:
    """(command path, option) for every option of every command and group."""
    out: list[tuple[str, click.Option]] = []

    def walk(cmd: click.Command, path: str) -> None:
        out.extend((path, p) for p in cmd.params if isinstance(p, click.Option))
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                walk(sub, f"{path} {name}")

    root = typer.main.get_command(app)
    localise(root, "fr")
    walk(root, "cyberdiag")
    return out


def test_one_meaning_per_letter() -> None:
    meanings: dict[str, set[str]] = defaultdict(set)
    where: dict[str, set[str]] = defaultdict(set)
    for path, option in every_option():
        long = next((o for o in option.opts if o.startswith("--")), "")
        for short in (o for o in option.opts + option.secondary_opts if len(o) == 2):
            meanings[short].add(long)
            where[short].add(path)
    twice = {s: sorted(m) for s, m in meanings.items() if len(m) > 1}
    assert twice == {}, f"a letter with two meanings: {twice}"
    # Each letter means what the README's table says.
    assert {s: next(iter(m)) for s, m in meanings.items()} == LETTERS


def test_output_is_a_file_and_dir_a_folder() -> None:
    """-o names a file to write, -d a folder (Click's Path type, and the name shown)."""
    for path, option in every_option():
        if "-o" in option.opts or "-d" in option.opts:
            assert isinstance(option.type, click.Path), (path, option.opts)
            shown = option.make_metavar(click.Context(click.Command("x")))
            assert shown == ("<fichier>" if "-o" in option.opts else "<dossier>"), (path, shown)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"cyberdiag {__version__}\n"


def test_lang_before_or_after_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CYBERDIAG_LANG", raising=False)
    for args in (["--lang", "en", "score", "-p", "absent.yaml"],
                 ["score", "-p", "absent.yaml", "--lang", "en"],
                 ["--lang=en", "score", "-p", "absent.yaml"]):
        assert main(args) == 1
        assert capsys.readouterr().err.startswith("Error: Profile not found: absent.yaml.")
    assert main(["score", "-p", "absent.yaml"]) == 1  # French again: nothing kept
    assert capsys.readouterr().err.startswith("Erreur : Profil introuvable")
    assert main(["--lang", "de", "validate"]) == 1
    assert "Langue inconnue « de »" in capsys.readouterr().err
    # The command's own --lang wins over the one before it.
    assert main(["--lang", "fr", "score", "-p", "absent.yaml", "--lang", "en"]) == 1
    assert capsys.readouterr().err.startswith("Error: Profile not found")


def test_old_long_option_names_still_work(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """--out (now --dir, -d) and report --territory (now --store) are still accepted."""
    assert main(["demo", "--help"]) == 0
    assert "-d, --dir, --out <dossier>" in capsys.readouterr().out
    assert main(["report", "--help"]) == 0
    assert "--store, --territory <fichier>" in capsys.readouterr().out
    missing = tmp_path / "absent.sqlite"
    assert main(["report", str(tmp_path / "diagnostic.json"), "--territory", str(missing)]) == 1
    assert "Option inconnue" not in capsys.readouterr().err
