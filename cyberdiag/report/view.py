"""The report's view model: what the templates lay out, already in the report's language.

Small frozen dataclasses holding plain strings and numbers. Built by cyberdiag.report.build,
laid out by the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from cyberdiag.i18n import Lang

# The PDF's plan details this many actions and gives the others one line (the HTML details all).
PLAN_DETAILED = 10


@dataclass(frozen=True)
class ExplanationView:
    kind: str
    kind_label: str
    text: str
    date: str


@dataclass(frozen=True)
class AnswerView:
    question_id: str
    question: str
    answer: str
    state: str  # good / partial / bad / unknown / delegated / na / none (badge colour)
    comment: str
    critical: bool
    explanation: ExplanationView | None
    # One of the items keeping the domain from its next level (marked in the table).
    blocking: bool = False
    # « confirmé par <prestataire> le <date> » for an answer merged from the provider, and the
    # evidence it gave ("" otherwise).
    confirmed: str = ""
    evidence: str = ""
    # The question's short title (« Copie de sauvegarde hors ligne »): the PDF lists answers
    # under it, the HTML version under the whole question ("" when unknown).
    title: str = ""


@dataclass(frozen=True)
class CheckView:
    id: str
    title: str
    domain: str
    target: str
    status: str
    status_label: str
    message: str
    reason: str
    key_evidence: list[tuple[str, str]]
    evidence: str
    remediation: str
    severity_label: str
    status_rank: int
    # The annex's key facts: what was looked at (record, URL) and what was found there.
    record: str = ""
    value: str = ""


@dataclass(frozen=True)
class FindingView:
    num: int
    id: str
    title: str
    domain: str
    domain_name: str
    severity: str
    severity_label: str
    critical: bool
    kind: str
    kind_label: str
    who_label: str
    effort: str
    effort_label: str
    action: str
    references: list[str]
    target: str
    explanation: ExplanationView | None


@dataclass(frozen=True)
class LevelView:
    id: int
    name: str
    meaning: str


@dataclass(frozen=True)
class DomainView:
    id: str
    name: str
    applicable: bool
    score: float | None
    score_text: str
    level: int
    level_name: str
    target_level: int
    target_name: str
    gap: int
    below_target: bool
    questions_applicable: int
    questions_answered: int
    questions_not_applicable: int
    checks_tested: int
    checks_not_tested: int
    # Every item keeping the domain from its next level; those shown in the domain's own tables
    # are marked there, `blocking_elsewhere` names the others (by question text / check title).
    blocking_ids: list[str]
    blocking_elsewhere: list[str]
    answers: list[AnswerView]
    # Questions that do not apply to this profile (tier, no website...): counted, not listed.
    hidden_not_applicable: int
    checks: list[CheckView]
    median_text: str


@dataclass(frozen=True)
class RiskView:
    domain: str
    sentence: str


@dataclass(frozen=True)
class ContactView:
    name: str
    address: str
    when: str


@dataclass(frozen=True)
class TermView:
    term: str
    definition: str


@dataclass(frozen=True)
class ReportView:
    lang: Lang
    title: str
    municipality: str
    municipality_short: str
    insee: str
    population: str
    agents: str
    it_provider: str
    tier: int
    tier_label: str
    date: str
    generated: str
    tool_version: str
    report_version: str
    questionnaire: str
    grid: str
    schema_version: str
    levels: list[LevelView]
    overall_score: str
    overall_level: LevelView
    uncapped_level: LevelView
    caps: list[str]
    target_level: LevelView
    gap: int
    domains: list[DomainView]
    strongest: list[DomainView]
    weakest: list[DomainView]
    unevaluated: list[str]
    top_actions: list[FindingView]
    findings: list[FindingView]
    risks: list[RiskView]
    nis2_entity: str
    nis2_key: str
    nis2_estimated: bool
    nis2_obligations: list[str]
    radar: Markup
    has_median: bool
    has_target: bool
    median_note: str
    checks: list[CheckView]
    csf: list[tuple[str, str, str]]
    glossary: list[TermView]
    contacts: list[ContactView]
    counts: dict[str, int] = field(default_factory=dict)
    status_labels: dict[str, str] = field(default_factory=dict)
    # « Niveau 0 — Exposé : 2 mesures critiques manquent, 3 sont à confirmer… » ("" when no cap
    # applies).
    level_line: str = ""
    # The caps grouped by cause, known gaps first: (« Écarts constatés », [label, …] named, how
    # many more are not named).
    cap_groups: list[tuple[str, list[str], int]] = field(default_factory=list)
    # « Résolveur du poste : 192.168.1.1 » — through which DNS server the checks were made.
    resolver_note: str = ""
    # How many actions the PDF's plan details (the others get one line; the HTML details all).
    plan_detailed: int = PLAN_DETAILED
    # The glossary of the words the PDF prints (`glossary`: of the whole HTML version).
    glossary_print: list[TermView] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Building
