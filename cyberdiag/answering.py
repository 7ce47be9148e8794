"""Answering a questionnaire, without the terminal: which questions apply, in which order they come.

What the profile already says is not asked again: an option it rules out is not offered, an
answer it gives is recorded as known (--review can change it), a likely one is suggested.
The walk over the questions (skipped ones come back at the end and on the next run, "back" goes
to the previous one, --review asks everything again) and the answers file, written atomically
with mode 0600 after every answer, so that a killed process loses at most the question on
screen and running again resumes. The dialogue itself (panels, prompts, keys) is
`cyberdiag/cli/interview.py`: it drives an `AnswerSession` through the `Dialogue` it implements.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

import yaml

from cyberdiag.checks.mail.free_provider import is_free_webmail
from cyberdiag.errors import UserError
from cyberdiag.fileio import check_writable, locked, write_private
from cyberdiag.i18n import Lang
from cyberdiag.loading import load_answers, load_grid, load_questionnaire
from cyberdiag.models import (
    Answer,
    AnswerFile,
    Profile,
    Question,
    Questionnaire,
    Text,
    TierRules,
)
from cyberdiag.scoring import derive_tier, nis2_status, profile_flags

HEADER = (
    "# Réponses au questionnaire cyberdiag / cyberdiag questionnaire answers.\n"
    "# Enregistré à chaque réponse ; modifiable à la main "
    "(cyberdiag validate vérifie le fichier).\n"
    "# Saved after every answer; may be edited by hand (cyberdiag validate checks it).\n"
    "# DIFFUSION RESTREINTE : ce fichier décrit les faiblesses de la commune.\n"
)

Action = Literal["answered", "kept", "skip", "back"]
"""What became of one question: answered, kept as it was (review), skipped, or go back."""


class StopInterview(Exception):
    """The user asked to stop ("q"): everything given so far is saved."""


class Dialogue(Protocol):
    """What the walk needs from whoever asks the questions (the terminal, a test)."""

    def question(self, q: Question, k: int, n: int) -> Action:
        """Ask question `q` (number `k` of `n`); record through the session; say what happened."""
        ...

    def all_answered(self, total: int) -> None:
        """Nothing to ask: every applicable question has an answer."""
        ...

    def resuming(self, done: int, total: int) -> None:
        """Some answers were saved by an earlier run."""
        ...

    def coming_back(self, pending: int) -> None:
        """The questions skipped in this run are asked once more."""
        ...


def applicable_questions(
    questionnaire: Questionnaire,
    profile: Profile,
    rules: TierRules,
    domain_conditions: dict[str, str | None],
) -> list[Question]:
    """The questions that apply to this municipality (tier, profile flags, domain condition),
    without the options its profile rules out (`without_ruled_out`)."""
    tier = derive_tier(profile, rules)
    flags = profile_flags(profile, nis2_status(profile, rules))
    out = []
    for q in questionnaire.questions:
        cond = domain_conditions.get(q.domain)
        if cond is not None and not flags.get(cond, False):
            continue
        if tier in q.applies.tiers and all(flags.get(f, False) for f in q.applies.requires):
            out.append(without_ruled_out(q, profile))
    return out


# --------------------------------------------------------------------------------------------
# What the profile already says (domain names, official address, who runs the IT)
# --------------------------------------------------------------------------------------------

DOMAIN_QUESTIONS = ("msg.domain_owner", "msg.domain_renewal", "msg.domain_access")
OFFICIAL_ADDRESS = "msg.official_address"
IT_OPERATOR = "mut.it_operator"


@dataclass(frozen=True)
class FromProfile:
    """An answer the profile gives or makes likely (an option id), and why (the comment)."""

    option: str
    comment: Text


def without_ruled_out(q: Question, profile: Profile) -> Question:
    """`q` without the options the profile rules out: with a declared domain name, the domain
    questions do not offer « la commune n'a pas de nom de domaine »."""
    if q.id in DOMAIN_QUESTIONS and profile.domains:
        kept = [o for o in q.options if o.kind != "not_applicable"]
        return q.model_copy(update={"options": kept})
    return q


def known_answers(profile: Profile) -> dict[str, FromProfile]:
    """Answers the profile gives (recorded, not asked; --review can change them): an official
    address at a consumer mailbox (orange.fr, gmail.com…) answers msg.official_address « non »."""
    email = profile.official_email
    if email and is_free_webmail(email):
        why = Text(fr=f"D'après le profil : {email}", en=f"From the profile: {email}")
        return {OFFICIAL_ADDRESS: FromProfile("non", why)}
    return {}


