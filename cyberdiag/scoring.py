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
  place at `cap_if_partial` (check: warn). The record names every cap.
- Findings: every applicable answer below the top of the scale, every "je ne sais pas", every
  delegated item (ask the provider for proof), every check in warn/fail. Priority = severity ×
  weight × deficit; critical items first, then priority, quick wins first among equals.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from cyberdiag.models import (
    SEVERITY_RANK,
    AnsweredItem,
    AnswerFile,
    Cap,
    CheckMeta,
    CheckResult,
    Coverage,
    Diagnostic,
    DomainScore,
    Explanation,
    Finding,
    Grid,
    LevelInfo,
    Nis2Status,
    OverallScore,
    Profile,
    Question,
    Questionnaire,
    Recommendation,
    Severity,
    Text,
    TierRules,
    VersionInfo,
)

STATUS_VALUE = {"pass": 100.0, "warn": 50.0, "fail": 0.0}


def derive_tier(profile: Profile, rules: TierRules) -> int:
    """T4 > large_above inhabitants; T3 > medium_up_to with IT staff (T2 without);
    T2 from small_below with IT staff; T1 otherwise (small, or no IT staff)."""
    pop = profile.population
    if pop > rules.large_above:
        return 4
    if pop > rules.medium_up_to:
        return 3 if profile.it_staff else 2
    if pop >= rules.small_below and profile.it_staff:
        return 2
    return 1


def nis2_status(profile: Profile, rules: TierRules) -> Nis2Status:
    """NIS2 pre-check: declared in the profile, or estimated from the population."""
    if profile.nis2_entity is not None:
        entity, estimated = profile.nis2_entity, False
    else:
        entity = "essential" if profile.population > rules.large_above else "none"
        estimated = True
    obligations: list[Text] = []
    if entity != "none":
        obligations = [
            Text(
                fr="S'enregistrer auprès de l'ANSSI (plateforme MonEspaceNIS2).",
                en="Register with ANSSI (MonEspaceNIS2 platform).",
            ),
            Text(
                fr="Signaler un incident important : alerte précoce sous 24 h, notification sous "
                "72 h, rapport final sous un mois (art. 23).",
                en="Report a significant incident: early warning within 24 h, notification within "
                "72 h, final report within one month (Art. 23).",
            ),
            Text(
                fr="Mettre en œuvre les mesures de l'article 21 (analyse de risques, continuité, "
                "chaîne d'approvisionnement, MFA, formation…), approuvées par l'exécutif.",
                en="Implement the Article 21 measures (risk analysis, continuity, supply chain, "
                "MFA, training…), approved by the executive.",
            ),
            Text(
                fr="Former les élus et la direction, responsables de ces mesures.",
                en="Train elected officials and management, who are accountable for them.",
            ),
        ]
    return Nis2Status(entity=entity, estimated=estimated, obligations=obligations)


def profile_flags(profile: Profile, nis2: Nis2Status) -> dict[str, bool]:
    return {
        "it_staff": profile.it_staff,
        "no_it_staff": not profile.it_staff,
        "it_provider": bool(profile.it_provider),
        "has_website": profile.has_website,
        "own_mail_server": profile.own_mail_server,
        "online_services": profile.online_services,
        "has_ot": profile.has_ot,
        "has_public_addresses": bool(profile.public_addresses),
        "nis2": nis2.entity != "none",
    }


@dataclass(frozen=True)
class _Item:
    question: Question
    applicable: bool
    score: int | None  # None: unanswered or not applicable
    kind: str | None
    option: str | None
    explanation: Explanation | None = None


def _deficit(score: int | None, scale_max: int) -> float:
    return 1.0 if score is None else (scale_max - score) / scale_max


def _severity(q: Question, deficit: float) -> Severity:
    if q.critical:
        return "critical"
    if q.weight >= 4 or (q.weight >= 3 and deficit >= 0.75):
        return "high"
    if q.weight >= 2:
        return "medium"
    return "low"


