"""Diagnostic -> ReportView (cyberdiag.report.view), in the report's language.

Nothing is scored here: every figure comes from the diagnostic record (see cyberdiag.scoring),
the report is a view of it. Choices made here: the plan's order (quick wins first among equals),
the strongest / weakest domains, the risk sentences, which glossary terms are used, where each
check belongs, the radar's series.
"""

from __future__ import annotations

from datetime import date, datetime

from markupsafe import Markup

from cyberdiag import __version__
from cyberdiag.i18n import Lang, tr
from cyberdiag.models import (
    AnsweredItem,
    Cap,
    CheckMeta,
    CheckResult,
    Diagnostic,
    DomainScore,
    Explanation,
    Finding,
    References,
    Text,
)
from cyberdiag.net.dnsclient import resolver_label
from cyberdiag.report import evidence
from cyberdiag.report.catalogue import (
    PREFIX_DOMAIN,
    check_catalogue,
    grid_thresholds,
    question_titles,
)
from cyberdiag.report.frtypo import format_date, format_number
from cyberdiag.report.labels import Labels, glossary, labels
from cyberdiag.report.radar import Axis, radar_svg
from cyberdiag.report.view import (
    PLAN_DETAILED,
    AnswerView,
    CheckView,
    ContactView,
    DomainView,
    ExplanationView,
    FindingView,
    LevelView,
    ReportView,
    RiskView,
    TermView,
)
from cyberdiag.scoring.causes import asks_provider, cause_heading, level_sentence

TOP_ACTIONS = 5
# The summary's "capped by" names this many caps; the others are counted (the plan has them all).
CAPS_NAMED = 4
TOP_DOMAINS = 3
# Order of the technical annex: what needs work first.
STATUS_ORDER = ("fail", "warn", "not_tested", "pass", "not_applicable")
CSF_NAMES = {
    "GV": Text(fr="Gouverner", en="Govern"),
    "ID": Text(fr="Identifier", en="Identify"),
    "PR": Text(fr="Protéger", en="Protect"),
    "DE": Text(fr="Détecter", en="Detect"),
    "RS": Text(fr="Répondre", en="Respond"),
    "RC": Text(fr="Rétablir", en="Recover"),
}


def _label(table: dict[str, Text], key: str, lang: Lang) -> str:
    text = table.get(key)
    return text.get(lang) if text is not None else key


def _score_text(score: float | None, lang: Lang) -> str:
    if score is None:
        return tr("non évalué", "not assessed", lang)
    return f"{format_number(round(score), lang)} / 100"


def _explanation(expl: Explanation | None, lab: Labels, lang: Lang) -> ExplanationView | None:
    if expl is None:
        return None
    return ExplanationView(
        kind=expl.kind,
        kind_label=_label(lab.explanation_kind, expl.kind, lang),
        text=expl.text,
        date=_user_date(expl.date, lang),
    )


def _user_date(value: str | None, lang: Lang) -> str:
    """A date the user typed: « 31 mars 2027 » when it is an ISO date, else as written."""
    if not value:
        return ""
    try:
        return format_date(date.fromisoformat(value.strip()), lang)
    except ValueError:
        return value


def _references(refs: References) -> list[str]:
    out: list[str] = []
    for name, values in (
        ("ANSSI", refs.anssi),
        ("CIS", refs.cis),
        ("NIS2", refs.nis2),
        ("CSF", refs.csf),
        ("ReCyF", refs.recyf),
        ("AMF", refs.amf),
        ("", refs.other),
    ):
        out.extend(f"{name} {v}".strip() for v in values)
    return out


def plan_order(findings: list[Finding]) -> list[Finding]:
    """Findings in the diagnostic's rank order; quick wins first among equals.

    "Equals" are consecutive findings (by rank) with the same critical flag and priority: the
    scoring's order is never overturned, only ties are broken in favour of quick wins.
    """
    ranked = sorted(findings, key=lambda f: f.rank)
    group = 0
    keyed: list[tuple[int, int, int, Finding]] = []
    prev: tuple[bool, float] | None = None
    for f in ranked:
        key = (f.critical, round(f.priority, 6))
        if prev is not None and key != prev:
            group += 1
        prev = key
        keyed.append((group, 0 if f.recommendation.effort == "quick_win" else 1, f.rank, f))
    keyed.sort(key=lambda k: k[:3])
    return [k[3] for k in keyed]


