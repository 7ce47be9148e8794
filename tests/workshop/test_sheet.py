"""The personal action sheet: which answers become the three actions, in which order."""

from __future__ import annotations

import pytest

from cyberdiag.models import AnswerFile, Questionnaire
from cyberdiag.workshop.sheet import weaknesses


def literal_questionnaire() -> Questionnaire:
    def question(qid: str, weight: int, critical: bool = False) -> dict[str, object]:
        t = {"fr": qid, "en": qid}
        return {
            "id": qid,
            "domain": "acces",
            "text": t,
            "why": t,
            "weight": weight,
            "critical": critical,
            "recommendation": {"action": t, "effort": "quick_win", "who": "staff"},
            "options": [
                {"id": "oui", "label": t, "score": 4},
                {"id": "parfois", "label": t, "score": 2},
                {"id": "non", "label": t, "score": 0},
                {"id": "nsp", "label": t, "kind": "dont_know", "score": 0},
                {"id": "na", "label": t, "kind": "not_applicable"},
            ],
        }

    t = {"fr": "x", "en": "x"}
    return Questionnaire.model_validate(
        {
            "kind": "questionnaire",
            "id": "t",
            "version": "1",
            "title": t,
            "description": t,
            "questions": [
                question("q0", 2),
                question("q1", 1),
                question("q2", 2),
                question("q3", 1, critical=True),
            ],
        }
    )


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # priority = gap (0..1) x weight x 2 if critical; questionnaire order among equals
        ({"q0": "non", "q1": "non", "q2": "parfois"}, ["q0", "q1", "q2"]),  # 2, 1, 1
        ({"q1": "parfois", "q2": "nsp", "q0": "oui"}, ["q2", "q1"]),  # "don't know" = no
        ({"q3": "parfois", "q0": "parfois", "q1": "non"}, ["q0", "q1", "q3"]),  # 1, 1, 1
        ({"q3": "non", "q0": "parfois"}, ["q3", "q0"]),  # critical doubled: 2 vs 1
        ({"q0": "oui", "q1": "na", "q2": "oui"}, []),  # n/a is never an action
    ],
)
def test_weakness_order(answers: dict[str, str], expected: list[str]) -> None:
    q = literal_questionnaire()
    af = AnswerFile.model_validate(
        {"questionnaire": "t", "answers": {k: {"option": o} for k, o in answers.items()}}
    )
    assert [w.question.id for w in weaknesses(q, af)] == expected
