"""Which answers go to the IT provider: the one rule, and a municipality's items."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from provider_fixtures import applicable, waiting_answers, write_profile

from cyberdiag.errors import UserError
from cyberdiag.loading import load_profile
from cyberdiag.models import Answer, AnswerFile, Question
from cyberdiag.provider import items_to_confirm, load_commune, provider_can_answer

T = {"fr": "texte", "en": "text"}


def question(who: str = "it", **extra: Any) -> Question:
    return Question.model_validate(
        {
            "id": "x.q",
            "domain": "acces",
            "text": T,
            "why": T,
            "options": [
                {"id": "oui", "label": T, "score": 4},
                {"id": "non", "label": T, "score": 0},
                {"id": "presta", "label": T, "kind": "delegated", "score": 2},
                {"id": "nsp", "label": T, "kind": "dont_know", "score": 0},
            ],
            "recommendation": {"action": T, "effort": "quick_win", "who": who},
            **extra,
        }
    )


def test_the_rule_a_note_for_the_provider_or_an_it_recommendation() -> None:
    assert provider_can_answer(question("it"))
    assert provider_can_answer(question("elected", provider_note=T))
    assert not provider_can_answer(question("elected"))
    assert not provider_can_answer(question("management"))


@pytest.mark.parametrize(
    ("option", "asked"), [("presta", True), ("nsp", True), ("oui", False), ("non", False)]
)
def test_only_delegated_and_unknown_answers_are_asked(option: str, asked: bool) -> None:
    q = question()
    answers = AnswerFile(questionnaire="c", answers={"x.q": Answer(option=option)})
    assert items_to_confirm([q], answers) == ([q] if asked else [])
    assert items_to_confirm([question("staff")], answers) == []


def test_commune_items_follow_the_shipped_questionnaire(tmp_path: Path) -> None:
    profile = write_profile(tmp_path)
    waiting = waiting_answers(profile, tmp_path / "answers.yaml")
    commune = load_commune(load_profile(profile), tmp_path / "answers.yaml")
    assert [q.id for q in commune.questions] == [q.id for q in applicable(profile)]
    assert [q.id for q in items_to_confirm(commune.questions, commune.answers)] == waiting
    assert waiting  # a strate-1 commune has questions for its provider


def test_missing_answers_file(tmp_path: Path) -> None:
    profile = load_profile(write_profile(tmp_path))
    with pytest.raises(UserError, match="Répondez d'abord"):
        load_commune(profile, tmp_path / "absent.yaml")
    commune = load_commune(profile, tmp_path / "absent.yaml", questionnaire="complet")
    assert commune.answers.answers == {}
