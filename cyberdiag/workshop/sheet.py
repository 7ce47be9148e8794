"""The one-page personal action sheet: the three things to do on Monday.

The actions come from the participant's weakest answers: each answered question gets a gap
(0 = the good reflex, 1 = no / "I don't know"; the score's distance to the question's best
answer), weighted by the question's weight and doubled for a critical question; the three
largest gaps, in questionnaire order among equals, are the actions. "I don't know" counts as a
full gap and its action starts with finding out. The sheet also lists what comes next and whom
to call; it is written as PDF (WeasyPrint, nothing fetched) or as self-contained HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from cyberdiag.i18n import Lang, tr
from cyberdiag.models import AnswerFile, Option, Question, Questionnaire
from cyberdiag.report.frtypo import format_date, typo
from cyberdiag.workshop.render import render, write_html, write_pdf
from cyberdiag.workshop.session import best_score, is_good

ANONYMOUS = re.compile(r"p-[0-9a-f]{6}")
MONDAY = 3
NEXT = 3
SheetFormat = Literal["pdf", "html"]


@dataclass(frozen=True)
class Weakness:
    question: Question
    option: Option
    gap: float  # 0..1
    priority: float
    order: int


def gap_of(q: Question, option: Option) -> float | None:
    """How far an answer is from the good reflex (0..1); None when it does not count."""
    if option.kind == "not_applicable":
        return None
    if option.kind == "dont_know":
        return 1.0
    best = best_score(q)
    if option.score is None or best <= 0:
        return 0.5 if option.kind == "delegated" else None
    return max(0.0, (best - option.score) / best)


def weaknesses(questionnaire: Questionnaire, answers: AnswerFile) -> list[Weakness]:
    """Answered questions below the good reflex, most important first."""
    out: list[Weakness] = []
    for i, q in enumerate(questionnaire.questions):
        answer = answers.answers.get(q.id)
        option = next((o for o in q.options if answer and o.id == answer.option), None)
        if option is None:
            continue
        gap = gap_of(q, option)
        if gap is None or gap <= 0:
            continue
        out.append(Weakness(q, option, gap, gap * q.weight * (2 if q.critical else 1), i))
    out.sort(key=lambda w: (-w.priority, w.order))
    return out


# --------------------------------------------------------------------------------------------
# View
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionView:
    number: int
    action: str
    answer: str
    unknown: bool
    why: str
    reflex: str
    effort: str


@dataclass(frozen=True)
class SheetView:
    lang: Lang
    title: str
    questionnaire_title: str
    participant: str
    date: str
    answered: int
    total: int
    good: int
    actions: list[ActionView]
    next_steps: list[str]
    all_good: bool


def build_sheet(
    questionnaire: Questionnaire,
    answers: AnswerFile,
    participant: str | None,
    lang: Lang,
    today: date | None = None,
) -> SheetView:
    def t(text: str) -> str:
        return typo(text, lang)

    weak = weaknesses(questionnaire, answers)
    actions = []
    for n, w in enumerate(weak[:MONDAY], start=1):
        q = w.question
        unknown = w.option.kind == "dont_know"
        action = q.recommendation.action.get(lang)
        actions.append(
            ActionView(
                number=n,
                action=t(action),
                answer=t(w.option.label.get(lang)),
                unknown=unknown,
                why=t(q.why.get(lang)),
                reflex=t(q.reflex.get(lang) if q.reflex else ""),
                effort=tr("rapide", "quick", lang)
                if q.recommendation.effort == "quick_win"
                else tr("à organiser", "to organise", lang),
            )
        )
    answered = [q for q in questionnaire.questions if q.id in answers.answers]
    good = 0
    for q in answered:
        opt = next((o for o in q.options if o.id == answers.answers[q.id].option), None)
        if opt is not None and is_good(q, opt):
            good += 1
    who = participant or tr("Participant anonyme", "Anonymous participant", lang)
    if participant and ANONYMOUS.fullmatch(participant):  # resumed with the anonymous id
        who = tr("Participant anonyme", "Anonymous participant", lang) + f" ({participant})"
    return SheetView(
        lang=lang,
        title=tr("Ma fiche d’action", "My action sheet", lang),
        questionnaire_title=t(questionnaire.title.get(lang)),
        participant=who,
        date=format_date(today or date.today(), lang),
        answered=len(answered),
        total=len(questionnaire.questions),
        good=good,
        actions=actions,
        next_steps=[t(w.question.recommendation.action.get(lang)) for w in weak[MONDAY:][:NEXT]],
        all_good=not weak,
    )


def sheet_html(view: SheetView, *, inline_css: bool) -> str:
    return render(
        "sheet.html.j2", css="sheet.css" if inline_css else None, v=view, tr=_tr(view.lang)
    )


def write_sheet(view: SheetView, out: Path, fmt: SheetFormat = "pdf") -> None:
    if fmt == "html":
        write_html(sheet_html(view, inline_css=True), out)
    else:
        write_pdf(sheet_html(view, inline_css=False), out, "sheet.css")


def _tr(lang: Lang) -> object:
    def pick(fr: str, en: str) -> str:
        return typo(tr(fr, en, lang), lang)

    return pick


def terminal_lines(view: SheetView) -> list[str]:
    """The three actions as plain lines for the end of the session."""
    return [f"{a.number}. {a.action}" for a in view.actions]