def _level_view(levels: dict[int, LevelView], level: int, lang: Lang) -> LevelView:
    return levels.get(level) or LevelView(level, tr(f"Niveau {level}", f"Level {level}", lang), "")


def _check_domain(result: CheckResult, meta: CheckMeta | None, findings: list[Finding]) -> str:
    if meta is not None:
        return meta.domain
    for f in findings:
        if f.source == "check" and f.ref == result.id:
            return f.domain
    return PREFIX_DOMAIN.get(result.id.split(".", 1)[0], "")


def _check_view(result: CheckResult, diag: Diagnostic, lab: Labels, lang: Lang) -> CheckView:
    meta = check_catalogue().get(result.id)
    record, value = evidence.facts(result.evidence, result.target, lang, result.id)
    return CheckView(
        id=result.id,
        title=meta.title.get(lang) if meta else result.id,
        domain=_check_domain(result, meta, diag.findings),
        target=result.target,
        status=result.status,
        status_label=_label(lab.status, result.status, lang),
        message=result.message.get(lang),
        reason=result.reason.get(lang) if result.reason else "",
        key_evidence=evidence.key_items(result.evidence, lang),
        evidence=evidence.pretty(result.evidence, lang),
        remediation=meta.remediation.get(lang) if meta else "",
        severity_label=_label(lab.severity, meta.severity, lang) if meta else "",
        status_rank=STATUS_ORDER.index(result.status),
        record=record,
        value=value,
    )


def _answer_state(item: AnsweredItem, scale_max: int) -> str:
    if not item.applicable or item.kind == "not_applicable":
        return "na"
    if item.option is None:
        return "none"
    if item.kind == "dont_know":
        return "unknown"
    if item.kind == "delegated":
        return "delegated"
    if item.score is None:
        return "none"
    if item.score >= scale_max:
        return "good"
    if item.score <= 0:
        return "bad"
    return "partial"


def _answer_view(
    item: AnsweredItem,
    lab: Labels,
    lang: Lang,
    scale_max: int,
    blocking: set[str],
    titles: dict[str, Text],
) -> AnswerView:
    if not item.applicable:
        answer = tr("Sans objet pour ce profil", "Not applicable to this profile", lang)
    elif item.option is None:
        answer = tr("Non répondu", "Not answered", lang)
    elif item.option_label is not None:
        answer = item.option_label.get(lang)
    else:
        answer = _label(lab.answer_kind, item.kind or "answer", lang)
    return AnswerView(
        question_id=item.question_id,
        question=item.question.get(lang),
        answer=answer,
        state=_answer_state(item, scale_max),
        comment=item.comment or "",
        critical=item.critical,
        explanation=_explanation(item.explanation, lab, lang),
        blocking=item.question_id in blocking,
        confirmed=_confirmed(item, lang),
        evidence=(item.evidence or "") if item.source == "provider" else "",
        title=titles[item.question_id].get(lang) if item.question_id in titles else "",
    )


def _confirmed(item: AnsweredItem, lang: Lang) -> str:
    """« confirmé par <prestataire> le <date> » for an answer merged from the provider."""
    if item.source != "provider":
        return ""
    who = item.confirmed_by or tr("le prestataire", "the provider", lang)
    if item.confirmed_on is None:
        return tr(f"confirmé par {who}", f"confirmed by {who}", lang)
    when = format_date(item.confirmed_on, lang)
    return tr(f"confirmé par {who} le {when}", f"confirmed by {who} on {when}", lang)