def suggested_answers(profile: Profile) -> dict[str, FromProfile]:
    """Likely answers, to confirm (Enter takes them): no domain name and an address at a
    consumer mailbox → the domain questions do not apply; who runs the IT, from the profile."""
    out: dict[str, FromProfile] = {}
    email = profile.official_email
    if not profile.domains and email and is_free_webmail(email):
        why = Text(
            fr="D'après le profil : pas de nom de domaine", en="From the profile: no domain name"
        )
        out |= {qid: FromProfile("non_applicable", why) for qid in DOMAIN_QUESTIONS}
    if profile.it_staff:
        why = Text(fr="D'après le profil : personnel informatique", en="From the profile: IT staff")
        out[IT_OPERATOR] = FromProfile("agents", why)
    elif profile.it_provider:
        name = profile.it_provider
        why = Text(fr=f"D'après le profil : {name}", en=f"From the profile: {name}")
        out[IT_OPERATOR] = FromProfile("prestataire_prive", why)
    return out


def _offered(questions: list[Question], given: dict[str, FromProfile]) -> dict[str, FromProfile]:
    """The answers of `given` whose question is asked and offers that option."""
    options = {q.id: {o.id for o in q.options} for q in questions}
    return {qid: a for qid, a in given.items() if a.option in options.get(qid, ())}


ANSWERS_FILE = ("le fichier de réponses", "the answers file")


def answers_text(answers: AnswerFile, header: str = HEADER) -> str:
    """The text of an answers file (`header`: what the file is, as comment lines)."""
    data = answers.model_dump(mode="json", exclude_none=True)
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def save_answers(path: Path, answers: AnswerFile) -> None:
    """Write the answers file atomically, readable by its owner only."""
    write_private(path, answers_text(answers))


@contextlib.contextmanager
def answering(path: Path) -> Iterator[None]:
    """Before the first question: the answers file can be written (folder writable, space
    left), and no other process writes it (a lock held until the end; another writer gets
    one line naming this process)."""
    check_writable(path, need=256_000)
    with locked(path, ANSWERS_FILE):
        yield


def save_or_rescue(path: Path, answers: AnswerFile, header: str = HEADER) -> None:
    """Save the answers; when that fails (disk full, folder made read-only…), keep everything
    typed in a rescue file of the user's own folder and say where, in one UserError line."""
    text = answers_text(answers, header)
    try:
        write_private(path, text)
        return
    except UserError as exc:
        failure = exc
    rescue = _rescue(text)
    if rescue is None:
        raise UserError(
            f"{failure.fr} Vos réponses n'ont pu être gardées nulle part : notez la dernière "
            "avant de fermer ce terminal.",
            f"{failure.en} Your answers could not be kept anywhere: note the last one down "
            "before closing this terminal.",
        )
    raise UserError(
        f"{failure.fr.rstrip('.')}. Toutes vos réponses, y compris la dernière, sont gardées "
        f"dans {rescue} : une fois le problème réglé, copiez ce fichier à la place de {path} "
        "et relancez la commande.",
        f"{failure.en.rstrip('.')}. All your answers, the last one included, are kept in "
        f"{rescue}: once the problem is solved, copy that file over {path} and run the command "
        "again.",
    )


def _rescue(text: str) -> Path | None:
    """Write `text` to a new private rescue file (user state folder, else the temp folder)."""
    import tempfile

    from platformdirs import user_state_dir  # lazy: start-up time

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    for base in (Path(user_state_dir("cyberdiag")) / "rescued", Path(tempfile.gettempdir())):
        try:
            base.mkdir(parents=True, exist_ok=True, mode=0o700)
            target = base / f"answers-rescued-{stamp}.yaml"
            write_private(target, text)
            return target
        except (UserError, OSError):
            continue
    return None


