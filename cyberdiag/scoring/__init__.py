"""Pure scoring against the territorial grid: profile + answers + check results → diagnostic.

No I/O here. The rules (also in the README, "Méthode de calcul"):

- A question applies when the tier is in `applies.tiers`, every flag in `applies.requires` holds
  for the profile, and its domain applies. "Non applicable" answers are excluded (the comment that
  justifies them is kept). "Je ne sais pas" scores like the lowest answer and becomes a finding.
- Domain score (0–100): weighted mean of answer scores (score / scale_max) and of check results
  (pass 100, warn 50, fail 0; several targets of one check are averaged). `not_applicable` and
  `not_tested` results are excluded; `not_tested` ones are counted in the coverage.
- Domain level (cumulative, as in C2M2): level L is reached when the score reaches the level's
  threshold AND every applicable question expected at a level ≤ L is answered and in place
  (score ≥ half the scale for level 1, ≥ scale_max − 1 above) AND, from level 2, no important check
  (grid weight ≥ 2) fails. An average cannot hide a missing basic measure.
- Overall score: weighted mean of the domain scores (domain weights). Overall level: the level of
  the overall score, at most one above the weakest domain, then capped by the critical items: a
  critical item missing, unknown or unanswered caps at `cap_if_missing` (check: fail), partly in
  place at `cap_if_partial` (check: warn). The record names every cap holding the level where it
  is (also when the score alone already gives that level), each with its cause: "gap" (the
  answer says missing or partial, or a check fails/warns) or "unknown" (« je ne sais pas », no
  answer, or delegated to the provider without its confirmation) — see scoring/causes.py.
- Findings: every applicable answer below the top of the scale, every "je ne sais pas", every
  delegated item (ask the provider for proof), every check in warn/fail. Priority = severity ×
  weight × deficit; critical items first, then priority, quick wins first among equals.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from cyberdiag.models import (
    AnswerFile,
    CheckMeta,
    CheckResult,
    Diagnostic,
    Grid,
    LevelInfo,
    Profile,
    Questionnaire,
    VersionInfo,
)
from cyberdiag.scoring.domains import (
    STATUS_VALUE,
    answered_item,
    caps,
    csf_view,
    domain_score,
    overall,
    question_items,
)
from cyberdiag.scoring.findings import findings
from cyberdiag.scoring.profile_rules import derive_tier, nis2_status, profile_flags

__all__ = ["STATUS_VALUE", "derive_tier", "nis2_status", "profile_flags", "score"]


def score(
    *,
    grid: Grid,
    questionnaire: Questionnaire,
    profile: Profile,
    answers: AnswerFile,
    checks: list[CheckResult],
    catalogue: dict[str, CheckMeta],
    tool_version: str,
    created_at: datetime,
) -> Diagnostic:
    """Score one municipality. Pure: same inputs, same diagnostic."""
    scale = grid.scale_max
    tier = derive_tier(profile, grid.tier_rules)
    nis2 = nis2_status(profile, grid.tier_rules)
    flags = profile_flags(profile, nis2)
    target_level = next((t.target_level for t in grid.tiers if t.id == tier), 0)
    domain_ok = {d.id: (d.condition is None or flags.get(d.condition, False)) for d in grid.domains}
    items = question_items(questionnaire, answers, tier, flags, domain_ok)
    # Unscored questions and domains (pooling, training needs: Question.scored, Domain.scored)
    # are recorded in the answers for the territory, and take part in nothing else.
    unscored = {d.id for d in grid.domains if not d.scored}
    counted = [it for it in items if it.question.scored and it.question.domain not in unscored]
    ids = {it.question.id for it in counted}
    results_by_id: dict[str, list[CheckResult]] = defaultdict(list)
    for r in checks:
        results_by_id[r.id].append(r)
    domain_scores = [
        domain_score(grid, d, counted, results_by_id, domain_ok[d.id], target_level)
        for d in grid.domains
        if d.scored
    ]
    # Answers the IT provider confirmed (`cyberdiag provider merge`): no longer "to confirm".
    confirmed = frozenset(
        qid for qid, a in answers.answers.items() if a.source == "provider"
    )
    critical_caps = caps(grid, tier, counted, results_by_id, scale, confirmed)
    return Diagnostic(
        tool_version=tool_version,
        created_at=created_at,
        questionnaire=VersionInfo(id=questionnaire.id, version=questionnaire.version),
        grid=VersionInfo(id=grid.id, version=grid.version),
        profile=profile,
        tier=tier,
        levels=[
            LevelInfo(id=lv.id, name=lv.name, meaning=lv.meaning, min_score=lv.min_score)
            for lv in grid.levels
        ],
        answers=[answered_item(it, answers, scored=it.question.id in ids) for it in items],
        checks=list(checks),
        domains=domain_scores,
        overall=overall(grid, domain_scores, critical_caps, target_level),
        findings=findings(grid, counted, checks, catalogue, scale),
        csf=csf_view(counted, scale),
        nis2=nis2,
    )