def _finding_view(
    num: int, f: Finding, names: dict[str, str], lab: Labels, lang: Lang
) -> FindingView:
    return FindingView(
        num=num,
        id=f.id,
        title=f.title.get(lang),
        domain=f.domain,
        domain_name=names.get(f.domain, f.domain),
        severity=f.severity,
        severity_label=_label(lab.severity, f.severity, lang),
        critical=f.critical,
        kind=f.kind,
        kind_label=_label(lab.finding_kind, f.kind, lang),
        who_label=_label(lab.who, f.recommendation.who, lang),
        effort=f.recommendation.effort,
        effort_label=_label(lab.effort, f.recommendation.effort, lang),
        action=f.recommendation.action.get(lang),
        references=_references(f.references),
        target=f.target or "",
        explanation=_explanation(f.explanation, lab, lang),
    )


def _blocking_texts(ids: list[str], diag: Diagnostic, lang: Lang) -> list[str]:
    questions = {a.question_id: a.question.get(lang) for a in diag.answers}
    catalogue = check_catalogue()
    out: list[str] = []
    for ref in ids:
        if ref in questions:
            out.append(questions[ref])
        elif ref in catalogue:
            out.append(catalogue[ref].title.get(lang))
        else:
            out.append(ref)
    return out


def _scale_max(diag: Diagnostic) -> int:
    scores = [a.score for a in diag.answers if a.score is not None]
    return max(scores) if scores else 4


def _domain_view(
    d: DomainScore,
    diag: Diagnostic,
    levels: dict[int, LevelView],
    checks: list[CheckView],
    medians: dict[str, float] | None,
    lab: Labels,
    lang: Lang,
) -> DomainView:
    scale_max = _scale_max(diag)
    median = (medians or {}).get(d.id)
    blocking = set(d.blocking)
    items = [a for a in diag.answers if a.domain == d.id]
    titles = question_titles(diag.questionnaire.id)
    answers = [
        _answer_view(a, lab, lang, scale_max, blocking, titles) for a in items if a.applicable
    ]
    own_checks = [c for c in checks if c.domain == d.id]
    shown = {a.question_id for a in answers} | {c.id for c in own_checks}
    return DomainView(
        id=d.id,
        name=d.name.get(lang),
        applicable=d.applicable,
        score=d.score,
        score_text=_score_text(d.score, lang),
        level=d.level,
        level_name=_level_view(levels, d.level, lang).name,
        target_level=d.target_level,
        target_name=_level_view(levels, d.target_level, lang).name,
        gap=d.gap,
        below_target=d.gap > 0,
        questions_applicable=d.coverage.questions_applicable,
        questions_answered=d.coverage.questions_answered,
        questions_not_applicable=d.coverage.questions_not_applicable,
        checks_tested=d.coverage.checks_tested,
        checks_not_tested=d.coverage.checks_not_tested,
        blocking_ids=list(d.blocking),
        blocking_elsewhere=_blocking_texts([b for b in d.blocking if b not in shown], diag, lang),
        answers=answers,
        hidden_not_applicable=sum(1 for a in items if not a.applicable),
        checks=own_checks,
        median_text=_score_text(median, lang) if median is not None else "",
    )


def _grid_min_scores(diag: Diagnostic) -> dict[int, int]:
    """Level thresholds: from the record, else from the shipped grid of the same id."""
    found = {lv.id: lv.min_score for lv in diag.levels if lv.min_score is not None}
    if len(found) == len(diag.levels):
        return found
    return grid_thresholds(diag.grid.id) or found


def _target_score(thresholds: dict[int, int], level: int) -> float | None:
    value = thresholds.get(level)
    return float(value) if value is not None else None


def _radar(
    domains: list[DomainView], diag: Diagnostic, medians: dict[str, float] | None, lang: Lang
) -> Markup:
    axes: list[Axis] = []
    thresholds = _grid_min_scores(diag)
    for d in domains:
        if not d.applicable:
            continue
        median = (medians or {}).get(d.id)
        axes.append(
            Axis(
                label=d.name,
                score=d.score,
                target=_target_score(thresholds, d.target_level),
                median=median,
                note=d.score_text,
                below_target=d.below_target,
            )
        )
    title = tr("Scores par domaine", "Scores by domain", lang)
    return radar_svg(axes, title)


