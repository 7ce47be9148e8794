"""The workshop interview: plain-language questions, and after each answer why it matters and the
good reflex to adopt.

Built on cyberdiag.interview.Interview (one question at a time; "?", "s", "<", "q"; every answer
written atomically with mode 0600 as soon as it is given; running again resumes). One answers
file per participant in the output folder: `<questionnaire>-<participant>.yaml`, where the
participant is the name given with --participant (reduced to letters, digits and hyphens) or an
anonymous id (`p-3fa2c1`) printed so that the participant can resume.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from cyberdiag.errors import UserError, ValidationFailed
from cyberdiag.i18n import Lang, tr
from cyberdiag.interview import Interview, StopInterview
from cyberdiag.models import AnswerFile, Grid, Option, Question, Questionnaire
from cyberdiag.resources import data_dir

if TYPE_CHECKING:
    from rich.console import Console

DEFAULT_QUESTIONNAIRE = "atelier"
_SLUG_BAD = re.compile(r"[^a-z0-9]+")


# --------------------------------------------------------------------------------------------
# Questionnaire and participants
# --------------------------------------------------------------------------------------------


def load_workshop_questionnaire(name: str) -> tuple[Questionnaire, dict[str, str]]:
    """A questionnaire by shipped id ('atelier') or file, and the grid's domain names by id.

    Shipped ids come from the (cached) shipped bundle; if another shipped file is invalid (being
    edited), the questionnaire is loaded on its own, so that a workshop still runs.
    """
    from cyberdiag.i18n import current
    from cyberdiag.loading import load_grid, load_questionnaire

    path = Path(name)
    grid: Grid | None
    if not path.is_file():
        shipped = data_dir("questionnaires") / f"{name}.yaml"
        if "/" in name or not shipped.is_file():
            raise UserError(
                f"Questionnaire introuvable « {name} » : indiquer atelier ou un fichier YAML.",
                f"Questionnaire not found '{name}': give atelier or a YAML file.",
            )
        fast = _load_shipped(str(shipped), shipped.stat().st_mtime_ns)
        if fast is not None:
            questionnaire, grid = fast
        else:
            try:
                questionnaire, grid = load_questionnaire(name), load_grid()
            except ValidationFailed:
                questionnaire, grid = _load_alone(str(shipped), shipped.stat().st_mtime_ns)
    else:
        questionnaire, grid = _load_alone(str(path.resolve()), path.stat().st_mtime_ns)
    lang = current()
    names = {d.id: d.name.get(lang) for d in grid.domains} if grid else {}
    return questionnaire, names


@lru_cache(maxsize=16)
def _load_shipped(path: str, mtime_ns: int) -> tuple[Questionnaire, Grid] | None:
    """Fast path for a shipped questionnaire (validated by `cyberdiag validate` and the tests):
    parse it and the grid with libyaml when available; None if anything is off, so that the
    full loader explains the mistake."""
    import yaml
    from pydantic import ValidationError

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    grid_path = data_dir("questionnaires") / "grille.yaml"
    try:
        q = Questionnaire.model_validate(yaml.load(Path(path).read_text("utf-8"), loader))
        grid = Grid.model_validate(yaml.load(grid_path.read_text("utf-8"), loader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError):
        return None
    if {qu.domain for qu in q.questions} - {d.id for d in grid.domains}:
        return None
    return q, grid


@lru_cache(maxsize=16)
def _load_alone(path: str, mtime_ns: int) -> tuple[Questionnaire, Grid | None]:
    """One questionnaire file, checked against the shipped grid (cached per file version)."""
    from cyberdiag.loading import load_questionnaire_file

    return load_questionnaire_file(Path(path))


def participant_id(name: str | None) -> str:
    """The participant's id in file names: a slug of the name, or a fresh anonymous id."""
    if name is None:
        return "p-" + secrets.token_hex(3)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_BAD.sub("-", ascii_name.lower()).strip("-")[:40].strip("-")
    if not slug:
        raise UserError(
            f"Nom de participant inutilisable « {name[:40]} » : employer des lettres ou des "
            "chiffres (ou ne rien indiquer pour rester anonyme).",
            f"Unusable participant name '{name[:40]}': use letters or digits (or give none to "
            "stay anonymous).",
        )
    return slug


def answers_path(out_dir: Path, questionnaire: Questionnaire, pid: str) -> Path:
    return out_dir / f"{questionnaire.id}-{pid}.yaml"


def sheet_path(out_dir: Path, pid: str, fmt: str = "pdf") -> Path:
    return out_dir / f"fiche-{pid}.{fmt}"


# --------------------------------------------------------------------------------------------
# The interview with feedback
# --------------------------------------------------------------------------------------------


def best_score(q: Question) -> int:
    scores = [o.score for o in q.options if o.kind == "answer" and o.score is not None]
    return max(scores) if scores else 0


def is_good(q: Question, option: Option) -> bool:
    return option.kind == "answer" and option.score is not None and option.score >= best_score(q)


