"""Which answers go to the IT provider (the one rule), a municipality's questions and answers,
and a provider answers file checked against its questionnaire."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cyberdiag.answering import applicable_questions
from cyberdiag.errors import UserError
from cyberdiag.loading import load_answers, load_grid, load_questionnaire, read_raw
from cyberdiag.loading.provider import check_provider_items, provider_options, read_provider_file
from cyberdiag.models import AnswerFile, Profile, ProviderFile, Question, Questionnaire, Text

# The municipality's answers that ask the provider: « le prestataire s'en charge » and « je ne
# sais pas ».
ASK_KINDS = ("delegated", "dont_know")


def provider_can_answer(q: Question) -> bool:
    """The one rule: a provider can answer a question that carries a note for it
    (provider_note), or whose recommendation is the IT people's job (who: it)."""
    return q.provider_note is not None or q.recommendation.who == "it"


def items_to_confirm(questions: list[Question], answers: AnswerFile) -> list[Question]:
    """The questions answered « le prestataire s'en charge » or « je ne sais pas » that the
    provider can answer, in questionnaire order."""
    out: list[Question] = []
    for q in questions:
        answer = answers.answers.get(q.id)
        option = next((o for o in q.options if answer and o.id == answer.option), None)
        if option is None or option.kind not in ASK_KINDS:
            continue
        if provider_can_answer(q) and provider_options(q):
            out.append(q)
    return out


@dataclass(frozen=True)
class Commune:
    """A municipality's profile, questionnaire, answers and the questions that apply to it."""

    profile: Profile
    questionnaire: Questionnaire
    answers: AnswerFile
    answers_path: Path
    questions: list[Question]
    domain_names: dict[str, Text]


def _answers_questionnaire(answers_path: Path, default: str) -> str:
    """The questionnaire an answers file is for (its `questionnaire` key), else `default`."""
    raw = read_raw(answers_path)
    name = raw.data.get("questionnaire") if isinstance(raw.data, dict) else None
    return name if isinstance(name, str) else default


def load_commune(
    profile: Profile, answers_path: Path, *, questionnaire: str | None = None
) -> Commune:
    """The municipality of `profile` with its answers. Without `questionnaire` the answers file
    must exist (and names its questionnaire); with it, a missing file starts empty."""
    if answers_path.exists():
        name = _answers_questionnaire(answers_path, questionnaire or "complet")
    elif questionnaire is None:
        raise UserError(
            f"Fichier de réponses introuvable : {answers_path}. Répondez d'abord : cyberdiag "
            f"questionnaire --answers {answers_path}",
            f"Answers file not found: {answers_path}. Answer first: cyberdiag questionnaire "
            f"--answers {answers_path}",
        )
    else:
        name = questionnaire
    q = load_questionnaire(name)
    answers = load_answers(answers_path, q, missing_ok=True)
    grid = load_grid()
    questions = applicable_questions(
        q, profile, grid.tier_rules, {d.id: d.condition for d in grid.domains}
    )
    return Commune(
        profile=profile,
        questionnaire=q,
        answers=answers,
        answers_path=answers_path,
        questions=questions,
        domain_names={d.id: d.name for d in grid.domains},
    )


def checked_provider_file(
    path: Path, questionnaire: Questionnaire | None = None
) -> tuple[ProviderFile, Questionnaire]:
    """A provider answers file and its questionnaire (`questionnaire`, else the one it names),
    checked item by item; the first mistake is one UserError line naming file › item › field."""
    provider_file, raw = read_provider_file(path)
    if questionnaire is None:
        questionnaire = load_questionnaire(provider_file.questionnaire)
    check_provider_items(raw, provider_file, questionnaire)
    if raw.errors:
        raise UserError(raw.errors[0])
    return provider_file, questionnaire
