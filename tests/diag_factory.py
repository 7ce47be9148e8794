"""Shared builders of Diagnostic records for the test fixtures (pydantic models, no scoring).

Used by tests/report_fixtures.py (hand-written diagnostics) and tests/territory_fixtures.py
(seeded random diagnostics of N municipalities): the grid's eleven domains, bilingual texts,
level tables, and the records that every fixture fills the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from cyberdiag.models import (
    AnsweredItem,
    Cap,
    Coverage,
    Diagnostic,
    DomainScore,
    Finding,
    LevelInfo,
    OverallScore,
    Recommendation,
    References,
    Text,
    VersionInfo,
)

DOMAINS: list[tuple[str, str, str]] = [
    ("gouvernance", "Gouvernance et pilotage", "Governance"),
    ("sensibilisation", "Sensibilisation et formation", "Awareness and training"),
    ("inventaire", "Connaissance du SI et des prestataires", "Assets and suppliers"),
    ("acces", "Identités et accès", "Identity and access"),
    ("postes", "Postes, serveurs et mises à jour", "Endpoints, servers and updates"),
    ("sauvegardes", "Sauvegardes et continuité", "Backups and continuity"),
    ("messagerie", "Messagerie et nom de domaine", "E-mail and domain name"),
    ("exposition", "Exposition sur Internet et site web", "Internet exposure and website"),
    ("reseau", "Réseau, Wi-Fi et travail à distance", "Network, Wi-Fi and remote work"),
    ("incidents", "Détection et réaction aux incidents", "Incident detection and response"),
    ("equipements", "Équipements techniques connectés", "Building and operational technology"),
]

# One level of a grid: (id, name fr, name en, meaning fr, meaning en, minimum score or None).
LevelRow = tuple[int, str, str, str, str, int | None]


def T(fr: str, en: str | None = None) -> Text:
    """A bilingual text; the English defaults to the French."""
    return Text(fr=fr, en=en or fr)


def level_infos(rows: Iterable[LevelRow]) -> list[LevelInfo]:
    return [
        LevelInfo(id=i, name=T(fr, en), meaning=T(mf, me), min_score=ms)
        for i, fr, en, mf, me, ms in rows
    ]


def level_of(score: float | None, thresholds: Sequence[int]) -> int:
    """The highest level whose threshold (minimum score) the score reaches; 0 without a score."""
    if score is None:
        return 0
    return max(i for i, t in enumerate(thresholds) if score >= t)


def answered_item(qid: str, domain: str, question: Text, **fields: Any) -> AnsweredItem:
    """A question as recorded in a diagnostic; `fields`: applicable, weight, critical, level,
    then for an answered one option, option_label, kind, score, comment, explanation."""
    return AnsweredItem.model_validate(
        {"question_id": qid, "domain": domain, "question": question, **fields}
    )


def finding(
    fid: str,
    ref: str,
    domain: str,
    title: Text,
    action: Text,
    *,
    effort: str = "quick_win",
    who: str = "it",
    references: dict[str, list[str]] | None = None,
    **fields: Any,
) -> Finding:
    """A finding with its recommendation; `fields`: source, severity, kind, critical, priority,
    rank, and optionally target and explanation."""
    recommendation = Recommendation.model_validate({"action": action, "effort": effort, "who": who})
    return Finding.model_validate(
        {
            "id": fid,
            "ref": ref,
            "domain": domain,
            "title": title,
            "recommendation": recommendation,
            "references": References(**(references or {})),
            **fields,
        }
    )


def _scored(score: float | None, level: int, target: int) -> dict[str, Any]:
    """Score, level and target of a domain or of the whole, with the gap between the last two."""
    return {"score": score, "level": level, "target_level": target, "gap": max(0, target - level)}


def domain_score(
    did: str,
    name: Text,
    score: float | None,
    level: int,
    target: int,
    *,
    applicable: bool = True,
    answered: int,
    applicable_q: int,
    checks: int = 0,
    blocking: list[str] | None = None,
) -> DomainScore:
    return DomainScore(
        id=did,
        name=name,
        applicable=applicable,
        **_scored(score, level, target),
        coverage=Coverage(
            questions_applicable=applicable_q,
            questions_answered=answered,
            questions_not_applicable=0,
            checks_tested=checks,
            checks_not_tested=0,
        ),
        blocking=blocking or [],
    )


def diagnostic(
    *,
    created_at: datetime,
    grid: str,
    score: float | None,
    level: int,
    uncapped_level: int,
    caps: list[Cap],
    target_level: int,
    questionnaire: str = "complet",
    **fields: Any,
) -> Diagnostic:
    """A Diagnostic of tool 0.1.0 whose overall score is given by its parts (gap computed);
    `fields` holds the rest (profile, tier, levels, answers, checks, domains, findings...)."""
    return Diagnostic(
        tool_version="0.1.0",
        created_at=created_at,
        questionnaire=VersionInfo(id=questionnaire, version="1.0"),
        grid=VersionInfo(id=grid, version="1.0"),
        overall=OverallScore(
            uncapped_level=uncapped_level,
            capped_by=caps,
            **_scored(score, level, target_level),
        ),
        **fields,
    )
