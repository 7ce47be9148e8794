"""`cyberdiag provider ...`: the sheet for the IT provider, and merging its answers back.

Only typer, the standard library and cyberdiag.cli.app at module level; each command imports
what it needs. The work is cyberdiag/provider/; the terminal side cyberdiag/cli/provider_view.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cyberdiag.cli.app import AnswersOpt, LangOpt, ProfileOpt, app, h, start

provider = typer.Typer(
    name="provider",
    help=h(
        "Faire confirmer par le prestataire informatique les réponses « le prestataire s'en "
        "charge » et « je ne sais pas » : une fiche (PDF, HTML) et un fichier de réponses à "
        "lui envoyer, puis la reprise de ses réponses avec son nom et la date.\n\n"
        "Exemple : cyberdiag provider sheet -d prestataire/ ; "
        "cyberdiag provider merge prestataire-59999.yaml",
        'Have the IT provider confirm the answers "our IT provider handles it" and "I don\'t '
        'know": a sheet (PDF, HTML) and an answers file to send them, then merging their '
        "answers back with their name and the date.\n\n"
        "Example: cyberdiag provider sheet -d provider/; "
        "cyberdiag provider merge prestataire-59999.yaml",
    ),
    short_help=h(
        "Faire confirmer des réponses par le prestataire.",
        "Have the IT provider confirm answers.",
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(provider, name="provider")


@provider.command(
    "sheet",
    help=h(
        "Écrire, pour chaque réponse « le prestataire s'en charge » ou « je ne sais pas » à "
        "laquelle le prestataire peut répondre, une fiche à son attention (PDF et HTML : quoi "
        "confirmer, en termes techniques, et quelle preuve donner) et le fichier de réponses "
        "prestataire-<insee>.yaml pré-rempli (droits 0600), qu'il complète à la main ou avec "
        "cyberdiag questionnaire --provider.\n\n"
        "Exemple : cyberdiag provider sheet --profile municipality.yaml --answers answers.yaml "
        "-d prestataire/",
        'Write, for every answer "our IT provider handles it" or "I don\'t know" that the '
        "provider can answer, a sheet addressed to them (PDF and HTML: what to confirm, in "
        "technical words, and which evidence to give) and the pre-filled answers file "
        "prestataire-<insee>.yaml (mode 0600), which they complete by hand or with cyberdiag "
        "questionnaire --provider.\n\n"
        "Example: cyberdiag provider sheet --profile municipality.yaml --answers answers.yaml "
        "-d provider/",
    ),
    short_help=h("Fiche et fichier de réponses pour le prestataire.", "Sheet for the provider."),
)
def sheet(
    profile: ProfileOpt = Path("municipality.yaml"),
    answers: AnswersOpt = Path("answers.yaml"),
    output: Annotated[
        Path,
        typer.Option(
            "--dir", "-d", "--output", help=h("Dossier où écrire.", "Folder to write to.")
        ),
    ] = Path("."),
    force: Annotated[
        bool,
        typer.Option(
            help=h(
                "Remplacer un fichier du prestataire déjà complété.",
                "Replace a provider file already filled in.",
            )
        ),
    ] = False,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.cli.provider_view import print_sheet
    from cyberdiag.i18n import current
    from cyberdiag.journey.files import load_profile_file
    from cyberdiag.provider import load_commune, write_sheet

    commune = load_commune(load_profile_file(profile), answers)
    files = write_sheet(commune, output, current(), force=force)
    print_sheet(files, profile, answers)


@provider.command(
    "merge",
    help=h(
        "Reprendre dans les réponses de la commune le fichier complété par le prestataire "
        "(écriture atomique, droits 0600). Chaque réponse reprise garde sa provenance : "
        "source: provider, confirmed_by, confirmed_on, evidence. Refusé si le fichier ne liste "
        "pas le code INSEE de la commune, vise une autre version du questionnaire ou contient "
        "une question ou une réponse inconnue. Une réponse donnée par la commune elle-même "
        "n'est jamais remplacée sans --replace ; ses « je ne sais pas » et « le prestataire "
        "s'en charge » le sont.\n\n"
        "Exemple : cyberdiag provider merge prestataire-59999.yaml --answers answers.yaml",
        "Merge the file completed by the provider into the municipality's answers (atomic "
        "write, mode 0600). Each merged answer keeps its provenance: source: provider, "
        "confirmed_by, confirmed_on, evidence. Refused when the file does not list the "
        "municipality's INSEE code, is for another questionnaire version, or holds an unknown "
        "question or answer. An answer the municipality gave itself is never replaced without "
        '--replace; its "I don\'t know" and "our IT provider handles it" are.\n\n'
        "Example: cyberdiag provider merge prestataire-59999.yaml --answers answers.yaml",
    ),
    short_help=h("Reprendre les réponses du prestataire.", "Merge the provider's answers."),
)
def merge(
    file: Annotated[
        Path,
        typer.Argument(
            help=h("Fichier complété par le prestataire.", "File completed by the provider."),
            show_default=False,
        ),
    ],
    answers: AnswersOpt = Path("answers.yaml"),
    profile: ProfileOpt = Path("municipality.yaml"),
    replace: Annotated[
        bool,
        typer.Option(
            help=h(
                "Remplacer aussi les réponses données par la commune elle-même.",
                "Also replace the answers the municipality gave itself.",
            )
        ),
    ] = False,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.cli.provider_view import print_merge
    from cyberdiag.journey.files import load_profile_file
    from cyberdiag.loading.provider import read_provider_file
    from cyberdiag.provider import load_commune, merge_provider_file

    provider_file, _ = read_provider_file(file)
    commune = load_commune(
        load_profile_file(profile), answers, questionnaire=provider_file.questionnaire
    )
    outcome = merge_provider_file(file, commune, replace=replace)
    print_merge(outcome, file, profile, answers)
