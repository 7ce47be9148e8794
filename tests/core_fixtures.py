"""A small hand-made grid and questionnaire whose scores are computed by hand in the tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cyberdiag.models import (
    Answer,
    AnswerFile,
    CheckMeta,
    CheckResult,
    Grid,
    Profile,
    Questionnaire,
    Text,
)


def T(s: str) -> dict[str, str]:
    return {"fr": s + " (fr)", "en": s + " (en)"}


def _options(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    base = [
        {"id": "oui", "label": T("oui"), "score": 4},
        {"id": "partiel", "label": T("partiel"), "score": 2},
        {"id": "non", "label": T("non"), "score": 0},
        {"id": "nsp", "label": T("je ne sais pas"), "kind": "dont_know", "score": 0},
    ]
    return base + list(extra)


def _q(qid: str, domain: str, **kw: Any) -> dict[str, Any]:
    q = {
        "id": qid,
        "domain": domain,
        "text": T(f"question {qid} ?"),
        "why": T("pourquoi"),
        "options": _options(),
        "recommendation": {"action": T(f"faire {qid}"), "effort": "quick_win", "who": "it"},
    }
    q.update(kw)
    return q


GRID: dict[str, Any] = {
    "kind": "grid",
    "id": "mini",
    "version": "1",
    "title": T("grille"),
    "scale_max": 4,
    "levels": [
        {"id": i, "name": T(f"niveau {i}"), "meaning": T("sens"), "min_score": s}
        for i, s in enumerate([0, 40, 60, 80, 92])
    ],
    "domains": [
        {"id": "a", "name": T("A"), "description": T("a"), "weight": 2,
         "checks": [{"id": "mail.spf", "weight": 2}]},
        {"id": "b", "name": T("B"), "description": T("b"), "weight": 1},
        {"id": "ot", "name": T("OT"), "description": T("ot"), "condition": "has_ot"},
    ],
    "tiers": [
        {"id": i, "name": T(f"strate {i}"), "description": T("d"), "target_level": t}
        for i, t in zip((1, 2, 3, 4), (2, 2, 3, 4), strict=True)
    ],
    "critical": [
        {"id": "crit-backup", "label": T("pas de sauvegarde"), "question": "a.backup"},
    ],
}

QUESTIONNAIRE: dict[str, Any] = {
    "kind": "questionnaire",
    "id": "mini",
    "version": "1",
    "title": T("mini"),
    "description": T("mini"),
    "questions": [
        _q("a.backup", "a", critical=True, weight=3, level=1),
        _q("a.doc", "a", weight=1, level=3),
        _q(
            "b.mfa",
            "b",
            weight=2,
            options=_options(
                {"id": "na", "label": T("n/a"), "kind": "not_applicable"},
                {"id": "prest", "label": T("prestataire"), "kind": "delegated", "score": 2},
            ),
        ),
        _q("b.t3only", "b", applies={"tiers": [3, 4]}),
        _q("ot.cam", "ot"),
    ],
}

CATALOGUE = {
    "mail.spf": CheckMeta(
        id="mail.spf",
        domain="a",
        title=Text(fr="SPF", en="SPF"),
        severity="high",
        explanation=Text(fr="e", en="e"),
        remediation=Text(fr="corriger SPF", en="fix SPF"),
    )
}

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def grid() -> Grid:
    return Grid.model_validate(GRID)


def questionnaire() -> Questionnaire:
    return Questionnaire.model_validate(QUESTIONNAIRE)


def profile(population: int = 5000, it_staff: bool = True, **kw: Any) -> Profile:
    return Profile(
        name="Testville", insee="59999", population=population, agents=40, it_staff=it_staff, **kw
    )


def answers(**opts: str) -> AnswerFile:
    return AnswerFile(
        questionnaire="mini",
        answers={k.replace("_", "."): Answer(option=v) for k, v in opts.items()},
    )


def check(cid: str, target: str, status: str) -> CheckResult:
    return CheckResult(
        id=cid, target=target, status=status,  # type: ignore[arg-type]
        message=Text(fr=status, en=status),
    )
