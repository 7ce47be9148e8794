"""Commands for trainers: `cyberdiag workshop` (the interview) and its summary and sheet.

Only typer, the standard library and cyberdiag.cli.app at module level (fast --help): each
command imports what it does from cli/workshop_ui.py when it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cyberdiag.cli.app import JsonOpt, LangOpt, app, h, start

workshop_app = typer.Typer(
    name="workshop",
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=h(
        "Atelier de sensibilisation (formateurs) : seize questions simples, et après chaque "
        "réponse, pourquoi c'est important et le bon réflexe. Se termine par une fiche d'action "
        "personnelle d'une page (PDF) avec les trois actions pour lundi. Fonctionne sans "
        "Internet ; chaque réponse est enregistrée aussitôt (un fichier par participant) ; "
        "relancer avec le même --participant reprend.\n\n"
        "Exemples :\n\n"
        '  cyberdiag workshop --participant "Marie D." --dir atelier\n\n'
        "  cyberdiag workshop --lang en\n\n"
        "  cyberdiag workshop summary atelier -o synthese.pdf\n\n"
        "  cyberdiag workshop sheet atelier/atelier-marie-d.yaml -o fiche.pdf",
        "Awareness workshop (for trainers): sixteen simple questions, and after each answer why "
        "it matters and the good habit. Ends with a one-page personal action sheet (PDF) with "
        "the three actions for Monday. Works offline; every answer is saved at once (one file "
        "per participant); running again with the same --participant resumes.\n\n"
        "Examples:\n\n"
        '  cyberdiag workshop --participant "Marie D." --dir atelier\n\n'
        "  cyberdiag workshop --lang en\n\n"
        "  cyberdiag workshop summary atelier -o summary.pdf\n\n"
        "  cyberdiag workshop sheet atelier/atelier-marie-d.yaml -o sheet.pdf",
    ),
    short_help=h(
        "Atelier de sensibilisation et sa synthèse de groupe.",
        "Awareness workshop and its group summary.",
    ),
)
app.add_typer(workshop_app)

OutDirOpt = Annotated[
    Path,
    typer.Option(
        "--dir",
        "-d",
        "--out",
        help=h(
            "Dossier des réponses et des fiches (créé si besoin).",
            "Folder for the answers and sheets (created if needed).",
        ),
    ),
]
QuestionnaireOpt = Annotated[
    str,
    typer.Option(
        "--questionnaire",
        "-q",
        help=h(
            "Questionnaire d'atelier : atelier (défaut) ou un fichier YAML du formateur.",
            "Workshop questionnaire: atelier (default) or a trainer's YAML file.",
        ),
    ),
]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help=h("Format de la fiche : pdf ou html.", "Sheet format: pdf or html."),
    ),
]


def _format(fmt: str) -> str:
    from cyberdiag.errors import UserError

    fmt = fmt.lower()
    if fmt not in ("pdf", "html"):
        raise UserError(
            f"Format inconnu « {fmt} » : choisir pdf ou html.",
            f"Unknown format '{fmt}': choose pdf or html.",
        )
    return fmt


def _group_lang(ctx: typer.Context) -> str | None:
    obj = ctx.obj if isinstance(ctx.obj, dict) else {}
    lang = obj.get("lang")
    return lang if isinstance(lang, str) else None


@workshop_app.callback()
def workshop(
    ctx: typer.Context,
    participant: Annotated[
        str | None,
        typer.Option(
            "--participant",
            help=h(
                "Nom ou prénom du participant (facultatif : anonyme sinon). Sert au nom du "
                "fichier et à la reprise ; n'apparaît jamais dans la synthèse du groupe.",
                "Participant's name (optional: anonymous otherwise). Used for the file name and "
                "to resume; never shown in the group summary.",
            ),
        ),
    ] = None,
    out: OutDirOpt = Path("atelier"),
    questionnaire: QuestionnaireOpt = "atelier",
    fmt: FormatOpt = "pdf",
    review: Annotated[
        bool,
        typer.Option(
            "--review",
            help=h(
                "Revoir et modifier ses réponses (avec le même --participant).",
                "Review and change one's answers (with the same --participant).",
            ),
        ),
    ] = False,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"lang": lang}  # `cyberdiag workshop --lang en summary DIR`
        return
    start(lang)
    from cyberdiag.cli.workshop_ui import run_workshop_command
    from cyberdiag.i18n import current

    run_workshop_command(
        out, participant, questionnaire, _format(fmt), current(), json_out, review=review
    )


@workshop_app.command(
    "summary",
    help=h(
        "Synthèse anonyme du groupe à projeter : répartition des réponses par question, "
        "réflexes les plus faibles de la salle, points à aborder. Lit tous les fichiers de "
        "réponses du dossier ; un fichier illisible est signalé (nom et raison) et les autres "
        "sont utilisés. Sortie HTML (écran, projecteur) ou PDF selon l'extension de -o.\n\n"
        "Exemples :\n\n"
        "  cyberdiag workshop summary atelier -o synthese.pdf\n\n"
        "  cyberdiag workshop summary atelier -o synthese.html\n\n"
        "  cyberdiag workshop summary atelier --json",
        "The group's anonymous summary to project: distribution of answers per question, the "
        "room's weakest habits, talking points. Reads every answers file of the folder; an "
        "unreadable file is reported (name and reason) and the others are used. HTML (screen, "
        "projector) or PDF output depending on the extension of -o.\n\n"
        "Examples:\n\n"
        "  cyberdiag workshop summary atelier -o summary.pdf\n\n"
        "  cyberdiag workshop summary atelier -o summary.html\n\n"
        "  cyberdiag workshop summary atelier --json",
    ),
    short_help=h("Synthèse anonyme du groupe.", "The group's anonymous summary."),
)
def workshop_summary(
    ctx: typer.Context,
    folder: Annotated[
        Path,
        typer.Argument(
            help=h("Dossier des fichiers de réponses.", "Folder of answers files."),
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help=h(
                "Fichier à écrire : .pdf ou .html.",
                "File to write: .pdf or .html.",
            ),
        ),
    ] = Path("synthese.pdf"),
    questionnaire: QuestionnaireOpt = "atelier",
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    start(lang or _group_lang(ctx))
    from cyberdiag.cli.workshop_ui import summary_command
    from cyberdiag.i18n import current

    summary_command(folder, output, questionnaire, current(), json_out)


@workshop_app.command(
    "sheet",
    help=h(
        "Refaire la fiche d'action personnelle d'un participant à partir de son fichier de "
        "réponses.\n\n"
        "Exemple : cyberdiag workshop sheet atelier/atelier-marie-d.yaml -o fiche.pdf "
        '--participant "Marie D."',
        "Produce a participant's personal action sheet again from their answers file.\n\n"
        "Example: cyberdiag workshop sheet atelier/atelier-marie-d.yaml -o sheet.pdf "
        '--participant "Marie D."',
    ),
    short_help=h("Refaire une fiche d'action.", "Produce an action sheet again."),
)
def workshop_sheet(
    ctx: typer.Context,
    answers: Annotated[
        Path,
        typer.Argument(help=h("Fichier de réponses.", "Answers file."), show_default=False),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help=h(
                "Fichier à écrire (.pdf ou .html) ; par défaut fiche-<participant>.pdf à côté "
                "des réponses.",
                "File to write (.pdf or .html); by default fiche-<participant>.pdf next to the "
                "answers.",
            ),
            show_default=False,
        ),
    ] = None,
    participant: Annotated[
        str | None,
        typer.Option(
            "--participant", help=h("Nom affiché sur la fiche.", "Name shown on the sheet.")
        ),
    ] = None,
    questionnaire: QuestionnaireOpt = "atelier",
    lang: LangOpt = None,
) -> None:
    start(lang or _group_lang(ctx))
    from cyberdiag.cli.workshop_ui import sheet_command
    from cyberdiag.i18n import current

    sheet_command(answers, output, participant, questionnaire, current())
