"""What the workshop commands do on the terminal: the interview with its feedback, the sheet, the
group summary (imported lazily by cli/workshop_cmd.py).

After each answer the participant sees why it matters and the good reflex; there is no comment
prompt (only the justification of "not applicable"). The questions, files and feedback content
are `cyberdiag/workshop/session.py`; the documents are `workshop/sheet.py` and `summary.py`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import cast

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from cyberdiag.answering import AnswerSession, StopInterview, answering
from cyberdiag.cli.interview import Interview, outside_lines
from cyberdiag.cli.terminal import err_console, out_console, print_json, spinner
from cyberdiag.errors import UserError
from cyberdiag.i18n import Lang, plural, tr
from cyberdiag.loading import load_answers
from cyberdiag.models import AnswerFile, Option, Question
from cyberdiag.workshop.session import (
    SessionResult,
    good_reflex,
    is_good,
    load_workshop_questionnaire,
    open_session,
    participant_id,
    resume_command,
    sheet_path,
)
from cyberdiag.workshop.sheet import (
    ANONYMOUS,
    SheetFormat,
    build_sheet,
    terminal_lines,
    write_sheet,
)
from cyberdiag.workshop.summary import summarise, summary_json, write_summary

# --------------------------------------------------------------------------------------------
# The interview with feedback
# --------------------------------------------------------------------------------------------


class WorkshopInterview(Interview):
    """The interview, plus a feedback panel after each answer; no comment prompt (workshop)."""

    def answered(self, q: Question, option: Option, previous: str | None) -> None:
        super().answered(q, option, previous)
        self._feedback(q)

    def ask_comment(self, kind: str, previous: str | None) -> str | None:
        if kind == "not_applicable":  # a justification is still asked for
            return super().ask_comment(kind, previous)
        return previous

    def _feedback(self, q: Question) -> None:
        """Why it matters and the good reflex, green when the answer was the good reflex."""
        lang = self.lang
        answer = self.session.current(q)
        option = next((o for o in q.options if answer and o.id == answer.option), None)
        if option is None:
            return
        reflex = outside_lines(good_reflex(q, lang))
        why = outside_lines(q.why.get(lang))
        body = Text()
        if is_good(q, option):
            title = Text.assemble((self._t("✓ Bon réflexe", "✓ Good habit"), "green"))
            body.append(self._t("C'est le bon réflexe : ", "That is the right habit: "))
            body.append_text(reflex)
            body.append("\n\n")
            body.append(self._t("Pourquoi c'est important :", "Why it matters:"), "dim")
            body.append(" ")
            body.append_text(why)
            style = "green"
        else:
            if option.kind == "dont_know":
                title = Text.assemble((self._t("À savoir", "Good to know"), "yellow"))
            else:
                title = Text.assemble((self._t("Le bon réflexe", "The good habit"), "yellow"))
            body.append(self._t("Pourquoi c'est important :", "Why it matters:"), "bold")
            body.append(" ")
            body.append_text(why)
            body.append("\n\n")
            body.append(self._t("Le bon réflexe :", "The good habit:"), "bold")
            body.append(" ")
            body.append_text(reflex)
            style = "yellow"
        self.console.print(Panel(body, title=title, title_align="left", border_style=style))


def run_session(
    out_dir: Path,
    participant: str | None,
    questionnaire_name: str,
    lang: Lang,
    console: Console,
    *,
    review: bool = False,
) -> SessionResult:
    """Ask the workshop questions (resuming a participant's file, after asking whether an
    existing file of that name is theirs); return what was saved. The file is locked while
    the participant answers."""
    pid, session = open_session(
        out_dir, participant, questionnaire_name, lang, review=review,
        is_theirs=lambda fid, saved: _is_theirs(console, participant or fid, saved, lang),
    )  # fmt: skip
    if participant is not None and pid != participant_id(participant):
        console.print(
            outside_lines(
                tr(
                    f"Un autre participant s'appelle déjà « {participant} » : vos réponses ont "
                    f"leur propre fichier, {session.path} (pour reprendre : --participant {pid}).",
                    f"Another participant is already called '{participant}': your answers have "
                    f"a file of their own, {session.path} (to resume: --participant {pid}).",
                    lang,
                )
            )
        )
    with answering(session.path):
        return _run_session(session, pid, participant, lang, console)


def _is_theirs(console: Console, name: str, saved: AnswerFile, lang: Lang) -> bool:
    """Ask whether the existing file of `name` is the participant's own (o/n)."""
    n = len(saved.answers)
    times = [a.answered_at for a in saved.answers.values() if a.answered_at is not None]
    when = max(times).strftime("%d/%m/%Y %H:%M") if times else "-"
    console.print(
        outside_lines(
            tr(
                f"Un fichier d'atelier existe déjà pour « {name} » "
                f"({plural(n, 'réponse', 'réponses', 'fr')}, dernière le {when}).",
                f"A workshop file already exists for '{name}' "
                f"({plural(n, 'answer', 'answers', 'en')}, last on {when}).",
                lang,
            )
        )
    )
    while True:
        try:
            raw = console.input(
                tr(
                    "Est-ce le vôtre ? o = oui, je reprends mes réponses ; n = non, je suis une "
                    "autre personne [o/n] : ",
                    "Is it yours? y = yes, I resume my answers; n = no, I am someone else "
                    "[y/n]: ",
                    lang,
                )
            )
        except EOFError:
            return False  # nobody to answer: never take someone else's file
        answer = raw.strip().lower()
        if answer in ("o", "oui", "y", "yes"):
            return True
        if answer in ("n", "non", "no"):
            return False


