"""The Typer application object and the options shared by every command.

Only typer and the standard library are imported here: `cyberdiag --help` must stay fast. Each
command module imports its heavy dependencies (WeasyPrint, nmap, dnspython...) inside the command.
Help texts follow CYBERDIAG_LANG (French by default) because they are built at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import click
import typer

from cyberdiag.cli.translation import HelpText
from cyberdiag.i18n import default_lang, set_lang

_LANG = default_lang()


def h(fr: str, en: str) -> str:
    """A help text in both languages: read in the default language (CYBERDIAG_LANG, French
    unless 'en'), put in the chosen one (--lang) by cli/translation.py before the command line
    is read."""
    return HelpText(fr, en, _LANG)


app = typer.Typer(
    name="cyberdiag",
    help=h(
        "Diagnostic de cybersécurité des communes : questionnaire, vérifications passives DNS, "
        "messagerie et web, scan d'exposition (sur autorisation), score selon la grille "
        "territoriale, rapport PDF et suivi territorial.\n\n"
        "Démarrage rapide : cyberdiag demo   —   Auto-diagnostic : cyberdiag run --profile "
        "municipality.yaml",
        "Cybersecurity self-diagnostic for municipalities: questionnaire, passive DNS, e-mail "
        "and web checks, exposure scan (with authorisation), scoring against the territorial "
        "grid, PDF report and territorial follow-up.\n\n"
        "Quick start: cyberdiag demo   —   Self-audit: cyberdiag run --profile municipality.yaml",
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help=h(
            "Langue : fr (défaut) ou en ; avant ou après la commande.",
            "Language: fr (default) or en; before or after the command.",
        ),
        metavar=h("<langue>", "<language>"),
        show_default=False,
    ),
]
ProfileOpt = Annotated[
    Path,
    typer.Option(
        "--profile",
        "-p",
        help=h(
            "Profil de la commune (municipality.yaml).",
            "Municipality profile (municipality.yaml).",
        ),
    ),
]
AnswersOpt = Annotated[
    Path,
    typer.Option(
        "--answers",
        "-a",
        help=h(
            "Fichier des réponses au questionnaire (answers.yaml).",
            "Questionnaire answers file (answers.yaml).",
        ),
    ),
]
NameserverOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--nameserver",
        "-n",
        help=h(
            "Serveur DNS à utiliser, IP[:PORT] (répétable) : toutes les résolutions passent "
            "par lui (audit reproductible). Par défaut : CYBERDIAG_NAMESERVER, sinon le "
            "résolveur du poste (/etc/resolv.conf).",
            "DNS server to use, IP[:PORT] (repeatable): every lookup goes through it "
            "(reproducible audit). By default: CYBERDIAG_NAMESERVER, else the computer's own "
            "resolver (/etc/resolv.conf).",
        ),
        show_default=False,
    ),
]
TimeoutOpt = Annotated[
    float,
    typer.Option(
        "--timeout",
        help=h(
            "Délai par opération réseau, en secondes.",
            "Timeout per network operation, in seconds.",
        ),
    ),
]
JsonOpt = Annotated[
    bool,
    typer.Option("--json", help=h("Sortie JSON sur stdout.", "JSON output on stdout.")),
]
SealToOpt = Annotated[
    str | None,
    typer.Option(
        "--seal-to",
        help=h(
            "Sceller aussi le diagnostic pour cette clé publique (age1…, ou le fichier "
            "cle-publique.txt donné par le service informatique du territoire) : écrit "
            "<insee>-<date>.cyberdiag.age, à envoyer par courriel.",
            "Also seal the diagnostic for this public key (age1…, or the cle-publique.txt file "
            "given by the territory's IT service): writes <insee>-<date>.cyberdiag.age, to send "
            "by e-mail.",
        ),
        show_default=False,
    ),
]


def _root_lang() -> str | None:
    """The --lang given before the command (`cyberdiag --lang en init`), if any."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return None
    value = ctx.find_root().params.get("lang")
    return value if isinstance(value, str) else None


def _show_version(value: bool) -> None:
    if value:
        from cyberdiag import __version__

        typer.echo(f"cyberdiag {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    lang: LangOpt = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help=h("Afficher la version et quitter.", "Show the version and exit."),
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    # The options every command shares, given before the command (the help is the app's).
    start(lang)


def start(lang: str | None) -> None:
    """Call first in every command: sets the language used by messages and errors (the
    command's --lang, else the one given before the command, else CYBERDIAG_LANG)."""
    if lang is None:
        lang = _root_lang()
    if lang is not None and lang not in ("fr", "en"):
        from cyberdiag.errors import UserError  # lazy: only typer and the stdlib up here

        raise UserError(
            f"Langue inconnue « {lang} » : choisir fr ou en.",
            f"Unknown language '{lang}': choose fr or en.",
        )
    set_lang(lang)
