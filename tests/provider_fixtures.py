"""A strate-1 municipality whose answers wait for its IT provider, and the provider's answers.

Built from the shipped questionnaire whatever its content: every question the provider can
answer is answered « le prestataire s'en charge » (or « je ne sais pas » when the question has
no such option), every other question with its best answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from cyberdiag.answering import applicable_questions, save_answers
from cyberdiag.loading import load_grid, load_profile, load_questionnaire
from cyberdiag.models import Answer, AnswerFile, Option, Question
from cyberdiag.provider import provider_can_answer

PROFILE = """\
name: Petiteville
insee: "59998"
population: 800
agents: 4
it_staff: false
it_provider: InfoPresta
domains: [petiteville.test]
"""


def write_profile(folder: Path, insee: str = "59998", name: str = "Petiteville") -> Path:
    """A strate-1 profile (800 inhabitants, no IT staff, IT outsourced)."""
    path = folder / "municipality.yaml"
    text = PROFILE.replace('"59998"', f'"{insee}"').replace("Petiteville", name)
    path.write_text(text, encoding="utf-8")
    return path


def applicable(profile: Path) -> list[Question]:
    grid = load_grid()
    return applicable_questions(
        load_questionnaire("complet"),
        load_profile(profile),
        grid.tier_rules,
        {d.id: d.condition for d in grid.domains},
    )


def best(q: Question) -> Option:
    """The question's best answer (highest score among real answers)."""
    return max((o for o in q.options if o.kind == "answer"), key=lambda o: o.score or 0)


def waiting_answers(profile: Path, answers: Path) -> list[str]:
    """Write answers.yaml: provider-answerable questions wait for the provider, the others get
    their best answer. Returns the ids waiting for the provider."""
    q = load_questionnaire("complet")
    given: dict[str, Answer] = {}
    waiting: list[str] = []
    for question in applicable(profile):
        kinds = {o.kind: o.id for o in question.options}
        if provider_can_answer(question) and ("delegated" in kinds or "dont_know" in kinds):
            given[question.id] = Answer(option=kinds.get("delegated") or kinds["dont_know"])
            waiting.append(question.id)
        else:
            given[question.id] = Answer(option=best(question).id)
    save_answers(
        answers, AnswerFile(questionnaire=q.id, questionnaire_version=q.version, answers=given)
    )
    return waiting


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def fill(path: Path, *, provider: str | None = "InfoPresta", **changes: Any) -> dict[str, Any]:
    """Complete a provider answers file as a provider would by hand: the best answer for every
    item, an evidence line; `changes` replace top-level keys. Returns the data written."""
    q = {x.id: x for x in load_questionnaire("complet").questions}
    data = load_yaml(path)
    data["provider"] = provider
    for item in data["items"]:
        item["option"] = best(q[item["question"]]).id
        item["evidence"] = f"export de la console, {item['question']}"
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data
