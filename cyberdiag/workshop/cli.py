"""What the workshop commands do once their options are parsed (imported lazily by the CLI)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import cast

from cyberdiag.errors import UserError
from cyberdiag.i18n import Lang, tr
from cyberdiag.workshop.sheet import SheetFormat


def run_workshop_command(
    out: Path,
    participant: str | None,
    questionnaire: str,
    fmt: str,
    lang: Lang,
    json_out: bool,
    review: bool = False,
) -> None:
    from rich.console import Console
    from rich.markup import escape

    from cyberdiag.workshop.session import run_session, sheet_path
    from cyberdiag.workshop.sheet import build_sheet, terminal_lines, write_sheet

    # With --json, the dialogue goes to stderr and stdout carries only the JSON result.
    console = Console(highlight=False, stderr=json_out)
    result = run_session(out, participant, questionnaire, lang, console, review=review)
    if result.answered == 0:
        console.print(tr("Aucune réponse : pas de fiche.", "No answer: no sheet.", lang))
        return
    view = build_sheet(result.questionnaire, result.answers, participant, lang)
    path = sheet_path(out, result.pid, fmt)
    try:
        write_sheet(view, path, cast(SheetFormat, fmt))
    except UserError as exc:  # no usable WeasyPrint (Pango missing): the HTML sheet instead
        path = sheet_path(out, result.pid, "html")
        write_sheet(view, path, "html")
        console.print(
            tr(
                f"[yellow]PDF impossible[/] ({escape(exc.message(lang))}) : fiche écrite en HTML.",
                f"[yellow]No PDF[/] ({escape(exc.message(lang))}): sheet written as HTML.",
                lang,
            )
        )
    lines = terminal_lines(view)
    if lines:
        console.print(
            tr("\n[bold]Vos actions pour lundi :[/]", "\n[bold]Your actions for Monday:[/]", lang)
        )
        for line in lines:
            console.print("  " + escape(line))
    console.print(
        tr(
            f"\n[green]Votre fiche d'action :[/] {escape(str(path))}",
            f"\n[green]Your action sheet:[/] {escape(str(path))}",
            lang,
        )
    )
    if json_out:
        sys.stdout.write(
            json.dumps(
                {
                    "participant": result.pid,
                    "answers": str(result.path),
                    "sheet": str(path),
                    "answered": result.answered,
                    "total": result.total,
                    "actions": [a.action for a in view.actions],
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )


def sheet_command(
    answers: Path, output: Path | None, participant: str | None, questionnaire: str, lang: Lang
) -> None:
    from cyberdiag.loading import load_answers
    from cyberdiag.workshop.session import load_workshop_questionnaire
    from cyberdiag.workshop.sheet import ANONYMOUS, build_sheet, write_sheet

    if not answers.is_file():
        raise UserError(f"{answers} : fichier introuvable.", f"{answers}: file not found.")
    q, _ = load_workshop_questionnaire(questionnaire)
    data = load_answers(answers, q)
    stem = answers.stem
    prefix = f"{q.id}-"
    pid = stem[len(prefix) :] if stem.startswith(prefix) else stem
    out = output or answers.with_name(f"fiche-{pid}.pdf")
    fmt = _output_format(out)
    if participant is None and not ANONYMOUS.fullmatch(pid):
        participant = pid  # the name as it is in the file name
    write_sheet(build_sheet(q, data, participant, lang), out, fmt)
    print(tr(f"Fiche d'action écrite : {out}", f"Action sheet written: {out}", lang))


def _output_format(out: Path) -> SheetFormat:
    suffix = out.suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix == ".pdf":
        return "pdf"
    raise UserError(
        f"{out} : extension inconnue, attendu .pdf ou .html.",
        f"{out}: unknown extension, expected .pdf or .html.",
    )


def summary_command(
    folder: Path, output: Path, questionnaire: str, lang: Lang, json_out: bool
) -> None:
    from cyberdiag.workshop.summary import summarise, summary_json, write_summary

    fmt = None if json_out else _output_format(output)
    summary = summarise(folder, questionnaire, lang)
    for bad in summary.rejected:
        sys.stderr.write(
            tr(
                f"Fichier ignoré : {bad.file} — {bad.reason}\n",
                f"File ignored: {bad.file} — {bad.reason}\n",
                lang,
            )
        )
    if json_out:
        sys.stdout.write(json.dumps(summary_json(summary), ensure_ascii=False, indent=2) + "\n")
        return
    assert fmt is not None
    write_summary(summary, output, fmt)
    plural = "s" if summary.participants > 1 else ""
    print(
        tr(
            f"Synthèse de {summary.participants} participant{plural} écrite : {output}",
            f"Summary of {summary.participants} participant{plural} written: {output}",
            lang,
        )
    )
