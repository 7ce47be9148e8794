"""The walk over the questions and the answers file, driven by a scripted dialogue (no terminal)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from core_fixtures import grid, profile, questionnaire

from cyberdiag.answering import (
    HEADER,
    Action,
    AnswerSession,
    StopInterview,
    applicable_questions,
    profile_session,
    save_answers,
)
from cyberdiag.loading import load_answers, load_questionnaire
from cyberdiag.models import AnswerFile, Question


def applicable(**kw: object) -> list[str]:
    g = grid()
    conditions = {d.id: d.condition for d in g.domains}
    qs = applicable_questions(questionnaire(), profile(**kw), g.tier_rules, conditions)
    return [q.id for q in qs]


def test_applicable_questions_follow_tier_and_flags() -> None:
    assert applicable() == ["a.backup", "a.doc", "b.mfa"]  # tier 2
    assert applicable(population=50000) == ["a.backup", "a.doc", "b.mfa", "b.t3only"]
    assert applicable(has_ot=True) == ["a.backup", "a.doc", "b.mfa", "ot.cam"]  # domain condition


class Script:
    """A Dialogue that plays keys: an option id, "s" (skip), "<" (back), "=" (keep), "q"."""

    def __init__(self, session: AnswerSession, keys: list[str]) -> None:
        self.session = session
        self.keys = keys
        self.asked: list[tuple[str, int, int]] = []
        self.said: list[str] = []

    def question(self, q: Question, k: int, n: int) -> Action:
        self.asked.append((q.id, k, n))
        key = self.keys.pop(0)
        if key == "q":
            raise StopInterview
        if key == "s":
            self.session.skip(q)
            return "skip"
        if key == "<":
            return "back"
        if key == "=":
            return "kept"
        option, _, comment = key.partition(":")
        self.session.choose(q, option)
        if comment:
            self.session.comment(q, option, comment)
        return "answered"

    def all_answered(self, total: int) -> None:
        self.said.append(f"all {total}")

    def resuming(self, done: int, total: int) -> None:
        self.said.append(f"resuming {done}/{total}")

    def coming_back(self, pending: int) -> None:
        self.said.append(f"back to {pending}")


def session(path: Path, *, review: bool = False) -> AnswerSession:
    q = questionnaire()
    answers = load_answers(path, q, missing_ok=True)
    return AnswerSession(q, list(q.questions[:3]), answers, path, review=review)


def test_skip_comes_back_at_the_end_and_back_goes_to_the_previous(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    s = session(path)
    script = Script(s, ["s", "oui", "<", "non:un commentaire", "partiel", "oui"])
    s.walk(script)
    assert [a[0] for a in script.asked] == [
        "a.backup",  # skipped
        "a.doc",
        "b.mfa",  # "<": back to a.doc
        "a.doc",
        "b.mfa",
        "a.backup",  # the skipped one, once more
    ]
    assert [a[1:] for a in script.asked][:3] == [(1, 3), (2, 3), (3, 3)]
    assert script.said == ["back to 1"]
    saved = load_answers(path, questionnaire())
    assert {k: a.option for k, a in saved.answers.items()} == {
        "a.doc": "non",
        "b.mfa": "partiel",
        "a.backup": "oui",
    }
    assert saved.answers["a.doc"].comment == "un commentaire"
    assert saved.skipped == []
    assert s.given == 4 and s.answered() == 3


def test_every_answer_is_saved_at_once_private_and_readable(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    s = session(path)
    with pytest.raises(StopInterview):
        s.walk(Script(s, ["oui", "s", "q"]))
    text = path.read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    data = yaml.safe_load(text)
    assert list(data["answers"]) == ["a.backup"] and data["skipped"] == ["a.doc"]
    assert data["answers"]["a.backup"]["answered_at"]
    # The next run resumes: the skipped question comes after the unanswered one.
    s = session(path)
    script = Script(s, ["non", "oui"])
    s.walk(script)
    assert script.said == ["resuming 1/3"]
    assert [a[0] for a in script.asked] == ["b.mfa", "a.doc"]


def test_review_asks_everything_and_keeps_with_enter(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    s = session(path)
    s.walk(Script(s, ["oui", "oui", "oui"]))
    s = session(path)
    script = Script(s, [])
    s.walk(script)
    assert script.said == ["all 3"] and script.asked == []
    s = session(path, review=True)
    script = Script(s, ["=", "non", "="])
    s.walk(script)
    assert script.said == []  # no "resuming" with --review
    assert [a[0] for a in script.asked] == ["a.backup", "a.doc", "b.mfa"]
    saved = load_answers(path, questionnaire())
    assert saved.answers["a.doc"].option == "non" and saved.answers["a.backup"].option == "oui"


def test_a_new_answer_keeps_the_earlier_comment(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    s = session(path)
    q = s.questions[0]
    s.choose(q, "oui")
    s.comment(q, "oui", "vu avec le prestataire")
    s.choose(q, "partiel")
    answer = load_answers(path, questionnaire()).answers[q.id]
    assert (answer.option, answer.comment) == ("partiel", "vu avec le prestataire")


def test_profile_session_starts_empty_then_resumes(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    prof = profile(population=600, it_staff=False)
    s = profile_session(prof, "complet", path, "fr", review=False)
    assert not path.exists() and s.answers.answers == {}
    assert 15 <= len(s.questions) <= 35
    assert s.domain_names[s.questions[0].domain]
    first = s.questions[0]
    s.choose(first, first.options[0].id)
    again = profile_session(prof, "complet", path, "en", review=True)
    assert again.answers.answers[first.id].option == first.options[0].id
    assert again.review and again.todo() == again.questions
    empty = AnswerFile(questionnaire="complet")
    save_answers(path, empty)
    assert load_answers(path, load_questionnaire("complet")).answers == {}
