"""The README's question counts (French and English) are those of the shipped questionnaire."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cyberdiag.answering import applicable_questions
from cyberdiag.loading import load_grid, load_profile, load_questionnaire
from cyberdiag.models import Profile, Question

ROOT = Path(__file__).resolve().parent.parent


def _asked(profile: Profile) -> list[Question]:
    grid = load_grid()
    return applicable_questions(
        load_questionnaire("complet"),
        profile,
        grid.tier_rules,
        {d.id: d.condition for d in grid.domains},
    )


def _text(name: str) -> str:
    return " ".join((ROOT / name).read_text(encoding="utf-8").split())


@pytest.mark.parametrize(
    ("name", "total", "example", "tier1"),
    [
        (
            "README.md",
            r"(\d+) questions — (\d+) notées et (\d+) sur la mutualisation",
            r"\((\d+) questions pour la commune d'exemple, de strate 2 : (\d+) notées et (\d+)",
            r"\| 1 \| moins de 1 000 habitants[^|]*\| (\d+) notées",
        ),
        (
            "README.en.md",
            r"(\d+) questions — (\d+) scored and (\d+) unscored",
            r"\((\d+) questions for the example municipality, tier 2: (\d+) scored and (\d+)",
            r"\| 1 \| under 1,000 inhabitants[^|]*\| (\d+) scored",
        ),
    ],
)
def test_the_counts_of_the_readme(name: str, total: str, example: str, tier1: str) -> None:
    text = _text(name)
    questions = load_questionnaire("complet").questions
    scored = sum(q.scored for q in questions)
    found = re.search(total, text)
    assert found, total
    assert [int(x) for x in found.groups()] == [len(questions), scored, len(questions) - scored]
    ville = _asked(load_profile(ROOT / "examples" / "ville-exemple" / "municipality.yaml"))
    found = re.search(example, text)
    assert found, example
    n_scored = sum(q.scored for q in ville)
    assert [int(x) for x in found.groups()] == [len(ville), n_scored, len(ville) - n_scored]
    small = _asked(Profile(name="P", insee="59001", population=600, agents=5))
    found = re.search(tier1, text)
    assert found, tier1
    assert int(found.group(1)) == sum(q.scored for q in small)
