"""Findings: what to do, from the answers below the top of the scale and the failing checks.

Priority = severity × weight × deficit; critical items first, then priority, quick wins first.
"""

from __future__ import annotations

from cyberdiag.models import (
    SEVERITY_RANK,
    CheckMeta,
    CheckResult,
    Finding,
    FindingKind,
    Grid,
    Question,
    Recommendation,
    Severity,
    Text,
)
from cyberdiag.scoring.domains import Item


def _deficit(score: int | None, scale_max: int) -> float:
    """How far an answer is from the top of the scale (1.0 when unanswered)."""
    return 1.0 if score is None else (scale_max - score) / scale_max


def _severity(q: Question, deficit: float) -> Severity:
    """Severity of a question's finding: critical items, then by weight and deficit."""
    if q.critical:
        return "critical"
    if q.weight >= 4 or (q.weight >= 3 and deficit >= 0.75):
        return "high"
    if q.weight >= 2:
        return "medium"
    return "low"


def _lower(sev: Severity) -> Severity:
    """One severity lower (a warning check)."""
    order: list[Severity] = ["info", "low", "medium", "high", "critical"]
    return order[max(0, order.index(sev) - 1)]


_SortKey = tuple[object, ...]


def findings(
    grid: Grid,
    items: list[Item],
    checks: list[CheckResult],
    catalogue: dict[str, CheckMeta],
    scale: int,
) -> list[Finding]:
    """Every finding, critical first, then by priority, quick wins first; ranked from 1."""
    raw = _question_findings(items, scale) + _check_findings(grid, checks, catalogue)
    raw.sort(key=lambda x: x[0])
    return [f.model_copy(update={"rank": rank}) for rank, (_, f) in enumerate(raw, start=1)]


def _question_findings(items: list[Item], scale: int) -> list[tuple[_SortKey, Finding]]:
    """Answers below the top of the scale, "don't know", delegated items, unanswered critical."""
    raw: list[tuple[_SortKey, Finding]] = []
    for it in items:
        q = it.question
        if not it.applicable:
            continue
        if it.score is None and not q.critical:
            continue  # unanswered: shown as coverage, not as a finding (except critical items)
        if it.score is not None and it.score >= scale and it.kind != "delegated":
            continue
        kind, rec, deficit = _question_recommendation(it, _deficit(it.score, scale))
        sev = _severity(q, deficit)
        priority = round(SEVERITY_RANK[sev] * q.weight * deficit, 3)
        f = Finding(
            id=q.id,
            source="question",
            ref=q.id,
            domain=q.domain,
            title=q.title or q.text,
            severity=sev,
            kind=kind,
            critical=q.critical,
            recommendation=rec,
            references=q.references,
            priority=priority,
            rank=0,
            explanation=it.explanation,
        )
        raw.append(((not q.critical, -priority, rec.effort != "quick_win", q.id), f))
    return raw


def _question_recommendation(it: Item, deficit: float) -> tuple[FindingKind, Recommendation, float]:
    """Kind of a question's finding, what to do, and its deficit (a delegated item counts 0.25
    at least: the proof is still to be asked for)."""
    q = it.question
    if it.kind == "delegated":
        asked = q.delegated_text or q.text
        rec = Recommendation(
            action=Text(
                fr=f"Demander au prestataire de montrer que c'est fait : {asked.fr}",
                en=f"Ask the IT provider to show that it is done: {asked.en}",
            ),
            effort="quick_win",
            who=q.recommendation.who if q.recommendation.who != "it" else "management",
        )
        return "delegated", rec, max(deficit, 0.25)
    if it.kind == "dont_know" or it.score is None:
        if q.title is not None:
            ask_fr, ask_en = f"Se renseigner sur « {q.title.fr} ».", f"Find out: {q.title.en}."
        else:
            ask_fr, ask_en = f"Se renseigner : {q.text.fr}", f"Find out: {q.text.en}"
        rec = Recommendation(
            action=Text(
                fr=f"{ask_fr} Si ce n'est pas en place : {q.recommendation.action.fr}",
                en=f"{ask_en} If it is not in place: {q.recommendation.action.en}",
            ),
            effort=q.recommendation.effort,
            who=q.recommendation.who,
        )
        return "unknown", rec, deficit
    return "gap", q.recommendation, deficit


def _check_findings(
    grid: Grid, checks: list[CheckResult], catalogue: dict[str, CheckMeta]
) -> list[tuple[_SortKey, Finding]]:
    """Checks in warn or fail (a warning one severity lower, half the deficit)."""
    raw: list[tuple[_SortKey, Finding]] = []
    critical_checks = {c.check for c in grid.critical if c.check}
    check_weight = {gc.id: gc.weight for d in grid.domains for gc in d.checks}
    for r in checks:
        if r.status not in ("warn", "fail"):
            continue
        meta = catalogue.get(r.id)
        if meta is None:
            continue
        sev = meta.severity if r.status == "fail" else _lower(meta.severity)
        deficit = 1.0 if r.status == "fail" else 0.5
        weight = check_weight.get(r.id, 1)
        critical = r.id in critical_checks and r.status == "fail"
        priority = round(SEVERITY_RANK[sev] * weight * deficit, 3)
        f = Finding(
            id=f"{r.id}@{r.target}",
            source="check",
            ref=r.id,
            domain=meta.domain,
            title=Text(fr=f"{meta.title.fr} ({r.target})", en=f"{meta.title.en} ({r.target})"),
            severity=sev,
            kind="check",
            critical=critical,
            recommendation=Recommendation(
                action=meta.remediation, effort=meta.effort, who=meta.who
            ),
            references=meta.references,
            priority=priority,
            rank=0,
            target=r.target,
        )
        raw.append(((not critical, -priority, meta.effort != "quick_win", f.id), f))
    return raw
