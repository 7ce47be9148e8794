"""Scores and levels: each question's answer, each domain's score and level, the overall level.

Pure: see cyberdiag/scoring/__init__.py for the rules.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

from cyberdiag.models import (
    AnsweredItem,
    AnswerFile,
    Cap,
    CheckResult,
    Coverage,
    Domain,
    DomainScore,
    Explanation,
    Grid,
    OverallScore,
    Question,
    Questionnaire,
)
from cyberdiag.scoring.causes import answer_cause

STATUS_VALUE = {"pass": 100.0, "warn": 50.0, "fail": 0.0}


@dataclass(frozen=True)
class Item:
    """One question of the questionnaire with its answer, as the scoring sees it."""

    question: Question
    applicable: bool
    score: int | None  # None: unanswered or not applicable
    kind: str | None
    option: str | None
    explanation: Explanation | None = None


def question_items(
    questionnaire: Questionnaire,
    answers: AnswerFile,
    tier: int,
    flags: dict[str, bool],
    domain_ok: dict[str, bool],
) -> list[Item]:
    """Each question with its answer: whether it applies to this municipality, and its score."""
    items: list[Item] = []
    for q in questionnaire.questions:
        applies = (
            domain_ok.get(q.domain, False)
            and tier in q.applies.tiers
            and all(flags.get(f, False) for f in q.applies.requires)
        )
        ans = answers.answers.get(q.id)
        opt = next((o for o in q.options if ans and o.id == ans.option), None)
        kind = opt.kind if opt else None
        applicable = applies and kind != "not_applicable"
        sc = opt.score if (opt and applicable) else None
        items.append(
            Item(q, applicable, sc, kind, opt.id if opt else None, ans.explanation if ans else None)
        )
    return items


def answered_item(it: Item, answers: AnswerFile, *, scored: bool = True) -> AnsweredItem:
    """One question as recorded in the diagnostic (with the answer's label and comment);
    scored=False for an unscored question (recorded for the territory only)."""
    q = it.question
    ans = answers.answers.get(q.id)
    opt = next((o for o in q.options if o.id == it.option), None) if it.option else None
    return AnsweredItem(
        question_id=q.id,
        domain=q.domain,
        question=q.text,
        applicable=it.applicable,
        weight=q.weight,
        critical=q.critical,
        level=q.level,
        option=it.option,
        option_label=opt.label if opt else None,
        kind=it.kind,
        score=it.score,
        comment=ans.comment if ans else None,
        explanation=ans.explanation if ans else None,
        source=ans.source if ans else "self",
        confirmed_by=ans.confirmed_by if ans else None,
        confirmed_on=ans.confirmed_on if ans else None,
        evidence=ans.evidence if ans else None,
        scored=scored,
    )


def domain_score(
    grid: Grid,
    d: Domain,
    items: list[Item],
    results_by_id: dict[str, list[CheckResult]],
    applies: bool,
    target_level: int,
) -> DomainScore:
    """One domain: weighted score of its answers and checks, level, gap, coverage."""
    scale = grid.scale_max
    d_items = [it for it in items if it.question.domain == d.id]
    num = den = 0.0
    answered_n = 0
    for it in d_items:
        if it.applicable and it.score is not None:
            num += it.question.weight * it.score / scale * 100
            den += it.question.weight
            answered_n += 1
    tested = not_tested = 0
    failing_checks: list[str] = []
    if applies:
        for gc in d.checks:
            rs = results_by_id.get(gc.id, [])
            values = [STATUS_VALUE[r.status] for r in rs if r.status in STATUS_VALUE]
            tested += len(values)
            not_tested += sum(1 for r in rs if r.status == "not_tested")
            if values:
                num += gc.weight * statistics.fmean(values)
                den += gc.weight
            if gc.weight >= 2 and any(r.status == "fail" for r in rs):
                failing_checks.append(gc.id)
    dscore = round(num / den, 1) if den else None
    applicable_qs = [it for it in d_items if it.applicable]
    level, blocking = _domain_level(grid, dscore, applicable_qs, failing_checks)
    if not applies:
        level, blocking, dscore = 0, [], None
    return DomainScore(
        id=d.id,
        name=d.name,
        applicable=applies,
        score=dscore,
        level=level,
        target_level=target_level,
        gap=max(0, target_level - level) if applies else 0,
        coverage=Coverage(
            questions_applicable=len(applicable_qs),
            questions_answered=answered_n,
            questions_not_applicable=sum(1 for it in d_items if it.kind == "not_applicable"),
            checks_tested=tested,
            checks_not_tested=not_tested,
        ),
        blocking=blocking,
    )


def overall(
    grid: Grid, domain_scores: list[DomainScore], caps: list[Cap], target_level: int
) -> OverallScore:
    """Overall score and level: by threshold, at most one above the weakest domain, capped."""
    weights = {d.id: d.weight for d in grid.domains}
    scored = [ds for ds in domain_scores if ds.applicable and ds.score is not None]
    total_w = sum(weights[ds.id] for ds in scored)
    overall_score = (
        round(sum(weights[ds.id] * (ds.score or 0.0) for ds in scored) / total_w, 1)
        if total_w
        else None
    )
    by_threshold = _threshold_level(grid, overall_score)
    # A domain with nothing answered or tested (score None) does not hold the level back.
    weakest = min((ds.level for ds in scored), default=0)
    uncapped = min(by_threshold, weakest + 1)
    # Every cap holding the level where it is, also one equal to the uncapped level (a score
    # that alone gives 0 does not hide a missing critical measure).
    binding = sorted((c for c in caps if c.level <= uncapped), key=lambda c: (c.level, c.item))
    level = min([uncapped, *(c.level for c in binding)])
    return OverallScore(
        score=overall_score,
        level=level,
        uncapped_level=uncapped,
        capped_by=binding,
        target_level=target_level,
        gap=max(0, target_level - level),
    )


def _threshold_level(grid: Grid, value: float | None) -> int:
    """The highest level whose threshold `value` reaches (0 for no value)."""
    if value is None:
        return 0
    reached = [lv.id for lv in grid.levels if value >= lv.min_score]
    return max(reached, default=0)


def _domain_level(
    grid: Grid, dscore: float | None, applicable: list[Item], failing_checks: list[str]
) -> tuple[int, list[str]]:
    """Cumulative level of a domain and what blocks the next level."""
    if dscore is None:
        return 0, sorted(it.question.id for it in applicable if it.question.level <= 1)
    scale = grid.scale_max
    level = 0
    for lv in sorted(grid.levels, key=lambda x: x.id):
        if lv.id == 0:
            continue
        need = -(-scale // 2) if lv.id == 1 else scale - 1
        blockers = [
            it.question.id
            for it in applicable
            if it.question.level <= lv.id and (it.score is None or it.score < need)
        ]
        if lv.id >= 2:
            blockers += failing_checks
        if dscore < lv.min_score or blockers:
            return level, sorted(set(blockers))
        level = lv.id
    return level, []


def caps(
    grid: Grid,
    tier: int,
    items: list[Item],
    results: dict[str, list[CheckResult]],
    scale: int,
    confirmed: frozenset[str] = frozenset(),
) -> list[Cap]:
    """The caps of the critical items not (fully) in place: missing → cap_if_missing, partly
    in place (check: warn) → cap_if_partial. Each with its cause (scoring.causes): "unknown"
    for « je ne sais pas », no answer, or delegated without the provider's confirmation (the
    question ids in `confirmed`), "gap" otherwise."""
    by_q = {it.question.id: it for it in items}
    caps: list[Cap] = []
    for c in grid.critical:
        if tier < c.min_tier:
            continue
        if c.question:
            it = by_q.get(c.question)
            if it is None or not it.applicable:
                continue
            if it.score is None or it.kind == "dont_know" or it.score < -(-scale // 2):
                lvl = c.cap_if_missing
            elif it.score < scale - 1:
                lvl = c.cap_if_partial
            else:
                continue
            cause = answer_cause(it.kind, confirmed=c.question in confirmed)
            caps.append(
                Cap(
                    item=c.id,
                    label=c.label,
                    level=lvl,
                    source="question",
                    ref=c.question,
                    cause=cause,
                )
            )
        elif c.check:
            statuses = {r.status for r in results.get(c.check, [])}
            if "fail" in statuses:
                lvl = c.cap_if_missing
            elif "warn" in statuses:
                lvl = c.cap_if_partial
            else:
                continue
            caps.append(Cap(item=c.id, label=c.label, level=lvl, source="check", ref=c.check))
    return caps


def csf_view(items: list[Item], scale: int) -> dict[str, float]:
    """NIST CSF 2.0 functions (GV, ID, PR, DE, RS, RC): mean answer score of the questions that
    cite a subcategory of the function."""
    acc: dict[str, list[float]] = defaultdict(list)
    for it in items:
        if not it.applicable or it.score is None:
            continue
        functions = {ref.split(".")[0].upper() for ref in it.question.references.csf}
        for fn in functions:
            if fn in ("GV", "ID", "PR", "DE", "RS", "RC"):
                acc[fn].append(it.score / scale * 100)
    return {fn: round(statistics.fmean(v), 1) for fn, v in sorted(acc.items())}