def _glossary(corpus: str, lang: Lang) -> list[TermView]:
    low = corpus.lower()
    out = [
        TermView(t.term.get(lang), t.definition.get(lang))
        for t in glossary().terms
        if t.always or any(m.lower() in low for m in t.match)
    ]
    return sorted(out, key=lambda t: t.term.lower())


def _strongest_weakest(domains: list[DomainView]) -> tuple[list[DomainView], list[DomainView]]:
    """The strongest and the weakest assessed domains (at most TOP_DOMAINS each, no overlap)."""
    scored = [d for d in domains if d.applicable and d.score is not None]
    by_score = sorted(scored, key=lambda d: (-(d.score or 0), d.gap, d.name))
    # A domain scored 0 is nobody's strength, however few domains were assessed.
    n_strong = min(TOP_DOMAINS, len(by_score) // 2 or len(by_score))
    strongest = [d for d in by_score if (d.score or 0) > 0][:n_strong]
    weakest = [d for d in reversed(by_score) if d not in strongest][:TOP_DOMAINS]
    return strongest, weakest


def _risks(weakest: list[DomainView], lab: Labels, lang: Lang) -> list[RiskView]:
    """What could happen, for the weak domains below target or under 60 (at least one)."""
    risk_domains = [d for d in weakest if d.below_target or (d.score or 0) < 60]
    if not risk_domains:
        risk_domains = weakest[:1]
    return [RiskView(d.name, lab.risks.get(d.id, lab.risk_default).get(lang)) for d in risk_domains]


def _csf_rows(diag: Diagnostic, lang: Lang) -> list[tuple[str, str, str]]:
    """(code, name, score) of each NIST CSF function, in the framework's order."""
    return [
        (code, CSF_NAMES[code].get(lang) if code in CSF_NAMES else code, _score_text(v, lang))
        for code, v in sorted(
            diag.csf.items(),
            key=lambda kv: list(CSF_NAMES).index(kv[0]) if kv[0] in CSF_NAMES else 99,
        )
    ]


def _median_note(medians: dict[str, float] | None, lang: Lang) -> str:
    """Why no median is shown when the territorial store has too few peers ("" otherwise)."""
    if medians is not None and not medians:
        return tr(
            "Pas encore assez de communes de la même strate dans la base territoriale pour "
            "afficher une médiane sans révéler une commune.",
            "Not enough municipalities of the same tier in the territorial store yet to show a "
            "median without revealing one.",
            lang,
        )
    return ""


# About 80 lines: one statement per section of the report, read top to bottom like the report.
def build_view(
    diag: Diagnostic,
    lang: Lang = "fr",
    medians: dict[str, float] | None = None,
    now: datetime | None = None,
) -> ReportView:
    """Everything the template shows, in `lang`, computed from the diagnostic record."""
    lab = labels()
    levels = {
        lv.id: LevelView(lv.id, lv.name.get(lang), lv.meaning.get(lang)) for lv in diag.levels
    }
    names = {d.id: d.name.get(lang) for d in diag.domains}
    checks = [_check_view(c, diag, lab, lang) for c in diag.checks]
    domains = [_domain_view(d, diag, levels, checks, medians, lab, lang) for d in diag.domains]
    strongest, weakest = _strongest_weakest(domains)
    ordered = plan_order(diag.findings)
    findings = [_finding_view(i + 1, f, names, lab, lang) for i, f in enumerate(ordered)]
    risks = _risks(weakest, lab, lang)
    ov = diag.overall
    p = diag.profile
    common = [c.title + " " + c.message + " " + c.remediation for c in checks] + [
        r.sentence for r in risks
    ] + [cap.label.get(lang) for cap in ov.capped_by]
    corpus = " ".join(
        [f.title + " " + f.action + " " + " ".join(f.references) for f in findings]
        + [a.question for d in domains for a in d.answers]
        + common
    )
    # The PDF prints less (the first actions in full, the others' titles; answers under their
    # titles): its glossary explains the words it prints.
    corpus_print = " ".join(
        [f.title + " " + f.action + " " + " ".join(f.references) for f in findings[:PLAN_DETAILED]]
        + [f.title for f in findings[PLAN_DETAILED:]]
        + [a.title or a.question for d in domains for a in d.answers]
        + common
    )
    return ReportView(
        lang=lang,
        title=tr("Diagnostic de cybersécurité", "Cybersecurity diagnostic", lang),
        municipality=p.name,
        municipality_short=p.name if len(p.name) <= 50 else p.name[:49] + "…",
        insee=p.insee,
        population=format_number(p.population, lang),
        agents=format_number(p.agents, lang),
        it_provider=p.it_provider or "",
        tier=diag.tier,
        tier_label=_label({str(k): v for k, v in lab.tiers.items()}, str(diag.tier), lang),
        date=format_date(diag.created_at, lang),
        generated=format_date(now or datetime.now(), lang),
        tool_version=diag.tool_version,
        report_version=__version__,
        questionnaire=f"{diag.questionnaire.id} {diag.questionnaire.version}",
        grid=f"{diag.grid.id} {diag.grid.version}",
        schema_version=diag.schema_version,
        levels=[levels[k] for k in sorted(levels)],
        overall_score=_score_text(ov.score, lang),
        overall_level=_level_view(levels, ov.level, lang),
        uncapped_level=_level_view(levels, ov.uncapped_level, lang),
        caps=[c.label.get(lang) for c in ov.capped_by],
        target_level=_level_view(levels, ov.target_level, lang),
        gap=ov.gap,
        domains=domains,
        strongest=strongest,
        weakest=weakest,
        unevaluated=[d.name for d in domains if d.applicable and d.score is None],
        top_actions=findings[:TOP_ACTIONS],
        findings=findings,
        risks=risks,
        nis2_entity=_label(lab.nis2_entity, diag.nis2.entity, lang),
        nis2_key=diag.nis2.entity,
        nis2_estimated=diag.nis2.estimated,
        nis2_obligations=[o.get(lang) for o in diag.nis2.obligations],
        radar=_radar(domains, diag, medians, lang),
        has_target=bool(_grid_min_scores(diag)),
        has_median=bool(medians),
        median_note=_median_note(medians, lang),
        checks=checks,
        csf=_csf_rows(diag, lang),
        glossary=_glossary(corpus, lang),
        glossary_print=_glossary(corpus_print, lang),
        contacts=[
            ContactView(c.name.get(lang), c.address, c.when.get(lang)) for c in glossary().contacts
        ],
        counts={s: sum(1 for c in diag.checks if c.status == s) for s in lab.status},
        status_labels={k: v.get(lang) for k, v in lab.status.items()},
        level_line=level_sentence(diag, lang) if ov.capped_by else "",
        cap_groups=_cap_groups(diag, lang),
        resolver_note=_resolver_note(diag, lang),
    )


def _cap_groups(diag: Diagnostic, lang: Lang) -> list[tuple[str, list[str], int]]:
    """The caps grouped by cause, known gaps first: (« Écarts constatés », labels named, how
    many more). The summary names each cause once, and at most CAPS_NAMED labels in all (at
    least one per cause): the plan lists every critical action."""
    groups: dict[str, list[Cap]] = {}
    for cap in sorted(diag.overall.capped_by, key=lambda c: c.cause != "gap"):
        groups.setdefault(cap.cause, []).append(cap)
    provider = asks_provider(diag)
    out: list[tuple[str, list[str], int]] = []
    room = CAPS_NAMED
    for caps in groups.values():
        named = [c.label.get(lang) for c in caps[: max(room, 1)]]
        room -= len(named)
        heading = cause_heading(caps[0], len(caps), provider, lang)
        out.append((heading, named, len(caps) - len(named)))
    return out


def _resolver_note(diag: Diagnostic, lang: Lang) -> str:
    """« Vérifications faites avec le résolveur du poste : 192.168.1.1. » ("" when unknown)."""
    label = resolver_label(diag.nameservers, diag.nameserver_source, lang)
    if not label:
        return ""
    return tr(f"Vérifications faites avec le {label}.", f"Checks made through the {label}.", lang)


# --------------------------------------------------------------------------------------------