def _run_session(
    session: AnswerSession, pid: str, participant: str | None, lang: Lang, console: Console
) -> SessionResult:
    """The interview of an opened session."""
    questionnaire, questions = session.questionnaire, session.questions
    interview = WorkshopInterview(session, console, lang)
    intro = outside_lines(questionnaire.title.get(lang), "bold")
    intro.append(" — ")
    who = outside_lines(participant) if participant else Text(tr("anonyme", "anonymous", lang))
    intro.append_text(who)
    intro.append("\n")
    intro.append_text(outside_lines(questionnaire.description.get(lang)))
    intro.append("\n")
    intro.append_text(
        outside_lines(
            tr(
                f"{len(questions)} questions. Tapez le numéro de votre réponse ; ? explique la "
                "question, s la passe, < revient en arrière, q arrête (tout est enregistré).\n"
                f"Vos réponses sont enregistrées au fur et à mesure dans {session.path} ; la "
                "synthèse du groupe est anonyme.",
                f"{len(questions)} questions. Type the number of your answer; ? explains the "
                "question, s skips it, < goes back, q stops (everything is saved).\n"
                f"Your answers are saved as you go in {session.path}; the group summary is "
                "anonymous.",
                lang,
            )
        )
    )
    console.print(intro)
    stopped = False
    try:
        interview.run()
    except StopInterview:
        stopped = True
    except (KeyboardInterrupt, EOFError):
        _resume_hint(console, interview, pid, participant, lang, err=True)
        raise KeyboardInterrupt from None
    answered = session.answered()
    if answered < len(questions):
        _resume_hint(console, interview, pid, participant, lang, err=False)
    return SessionResult(
        pid=pid,
        path=session.path,
        answers=session.answers,
        questionnaire=questionnaire,
        total=len(questions),
        answered=answered,
        stopped=stopped,
    )


def _resume_hint(
    console: Console,
    interview: Interview,
    pid: str,
    participant: str | None,
    lang: Lang,
    *,
    err: bool,
) -> None:
    """How many answers are saved where, and the command that resumes."""
    n = interview.session.answered()
    again = resume_command(participant, pid, interview.path)
    text = tr(
        f"{n}/{len(interview.questions)} réponses enregistrées dans {interview.path}. "
        f"Pour reprendre : {again}",
        f"{n}/{len(interview.questions)} answers saved in {interview.path}. To resume: {again}",
        lang,
    )
    if err:
        sys.stderr.write("\n" + text + "\n")
    else:
        console.print(outside_lines(text))


# --------------------------------------------------------------------------------------------
# The commands
# --------------------------------------------------------------------------------------------


def run_workshop_command(
    out: Path,
    participant: str | None,
    questionnaire: str,
    fmt: str,
    lang: Lang,
    json_out: bool,
    review: bool = False,
) -> None:
    """One participant's workshop: the interview, then the personal action sheet."""
    # With --json, the dialogue goes to stderr and stdout carries only the JSON result.
    console = err_console() if json_out else out_console()
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
        note = Text.assemble((tr("PDF impossible", "No PDF", lang), "yellow"))
        note.append(" (")
        note.append_text(outside_lines(exc.message(lang)))
        note.append(tr(") : fiche écrite en HTML.", "): sheet written as HTML.", lang))
        console.print(note)
    lines = terminal_lines(view)
    if lines:
        console.print(
            tr("\n[bold]Vos actions pour lundi :[/]", "\n[bold]Your actions for Monday:[/]", lang)
        )
        for line in lines:
            console.print(Text("  ").append_text(outside_lines(line)))
    done = Text("\n")
    done.append(tr("Votre fiche d'action :", "Your action sheet:", lang), "green")
    done.append(" ")
    done.append_text(outside_lines(str(path)))
    console.print(done)
    if json_out:
        _print_json(
            {
                "participant": result.pid,
                "answers": str(result.path),
                "sheet": str(path),
                "answered": result.answered,
                "total": result.total,
                "actions": [a.action for a in view.actions],
            }
        )


def _print_json(data: object) -> None:
    print_json(json.dumps(data, ensure_ascii=False, indent=2))


def sheet_command(
    answers: Path, output: Path | None, participant: str | None, questionnaire: str, lang: Lang
) -> None:
    """A participant's action sheet again, from their answers file."""
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
    """pdf or html, from the extension of the file to write."""
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
    """The group's anonymous summary (PDF, HTML or JSON); unusable files named on stderr."""
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
        _print_json(summary_json(summary))
        return
    assert fmt is not None
    with spinner(tr(f"Synthèse en cours : {output}…", f"Writing the summary: {output}…", lang)):
        write_summary(summary, output, fmt)
    plural = "s" if summary.participants > 1 else ""
    print(
        tr(
            f"Synthèse de {summary.participants} participant{plural} écrite : {output}",
            f"Summary of {summary.participants} participant{plural} written: {output}",
            lang,
        )
    )
