"""The workshop interview without the terminal: its questionnaire, participants, files, feedback.

The dialogue is `cyberdiag/cli/workshop_ui.py`, on top of the questionnaire dialogue (one
question at a time; "?", "s", "<", "q"; every answer written atomically with mode 0600 as soon
as it is given; running again resumes). One answers file per participant in the output folder:
`<questionnaire>-<participant>.yaml`, where the participant is the name given with
--participant (reduced to letters, digits and hyphens) or an anonymous id (`p-3fa2c1`) printed
so that the participant can resume.

Two participants never share a file: names are compared without case or accents ("Élodie" and
"elodie" are one name); when the name's file exists, the participant is asked whether it is
theirs (resume) or someone else's (a file of their own, "elodie-2"); a file in use by a running
session is never theirs. The file's header says what it is: a personal workshop file, not the
municipality's diagnostic.
"""

from __future__ import annotations

import re
import secrets
import shlex
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cyberdiag.answering import AnswerSession
from cyberdiag.errors import UserError, ValidationFailed
from cyberdiag.fileio import ensure_folder, is_locked
from cyberdiag.i18n import Lang, current
from cyberdiag.loading import (
    load_answers,
    load_grid,
    load_questionnaire,
    load_questionnaire_file,
    read_model,
)
from cyberdiag.models import AnswerFile, Grid, Option, Question, Questionnaire
from cyberdiag.resources import data_dir

DEFAULT_QUESTIONNAIRE = "atelier"
_SLUG_BAD = re.compile(r"[^a-z0-9]+")
PERSONAL_HEADER = (
    "# Atelier de sensibilisation cyberdiag : fichier PERSONNEL d'un participant (ses réponses\n"
    "# et ses réflexes). Ce n'est pas le diagnostic de la commune et il ne décrit pas ses\n"
    "# faiblesses ; la synthèse du groupe est anonyme.\n"
    "# cyberdiag awareness workshop: one participant's PERSONAL file (their answers and habits).\n"
    "# Not the municipality's diagnostic; the group summary is anonymous.\n"
)
Claim = Callable[[str, AnswerFile], bool]
"""Asked when the participant's file exists: (the file's id, its answers) → is it theirs?"""


# --------------------------------------------------------------------------------------------
# Questionnaire and participants
# --------------------------------------------------------------------------------------------


def load_workshop_questionnaire(name: str) -> tuple[Questionnaire, dict[str, str]]:
    """A questionnaire by shipped id ('atelier') or file, and the grid's domain names by id.

    Shipped ids come from the (cached) shipped bundle; if another shipped file is invalid (being
    edited), the questionnaire is loaded on its own, so that a workshop still runs.
    """
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
    the questionnaire and the grid read on their own, without the whole shipped bundle; None if
    anything is off, so that the full loader explains the mistake."""
    grid_path = data_dir("questionnaires") / "grille.yaml"
    try:
        q = read_model(Path(path), Questionnaire)
        grid = read_model(grid_path, Grid)
    except ValidationFailed:
        return None
    if {qu.domain for qu in q.questions} - {d.id for d in grid.domains}:
        return None
    return q, grid


@lru_cache(maxsize=16)
def _load_alone(path: str, mtime_ns: int) -> tuple[Questionnaire, Grid | None]:
    """One questionnaire file, checked against the shipped grid (cached per file version)."""
    return load_questionnaire_file(Path(path))


def participant_id(name: str | None) -> str:
    """The participant's id in file names: a slug of the name, or a fresh anonymous id."""
    if name is None:
        return "p-" + secrets.token_hex(3)
    slug = _slug(name)
    if not slug:
        raise UserError(
            f"Nom de participant inutilisable « {name[:40]} » : employer des lettres ou des "
            "chiffres (ou ne rien indiquer pour rester anonyme).",
            f"Unusable participant name '{name[:40]}': use letters or digits (or give none to "
            "stay anonymous).",
        )
    return slug


def _slug(name: str) -> str:
    """Letters and digits of the name, lower case, accents dropped, hyphens between."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _SLUG_BAD.sub("-", ascii_name.lower()).strip("-")[:40].strip("-")


def answers_path(out_dir: Path, questionnaire: Questionnaire, pid: str) -> Path:
    """Where a participant's answers are saved."""
    return out_dir / f"{questionnaire.id}-{pid}.yaml"


def sheet_path(out_dir: Path, pid: str, fmt: str = "pdf") -> Path:
    """Where a participant's action sheet is written."""
    return out_dir / f"fiche-{pid}.{fmt}"


def resume_command(participant: str | None, pid: str, path: Path) -> str:
    """The command that resumes a participant's session (with the file's id when the name was
    given a suffix: "marie-2")."""
    shown = participant if participant is not None and _slug(participant) == pid else pid
    again = f"cyberdiag workshop --participant {shlex.quote(shown)}"
    if str(path.parent) != "atelier":
        again += f" --dir {shlex.quote(str(path.parent))}"
    return again


# --------------------------------------------------------------------------------------------
# Feedback after each answer
# --------------------------------------------------------------------------------------------


def best_score(q: Question) -> int:
    """The score of the question's best answer (0 when none is scored)."""
    scores = [o.score for o in q.options if o.kind == "answer" and o.score is not None]
    return max(scores) if scores else 0


def is_good(q: Question, option: Option) -> bool:
    """Whether `option` is the good reflex (the best score)."""
    return option.kind == "answer" and option.score is not None and option.score >= best_score(q)


def good_reflex(q: Question, lang: Lang) -> str:
    """The good reflex to adopt (the question's recommendation when it names none)."""
    return q.reflex.get(lang) if q.reflex else q.recommendation.action.get(lang)


# --------------------------------------------------------------------------------------------
# One participant's session
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionResult:
    """What a participant's session saved."""

    pid: str
    path: Path
    answers: AnswerFile
    questionnaire: Questionnaire
    total: int
    answered: int
    stopped: bool


def open_answers(path: Path, questionnaire: Questionnaire, lang: Lang) -> AnswerFile:
    """The participant's saved answers, or an empty file to start."""
    if path.exists():
        return load_answers(path, questionnaire)
    return AnswerFile(
        questionnaire=questionnaire.id, questionnaire_version=questionnaire.version, lang=lang
    )


def open_session(
    out_dir: Path,
    participant: str | None,
    questionnaire_name: str,
    lang: Lang,
    *,
    review: bool,
    is_theirs: Claim | None = None,
) -> tuple[str, AnswerSession]:
    """A participant's id and session (every question of the workshop questionnaire, resuming
    the participant's file in `out_dir`, created if needed). When the name's file exists,
    `is_theirs` decides (--review: theirs); a file in use by a running session, or declined,
    is someone else's: the participant gets the next free id ("marie-2")."""
    questionnaire, domain_names = load_workshop_questionnaire(questionnaire_name)
    pid = participant_id(participant)
    ensure_folder(out_dir)
    base, n = pid, 1
    while True:
        path = answers_path(out_dir, questionnaire, pid)
        if not path.exists() and not is_locked(path):
            answers = open_answers(path, questionnaire, lang)
            break
        if participant is not None and not is_locked(path):
            answers = open_answers(path, questionnaire, lang)
            if review or is_theirs is None or is_theirs(pid, answers):
                break
        n += 1
        pid = participant_id(None) if participant is None else f"{base}-{n}"
    session = AnswerSession(
        questionnaire=questionnaire,
        questions=list(questionnaire.questions),
        answers=answers,
        path=path,
        review=review,
        domain_names=domain_names,
        header=PERSONAL_HEADER,
    )
    return pid, session