class WorkshopInterview(Interview):
    """The interview, plus a feedback panel after each answer; no comment prompt (workshop)."""

    def _ask_question(self, q: Question, k: int, n: int) -> str:
        action = super()._ask_question(q, k, n)
        if action == "answered":
            self._feedback(q)
        return action

    def _ask_comment(self, kind: str, previous: str | None) -> str | None:
        if kind == "not_applicable":  # a justification is still asked for
            return super()._ask_comment(kind, previous)
        return previous

    def _feedback(self, q: Question) -> None:
        from rich.markup import escape
        from rich.panel import Panel

        lang = self.lang
        answer = self.answers.answers.get(q.id)
        option = next((o for o in q.options if answer and o.id == answer.option), None)
        if option is None:
            return
        reflex = q.reflex.get(lang) if q.reflex else q.recommendation.action.get(lang)
        if is_good(q, option):
            title = self._t("[green]✓ Bon réflexe[/]", "[green]✓ Good habit[/]")
            body = self._t(
                f"C'est le bon réflexe : {escape(reflex)}\n\n[dim]Pourquoi c'est important :[/] "
                f"{escape(q.why.get(lang))}",
                f"That is the right habit: {escape(reflex)}\n\n[dim]Why it matters:[/] "
                f"{escape(q.why.get(lang))}",
            )
            style = "green"
        else:
            if option.kind == "dont_know":
                title = self._t("[yellow]À savoir[/]", "[yellow]Good to know[/]")
            else:
                title = self._t("[yellow]Le bon réflexe[/]", "[yellow]The good habit[/]")
            why_label = self._t("Pourquoi c'est important :", "Why it matters:")
            reflex_label = self._t("Le bon réflexe :", "The good habit:")
            body = (
                f"[bold]{why_label}[/] {escape(q.why.get(lang))}\n\n"
                f"[bold]{reflex_label}[/] {escape(reflex)}"
            )
            style = "yellow"
        self.console.print(Panel(body, title=title, title_align="left", border_style=style))


# --------------------------------------------------------------------------------------------
# One participant's session
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionResult:
    pid: str
    path: Path
    answers: AnswerFile
    questionnaire: Questionnaire
    total: int
    answered: int
    stopped: bool


def open_answers(path: Path, questionnaire: Questionnaire, lang: Lang) -> AnswerFile:
    from cyberdiag.loading import load_answers

    if path.exists():
        return load_answers(path, questionnaire)
    return AnswerFile(
        questionnaire=questionnaire.id, questionnaire_version=questionnaire.version, lang=lang
    )


def run_session(
    out_dir: Path,
    participant: str | None,
    questionnaire_name: str,
    lang: Lang,
    console: Console,
    *,
    review: bool = False,
) -> SessionResult:
    """Ask the workshop questions (resuming a participant's file); return what was saved."""
    from rich.markup import escape

    questionnaire, domain_names = load_workshop_questionnaire(questionnaire_name)
    pid = participant_id(participant)
    ensure_folder(out_dir)
    path = answers_path(out_dir, questionnaire, pid)
    answers = open_answers(path, questionnaire, lang)
    questions = list(questionnaire.questions)
    interview = WorkshopInterview(
        questionnaire=questionnaire,
        questions=questions,
        answers=answers,
        path=path,
        console=console,
        lang=lang,
        review=review,
        domain_names=domain_names,
    )
    who = escape(participant) if participant else tr("anonyme", "anonymous", lang)
    where = escape(str(path))
    console.print(
        f"[bold]{escape(questionnaire.title.get(lang))}[/] — {who}\n"
        + escape(questionnaire.description.get(lang))
        + "\n"
        + tr(
            f"{len(questions)} questions. Tapez le numéro de votre réponse ; ? explique la "
            "question, s la passe, < revient en arrière, q arrête (tout est enregistré).\n"
            f"Vos réponses sont enregistrées au fur et à mesure dans {where} ; la synthèse du "
            "groupe est anonyme.",
            f"{len(questions)} questions. Type the number of your answer; ? explains the "
            "question, s skips it, < goes back, q stops (everything is saved).\n"
            f"Your answers are saved as you go in {where}; the group summary is anonymous.",
            lang,
        ),
        highlight=False,
    )
    stopped = False
    try:
        interview.run()
    except StopInterview:
        stopped = True
    except (KeyboardInterrupt, EOFError):
        _resume_hint(console, interview, pid, participant, lang, err=True)
        raise KeyboardInterrupt from None
    answered = sum(1 for q in questions if q.id in interview.answers.answers)
    if answered < len(questions):
        _resume_hint(console, interview, pid, participant, lang, err=False)
    return SessionResult(
        pid=pid,
        path=path,
        answers=interview.answers,
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
    import shlex
    import sys

    n = sum(1 for q in interview.questions if q.id in interview.answers.answers)
    again = f"cyberdiag workshop --participant {shlex.quote(participant or pid)}"
    if str(interview.path.parent) != "atelier":
        again += f" --out {shlex.quote(str(interview.path.parent))}"
    text = tr(
        f"{n}/{len(interview.questions)} réponses enregistrées dans {interview.path}. "
        f"Pour reprendre : {again}",
        f"{n}/{len(interview.questions)} answers saved in {interview.path}. To resume: {again}",
        lang,
    )
    if err:
        sys.stderr.write("\n" + text + "\n")
    else:
        console.print(text, highlight=False, markup=False)


def ensure_folder(folder: Path) -> None:
    """Create the output folder, or a clear UserError (a file in the way, no permission)."""
    import os

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"Impossible de créer le dossier {folder} ({exc.strerror or exc}).",
            f"Cannot create the folder {folder} ({exc.strerror or exc}).",
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(
            f"Impossible d'écrire dans le dossier {folder} (droits insuffisants).",
            f"Cannot write in the folder {folder} (permission denied).",
        )