def _lower(sev: Severity) -> Severity:
    order: list[Severity] = ["info", "low", "medium", "high", "critical"]
    return order[max(0, order.index(sev) - 1)]


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

    # ---- questions -------------------------------------------------------------------------
    items: list[_Item] = []
    answered: list[AnsweredItem] = []
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
            _Item(
                q, applicable, sc, kind, opt.id if opt else None, ans.explanation if ans else None
            )
        )
        answered.append(
            AnsweredItem(
                question_id=q.id,
                domain=q.domain,
                question=q.text,
                applicable=applicable,
                weight=q.weight,
                critical=q.critical,
                level=q.level,
                option=opt.id if opt else None,
                option_label=opt.label if opt else None,
                kind=kind,
                score=sc,
                comment=ans.comment if ans else None,
                explanation=ans.explanation if ans else None,
            )
        )

    # ---- checks by id ----------------------------------------------------------------------
    results_by_id: dict[str, list[CheckResult]] = defaultdict(list)
    for r in checks:
        results_by_id[r.id].append(r)

    # ---- domains ---------------------------------------------------------------------------
    domain_scores: list[DomainScore] = []
    for d in grid.domains:
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
        if domain_ok[d.id]:
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
        if not domain_ok[d.id]:
            level, blocking, dscore = 0, [], None
        domain_scores.append(
            DomainScore(
                id=d.id,
                name=d.name,
                applicable=domain_ok[d.id],
                score=dscore,
                level=level,
                target_level=target_level,
                gap=max(0, target_level - level) if domain_ok[d.id] else 0,
                coverage=Coverage(
                    questions_applicable=len(applicable_qs),
                    questions_answered=answered_n,
                    questions_not_applicable=sum(
                        1 for it in d_items if it.kind == "not_applicable"
                    ),
                    checks_tested=tested,
                    checks_not_tested=not_tested,
                ),
                blocking=blocking,
            )
        )

    # ---- overall ---------------------------------------------------------------------------
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
    caps = _caps(grid, tier, items, results_by_id, scale)
    binding = sorted((c for c in caps if c.level < uncapped), key=lambda c: (c.level, c.item))
    level = min([uncapped, *(c.level for c in binding)])
    overall = OverallScore(
        score=overall_score,
        level=level,
        uncapped_level=uncapped,
        capped_by=binding,
        target_level=target_level,
        gap=max(0, target_level - level),
    )

    findings = _findings(grid, items, checks, catalogue, scale)

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
        answers=answered,
        checks=list(checks),
        domains=domain_scores,
        overall=overall,
        findings=findings,
        csf=_csf_view(items, scale),
        nis2=nis2,
    )


def _threshold_level(grid: Grid, value: float | None) -> int:
    if value is None:
        return 0
    reached = [lv.id for lv in grid.levels if value >= lv.min_score]
    return max(reached, default=0)


def _domain_level(
    grid: Grid, dscore: float | None, applicable: list[_Item], failing_checks: list[str]
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


def _caps(
    grid: Grid,
    tier: int,
    items: list[_Item],
    results: dict[str, list[CheckResult]],
    scale: int,
) -> list[Cap]:
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
            caps.append(Cap(item=c.id, label=c.label, level=lvl, source="question", ref=c.question))
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


def _findings(
    grid: Grid,
    items: list[_Item],
    checks: list[CheckResult],
    catalogue: dict[str, CheckMeta],
    scale: int,
) -> list[Finding]:
    raw: list[tuple[tuple[object, ...], Finding]] = []
    critical_checks = {c.check for c in grid.critical if c.check}
    check_weight = {gc.id: gc.weight for d in grid.domains for gc in d.checks}
    for it in items:
        q = it.question
        if not it.applicable:
            continue
        if it.score is None and not q.critical:
            continue  # unanswered: shown as coverage, not as a finding (except critical items)
        if it.score is not None and it.score >= scale and it.kind != "delegated":
            continue
        deficit = _deficit(it.score, scale)
        if it.kind == "delegated":
            kind = "delegated"
            deficit = max(deficit, 0.25)
            asked = q.delegated_text or q.text
            rec = Recommendation(
                action=Text(
                    fr=f"Demander au prestataire de montrer que c'est fait : {asked.fr}",
                    en=f"Ask the IT provider to show that it is done: {asked.en}",
                ),
                effort="quick_win",
                who=q.recommendation.who if q.recommendation.who != "it" else "management",
            )
        elif it.kind == "dont_know" or it.score is None:
            kind = "unknown"
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
        else:
            kind = "gap"
            rec = q.recommendation
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
    raw.sort(key=lambda x: x[0])
    return [f.model_copy(update={"rank": rank}) for rank, (_, f) in enumerate(raw, start=1)]


def _csf_view(items: list[_Item], scale: int) -> dict[str, float]:
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
