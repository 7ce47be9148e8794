"""`cyberdiag seal`: seal diagnostic.json for the territory's public key, to send it by e-mail.

Also the `--seal-to` of `score` and `run` (`recipients_or_fail` before the work, `seal_and_say`
after it). Only typer, the standard library and cyberdiag.cli.app at module level.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from cyberdiag.cli.app import LangOpt, app, h, start


def recipients_or_fail(to: str) -> list[Any]:
    """The public key(s) of `--to`/`--seal-to`, read before any work (one clear line if wrong)."""
    from cyberdiag.sealing import read_recipients

    return read_recipients(to)


def seal_and_say(
    diagnostic: Path, recipients: list[Any], output: Path | None = None, *, stderr: bool = False
) -> Path:
    """Seal `diagnostic` and say where the sealed file is and what to do with it."""
    from cyberdiag.i18n import tr
    from cyberdiag.net.text import clean
    from cyberdiag.sealing import seal_file

    sealed = seal_file(diagnostic, recipients, output)
    line = tr(
        f"Diagnostic scellé : {sealed} — à envoyer au service informatique du territoire (un "
        "courriel ordinaire suffit : seule sa clé secrète l'ouvre).",
        f"Diagnostic sealed: {sealed} — to send to the territory's IT service (an ordinary "
        "e-mail will do: only its secret key opens it).",
    )
    (sys.stderr if stderr else sys.stdout).write(clean(line, 4000) + "\n")
    return sealed


@app.command(
    "seal",
    help=h(
        "Sceller diagnostic.json pour la clé publique du territoire (chiffrement age) : le "
        "fichier <insee>-<date>.cyberdiag.age peut être envoyé par courriel ordinaire, seul le "
        "service informatique du territoire peut l'ouvrir, et toute modification est "
        "détectée.\n\n"
        "Exemple : cyberdiag seal diagnostic.json --to cle-publique.txt",
        "Seal diagnostic.json for the territory's public key (age encryption): the "
        "<insee>-<date>.cyberdiag.age file can be sent by ordinary e-mail, only the territory's "
        "IT service can open it, and any change is detected.\n\n"
        "Example: cyberdiag seal diagnostic.json --to cle-publique.txt",
    ),
    short_help=h(
        "Sceller le diagnostic pour l'envoyer au territoire.",
        "Seal the diagnostic to send it to the territory.",
    ),
)
def seal(
    diagnostic: Annotated[
        Path, typer.Argument(help=h("Le fichier diagnostic.json.", "The diagnostic.json file."))
    ] = Path("diagnostic.json"),
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help=h(
                "Clé publique du territoire (age1…) ou fichier qui la contient (cle-publique.txt).",
                "The territory's public key (age1…) or the file holding it (cle-publique.txt).",
            ),
            show_default=False,
        ),
    ] = "",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help=h(
                "Fichier écrit (défaut : <insee>-<date>.cyberdiag.age à côté du diagnostic).",
                "File written (default: <insee>-<date>.cyberdiag.age next to the diagnostic).",
            ),
            show_default=False,
        ),
    ] = None,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.errors import UserError

    if not to.strip():
        raise UserError(
            "Indiquez la clé publique du territoire : --to cle-publique.txt (ou --to age1…).",
            "Give the territory's public key: --to cle-publique.txt (or --to age1…).",
        )
    seal_and_say(diagnostic, recipients_or_fail(to), output)