@dataclass
class AnswerSession:
    """The questions to ask, the answers given so far, and the file they are saved to."""

    questionnaire: Questionnaire
    questions: list[Question]
    answers: AnswerFile
    path: Path
    review: bool = False
    given: int = 0  # answers given in this run
    domain_names: dict[str, str] = field(default_factory=dict)
    header: str = HEADER  # what the file is (a workshop's personal file says so)
    # Questions the profile answered in this session (recorded as known, not asked), and the
    # likely answers it suggests: question id -> (option id, comment).
    known: list[str] = field(default_factory=list)
    suggested: dict[str, tuple[str, str]] = field(default_factory=dict)

    def save(self) -> None:
        """Save the answers as they are (e.g. the known ones, before the first question)."""
        save_or_rescue(self.path, self.answers, self.header)

    def current(self, q: Question) -> Answer | None:
        """The answer saved for `q`, if any."""
        return self.answers.answers.get(q.id)

    def answered(self) -> int:
        """How many of the questions have an answer."""
        return sum(1 for q in self.questions if q.id in self.answers.answers)

    def choose(self, q: Question, option: str) -> None:
        """Save the option chosen for `q` at once (keeping its earlier comment)."""
        current = self.current(q)
        self._record(q, option, current.comment if current else None)
        self.given += 1

    def comment(self, q: Question, option: str, text: str | None) -> None:
        """Save the answer to `q` again, with its comment."""
        self._record(q, option, text)

    def skip(self, q: Question) -> None:
        """Mark `q` as skipped (asked again at the end and on the next run)."""
        if q.id not in self.answers.skipped:
            skipped = [*self.answers.skipped, q.id]
            self.answers = self.answers.model_copy(update={"skipped": skipped})
            save_or_rescue(self.path, self.answers, self.header)

    def _record(self, q: Question, option: str, comment: str | None) -> None:
        new = dict(self.answers.answers)
        old = new.get(q.id)
        # The same option again keeps who confirmed it (the provider); another is one's own.
        same = old is not None and old.option == option
        new[q.id] = Answer(
            option=option,
            comment=comment if comment else None,
            answered_at=datetime.now(UTC).replace(microsecond=0),
            explanation=old.explanation if old else None,
            source=old.source if old and same else "self",
            confirmed_by=old.confirmed_by if old and same else None,
            confirmed_on=old.confirmed_on if old and same else None,
            evidence=old.evidence if old and same else None,
        )
        skipped = [s for s in self.answers.skipped if s != q.id]
        self.answers = self.answers.model_copy(update={"answers": new, "skipped": skipped})
        save_or_rescue(self.path, self.answers, self.header)

    def todo(self) -> list[Question]:
        """The questions to ask in this run: all with review; otherwise those without an
        answer, the skipped ones last."""
        todo = [
            q
            for q in self.questions
            if self.review or q.id not in self.answers.answers or q.id in self.answers.skipped
        ]
        if not self.review:
            todo.sort(key=lambda q: q.id in self.answers.skipped)
        return todo

    def walk(self, dialogue: Dialogue) -> None:
        """Ask every question still to answer, then once more those skipped in this run.
        StopInterview, KeyboardInterrupt and EOFError go through: every answer is saved."""
        todo = self.todo()
        total = len(self.questions)
        done_before = sum(1 for q in self.questions if q.id in self.answers.answers)
        if not todo:
            dialogue.all_answered(total)
            return
        if done_before and not self.review:
            dialogue.resuming(done_before, total)
        i = 0
        second_pass: list[Question] = []
        while i < len(todo):
            q = todo[i]
            action = dialogue.question(q, self.questions.index(q) + 1, total)
            if action == "back":
                i = max(0, i - 1)
                continue
            if action == "skip" and q not in second_pass:
                second_pass.append(q)
            i += 1
        # "Skip and come back": one more pass over what was skipped in this run.
        pending = [q for q in second_pass if q.id not in self.answers.answers]
        if pending:
            dialogue.coming_back(len(pending))
            for q in pending:
                dialogue.question(q, self.questions.index(q) + 1, total)


def profile_session(
    profile: Profile, questionnaire_name: str, answers_path: Path, lang: Lang, *, review: bool
) -> AnswerSession:
    """The session of a municipality: the questions that apply to its profile (shipped grid),
    resuming the answers saved in `answers_path` (a missing file starts empty)."""
    grid = load_grid()
    questionnaire = load_questionnaire(questionnaire_name)
    answers = load_answers(answers_path, questionnaire, missing_ok=True)
    questions = applicable_questions(
        questionnaire, profile, grid.tier_rules, {d.id: d.condition for d in grid.domains}
    )
    now = datetime.now(UTC).replace(microsecond=0)
    known = {
        qid: Answer(option=a.option, comment=a.comment.get(lang), answered_at=now)
        for qid, a in _offered(questions, known_answers(profile)).items()
        if qid not in answers.answers
    }
    if known:
        answers = answers.model_copy(update={"answers": {**answers.answers, **known}})
    suggested = _offered(questions, suggested_answers(profile))
    return AnswerSession(
        questionnaire=questionnaire,
        questions=questions,
        answers=answers,
        path=answers_path,
        review=review,
        domain_names={d.id: d.name.get(lang) for d in grid.domains},
        known=list(known),
        suggested={qid: (a.option, a.comment.get(lang)) for qid, a in suggested.items()},
    )
