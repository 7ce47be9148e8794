"""The command line in the chosen language: Click's and Typer's own messages, help and type names.

Click and Typer mark their messages for gettext (`gettext.gettext`, the current text domain).
When French is chosen, `activate` binds the package's catalogue (cyberdiag/locale/fr/LC_MESSAGES/
click.mo, compiled from click.po with Babel at build time) to the "click" domain and makes it
the current one; English restores the untranslated messages. `localise` then puts the command
tree itself in that language: help texts declared with `h(fr, en)` (HelpText), the names shown
for values (<fichier>, <nombre>, <texte>...) and the usage line's placeholders.
"""

from __future__ import annotations

import gettext
import inspect
import os
from pathlib import Path
from typing import Any

import click

from cyberdiag.i18n import Lang

DOMAIN = "click"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
_LANGUAGE_ENV = "LANGUAGE"  # what gettext reads first to choose a catalogue


class HelpText(str):
    """A help text in both languages; as a str it is the one of the language at import time."""

    fr: str
    en: str

    def __new__(cls, fr: str, en: str, lang: Lang) -> HelpText:
        obj = super().__new__(cls, en if lang == "en" else fr)
        obj.fr, obj.en = fr, en
        # Click keeps a cleaned copy of option help (inspect.cleandoc), a plain str: found again
        # by its text.
        _KNOWN[inspect.cleandoc(fr)] = _KNOWN[inspect.cleandoc(en)] = (fr, en)
        return obj

    def pick(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.fr


_KNOWN: dict[str, tuple[str, str]] = {}
_saved_language: list[str | None] = []


def activate(lang: Lang) -> None:
    """Click's and Typer's messages in `lang` from now on (French: the package's catalogue)."""
    if lang == "fr":
        if not _saved_language:
            _saved_language.append(os.environ.get(_LANGUAGE_ENV))
        gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
        gettext.textdomain(DOMAIN)
        os.environ[_LANGUAGE_ENV] = "fr"
    else:
        deactivate()


def deactivate() -> None:
    """Back to gettext's defaults (Click's messages untranslated), the environment as it was."""
    gettext.textdomain("messages")
    if _saved_language:
        previous = _saved_language.pop()
        if previous is None:
            os.environ.pop(_LANGUAGE_ENV, None)
        else:
            os.environ[_LANGUAGE_ENV] = previous


def catalogue_installed() -> bool:
    """Whether the compiled French catalogue is there (built by hatch_build.py or `make`)."""
    return (LOCALE_DIR / "fr" / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()


# The names shown for an option's or argument's value, by kind, in both languages.
_VALUE_NAMES: dict[str, tuple[str, str]] = {
    "file": ("<fichier>", "<file>"),
    "folder": ("<dossier>", "<folder>"),
    "path": ("<chemin>", "<path>"),
    "number": ("<nombre>", "<number>"),
    "text": ("<texte>", "<text>"),
    "yes/no": ("<oui/non>", "<yes/no>"),
}
# Arguments are named in the usage line and in messages (« Argument manquant 'DOSSIER' »).
_ARGUMENT_NAMES: dict[str, tuple[str, str]] = {
    "domains": ("DOMAINE", "DOMAIN"),
    "files": ("FICHIER", "FILE"),
    "file": ("FICHIER", "FILE"),
    "paths": ("CHEMIN", "PATH"),
    "folder": ("DOSSIER", "FOLDER"),
    "answers": ("RÉPONSES", "ANSWERS"),
    "diagnostic": ("DIAGNOSTIC", "DIAGNOSTIC"),
}


def _value_kind(param: click.Parameter) -> str:
    ptype = param.type
    if isinstance(ptype, click.Path):
        if ptype.dir_okay and not ptype.file_okay:
            return "folder"
        names = {o.lower() for o in getattr(param, "opts", [])} | {(param.name or "").lower()}
        if names & {"-d", "--dir", "--out", "folder", "directory"}:
            return "folder"
        return "file"
    if isinstance(ptype, click.types.IntParamType | click.types.FloatParamType):
        return "number"
    if isinstance(ptype, click.types.BoolParamType):
        return "yes/no"
    return "text"


def _pick(value: Any, lang: Lang) -> Any:
    if isinstance(value, HelpText):
        return value.pick(lang)
    if isinstance(value, str) and (known := _KNOWN.get(inspect.cleandoc(value))) is not None:
        return inspect.cleandoc(known[1] if lang == "en" else known[0])
    return value


def _localise_param(param: click.Parameter, lang: Lang) -> None:
    i = 1 if lang == "en" else 0
    if isinstance(param, click.Option):
        param.help = _pick(param.help, lang)
    if isinstance(param.metavar, HelpText):
        param.metavar = param.metavar.pick(lang)
        return
    if param.metavar is not None or isinstance(param.type, click.Choice):
        return
    if isinstance(param, click.Argument):
        name = (param.name or "").lower()
        word = _ARGUMENT_NAMES.get(name, _VALUE_NAMES[_value_kind(param)])[i]
        param.metavar = word + ("..." if param.nargs != 1 else "")
        if getattr(param, "help", None) is not None:
            param.help = _pick(param.help, lang)  # type: ignore[attr-defined]
        return
    param.metavar = _VALUE_NAMES[_value_kind(param)][i]


def localise(command: click.Command, lang: Lang) -> None:
    """Put a command and everything below it in `lang` (help, value names, usage line)."""
    command.help = _pick(command.help, lang)
    command.short_help = _pick(command.short_help, lang)
    command.epilog = _pick(command.epilog, lang)
    command.options_metavar = "[OPTIONS]"
    for param in command.params:
        _localise_param(param, lang)
    if isinstance(command, click.Group):
        if hasattr(command, "suggest_commands"):  # Typer's own suggestion is English only;
            command.suggest_commands = False  # Click's (translated) stays
        command.subcommand_metavar = (
            "COMMAND [ARGS]..." if lang == "en" else "COMMANDE [ARGUMENTS]..."
        )
        for sub in command.commands.values():
            localise(sub, lang)
