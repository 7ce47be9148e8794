"""Typed data shared by every layer of cyberdiag (pydantic v2, frozen, extra keys forbidden).

This module is the contract between the loaders, the interview, the checks, the scoring, the
report and the territorial store. Keep it free of I/O and of heavy imports.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from cyberdiag.i18n import Lang

LANGS: tuple[Lang, ...] = ("fr", "en")

Status = Literal["pass", "warn", "fail", "not_applicable", "not_tested"]
STATUSES: tuple[Status, ...] = ("pass", "warn", "fail", "not_applicable", "not_tested")

Severity = Literal["info", "low", "medium", "high", "critical"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

Effort = Literal["quick_win", "project"]
Who = Literal["elected", "management", "staff", "it"]

# Kinds of answer option. "answer" options carry a maturity score; "dont_know" scores like the
# lowest answer and becomes a finding of its own; "not_applicable" is excluded from the score (a
# justification is kept); "delegated" means "our IT provider does it" and asks for proof.
OptionKind = Literal["answer", "dont_know", "not_applicable", "delegated"]

# Kinds of finding. gap: partly/absent; unknown: "I don't know"; delegated: ask the provider for
# proof; check: an automated check warned or failed.
FindingKind = Literal["gap", "unknown", "delegated", "check"]

# Profile flags a question may require (see Applicability.requires).
PROFILE_FLAGS = (
    "it_staff",
    "no_it_staff",
    "it_provider",
    "has_website",
    "own_mail_server",
    "online_services",
    "has_ot",
    "has_public_addresses",
    "nis2",
)

# 1.1: each cap records its cause (Cap.cause); the DNS servers of the checks (nameservers,
# nameserver_source, optional); AnsweredItem.scored (optional, true when absent); older 1.x
# files are migrated at load (cyberdiag.diagnostic).
SCHEMA_VERSION = "1.1"

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def is_hostname(name: str) -> bool:
    """RFC 1123 host name (letters, digits, hyphens; labels of 1-63; at most 253 characters)."""
    name = name.lower().rstrip(".")
    if not name or len(name) > 253:
        return False
    return all(_LABEL.match(label) for label in name.split("."))


def _domain_name(value: str) -> str:
    name = value.strip().lower().rstrip(".")
    if not is_hostname(name) or "." not in name:
        raise ValueError(f"invalid domain name {value!r} (expected e.g. ville-exemple.fr)")
    return name


DomainName = Annotated[str, AfterValidator(_domain_name)]


class Model(BaseModel):
    """Base: frozen, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(Model):
    """A text a user reads, in French and English (both required, neither empty)."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.fr


# --------------------------------------------------------------------------------------------
# References, recommendations
# --------------------------------------------------------------------------------------------


class References(Model):
    """Verified references. ids only, never the frameworks' text.

    anssi: ANSSI Guide d'hygiène informatique measure numbers ("hygiene-37").
    cis: CIS Controls v8 safeguards ("11.2"). nis2: NIS2 Art. 20 paragraphs ("20.1"),
    Art. 21(2) letters ("21.2.c") or "23" for reporting.
    csf: NIST CSF 2.0 categories/subcategories ("PR.AA-03").
    recyf / amf / other: further ids (ReCyF objective, AMF/ANSSI guide recommendation, RFC...).
    """

    anssi: list[str] = []
    cis: list[str] = []
    nis2: list[str] = []
    csf: list[str] = []
    recyf: list[str] = []
    amf: list[str] = []
    other: list[str] = []


class Recommendation(Model):
    action: Text
    effort: Effort
    who: Who


# --------------------------------------------------------------------------------------------
# Questionnaires
# --------------------------------------------------------------------------------------------


class Option(Model):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: Text
    kind: OptionKind = "answer"
    # Maturity score on the grid's scale (0..scale_max). None only for not_applicable.
    score: int | None = None


class Applicability(Model):
    tiers: list[int] = [1, 2, 3, 4]
    # Every flag listed must be true in the profile (see PROFILE_FLAGS).
    requires: list[str] = []


class Question(Model):
    id: str = Field(pattern=r"^[a-z0-9_.\-]+$")
    domain: str
    text: Text
    # Short title of the measure (a few words), used for findings and the action plan.
    title: Text | None = None
    why: Text
    options: list[Option]
    applies: Applicability = Applicability()
    weight: int = Field(default=1, ge=1, le=5)
    critical: bool = False
    # The maturity level (1..4) at which this item is expected (cumulative levels, see scoring).
    level: int = Field(default=1, ge=1, le=4)
    recommendation: Recommendation
    references: References = References()
    # Workshop questionnaires: the good reflex to adopt, shown after the answer.
    reflex: Text | None = None
    # When answered "delegated", the question as put to the IT provider.
    delegated_text: Text | None = None
    # The technical wording and the evidence to give, for the IT provider: shown with "?" in
    # the interview (after the why) and printed on the provider sheet.
    provider_note: Text | None = None
    # False: asked and recorded (pooling, training needs: the territory's questions) but never
    # scored — no score on its options, never critical, a finding, a cap or in a coverage.
    scored: bool = True


class Questionnaire(Model):
    kind: Literal["questionnaire"]
    id: str
    version: str
    title: Text
    description: Text
    questions: list[Question]


# --------------------------------------------------------------------------------------------
# The territorial diagnostic grid
# --------------------------------------------------------------------------------------------


class Level(Model):
    id: int = Field(ge=0, le=4)
    name: Text
    meaning: Text
    # Minimum domain/overall score (0..100) to reach this level.
    min_score: int = Field(ge=0, le=100)


class GridCheck(Model):
    id: str
    weight: int = Field(default=1, ge=1, le=5)


class Domain(Model):
    id: str = Field(pattern=r"^[a-z_]+$")
    name: Text
    description: Text
    weight: int = Field(default=1, ge=1, le=5)
    checks: list[GridCheck] = []
    # A profile flag; when set, the domain only applies if the flag is true (e.g. has_ot).
    condition: str | None = None
    # False: a domain of unscored questions (pooling): no checks, no score, no level.
    scored: bool = True


class Tier(Model):
    id: int = Field(ge=1, le=4)
    name: Text
    description: Text
    target_level: int = Field(ge=0, le=4)


class TierRules(Model):
    """Population thresholds used to derive the tier (logic lives in scoring.derive_tier)."""

    small_below: int = 1000
    medium_up_to: int = 10000
    large_above: int = 30000


class CriticalItem(Model):
    id: str
    label: Text
    question: str | None = None
    check: str | None = None
    # Level the overall result is capped at when the item is missing / unknown / failed ...
    cap_if_missing: int = Field(default=0, ge=0, le=4)
    # ... and when it is only partly in place (score below scale_max - 1, or check "warn").
    cap_if_partial: int = Field(default=1, ge=0, le=4)
    min_tier: int = Field(default=1, ge=1, le=4)


class Grid(Model):
    kind: Literal["grid"]
    id: str
    version: str
    title: Text
    scale_max: int = Field(default=4, ge=1, le=10)
    levels: list[Level]
    domains: list[Domain]
    tiers: list[Tier]
    tier_rules: TierRules = TierRules()
    critical: list[CriticalItem]


# --------------------------------------------------------------------------------------------
# Check catalogue (checks/*.yaml)
# --------------------------------------------------------------------------------------------


class CheckMeta(Model):
    id: str = Field(pattern=r"^[a-z0-9]+\.[a-z0-9_]+$")
    domain: str
    title: Text
    severity: Severity
    # Plain-language sentence for an elected official.
    explanation: Text
    # What the IT provider should do.
    remediation: Text
    effort: Effort = "quick_win"
    who: Who = "it"
    references: References = References()


class CheckCatalogue(Model):
    kind: Literal["checks"]
    id: str
    version: str
    checks: list[CheckMeta]


# --------------------------------------------------------------------------------------------
# Profile (municipality.yaml)
# --------------------------------------------------------------------------------------------


class Profile(Model):
    name: str = Field(min_length=1, max_length=200)
    insee: str = Field(pattern=r"^(\d{5}|2[AB]\d{3})$")
    population: int = Field(ge=0, le=10_000_000)
    agents: int = Field(ge=0, le=1_000_000)
    it_staff: bool = False
    it_provider: str | None = None
    domains: list[DomainName] = []
    dkim_selectors: list[str] = []
    public_addresses: list[str] = []
    # Allows CIDR ranges wider than /24 in public_addresses (the scan refuses them otherwise).
    allow_wide_ranges: bool = False
    official_email: str | None = None
    has_website: bool = True
    own_mail_server: bool = False
    online_services: bool = False
    has_ot: bool = False
    # NIS2 pre-check: None = let cyberdiag estimate it from the population.
    nis2_entity: Literal["essential", "important", "none"] | None = None


# --------------------------------------------------------------------------------------------
# Answers (answers.yaml)
# --------------------------------------------------------------------------------------------


class Explanation(Model):
    """Comply or explain: shown beside a finding, never hides it."""

    kind: Literal["accepted_risk", "compensating_measure", "planned"]
    text: str = Field(min_length=1, max_length=2000)
    date: str | None = None


AnswerSource = Literal["self", "provider"]
"""Who gave an answer: the municipality itself, or its IT provider (`cyberdiag provider merge`)."""


class Answer(Model):
    option: str
    comment: str | None = Field(default=None, max_length=5000)
    answered_at: datetime | None = None
    explanation: Explanation | None = None
    # Provenance: "provider" when merged from a provider answers file, with who confirmed it,
    # when, and the evidence given. Saved files leave out `source: self` (the default).
    source: AnswerSource = "self"
    confirmed_by: str | None = Field(default=None, max_length=200)
    confirmed_on: date | None = None
    evidence: str | None = Field(default=None, max_length=2000)

    @model_serializer(mode="wrap")
    def _without_default_source(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict) and data.get("source") == "self":
            del data["source"]
        return data


class AnswerFile(Model):
    questionnaire: str
    questionnaire_version: str | None = None
    lang: Lang = "fr"
    answers: dict[str, Answer] = {}
    # Questions the user chose to skip for now (asked again at the end / next run).
    skipped: list[str] = []


def _insee_code(value: Any) -> Any:
    """An INSEE code typed without quotes in YAML (59999) is read as a number: taken back as
    text when it has five digits (a leading zero would be lost, so those must be quoted)."""
    if isinstance(value, int) and not isinstance(value, bool) and 10000 <= value <= 99999:
        return str(value)
    return value


InseeCode = Annotated[str, BeforeValidator(_insee_code), Field(pattern=r"^(\d{5}|2[AB]\d{3})$")]


def _blank_is_none(value: Any) -> Any:
    """A field left blank by hand ('' or spaces) is an empty field."""
    return None if isinstance(value, str) and not value.strip() else value


Blank = BeforeValidator(_blank_is_none)


class ProviderItem(Model):
    """One item of a provider answers file: what to confirm, and the provider's answer."""

    question: str
    # For the reader only (not merged): the question, the technical note, the options allowed.
    text: str | None = None
    note: str | None = None
    options: dict[str, str] = {}
    # The provider's answer: one of `options`' ids; left empty, the item is not merged.
    option: Annotated[str | None, Blank] = None
    confirmed_by: Annotated[str | None, Blank] = Field(default=None, max_length=200)
    confirmed_on: Annotated[date | None, Blank] = None
    evidence: Annotated[str | None, Blank] = Field(default=None, max_length=2000)


class ProviderFile(Model):
    """A provider answers file (prestataire-<insee>.yaml, `cyberdiag provider sheet`): the items
    a municipality asks its IT provider to confirm; the answers hold for every commune listed."""

    kind: Literal["provider_answers"]
    questionnaire: str
    questionnaire_version: str
    lang: Lang = "fr"
    communes: list[InseeCode] = Field(min_length=1)
    provider: Annotated[str | None, Blank] = Field(default=None, max_length=200)
    items: list[ProviderItem] = []


# --------------------------------------------------------------------------------------------
# Check results (the output of `cyberdiag check` / `cyberdiag scan`)
# --------------------------------------------------------------------------------------------


class CheckResult(Model):
    id: str
    target: str
    status: Status
    message: Text
    evidence: dict[str, Any] = {}
    duration: float = 0.0
    # For not_tested / not_applicable: why.
    reason: Text | None = None


class CheckRun(Model):
    """A file written by `cyberdiag check -o` or `cyberdiag scan -o`."""

    kind: Literal["checks", "scan"] = "checks"
    tool_version: str
    started_at: datetime
    nameservers: list[str] = []
    # Where the nameservers come from: "option" (--nameserver), "env" (CYBERDIAG_NAMESERVER),
    # "system" (the computer's own resolver, /etc/resolv.conf); "" in older files.
    nameserver_source: str = ""
    results: list[CheckResult]
    interrupted: bool = False


# --------------------------------------------------------------------------------------------
# The diagnostic record (diagnostic.json)
# --------------------------------------------------------------------------------------------


class AnsweredItem(Model):
    """One question as answered, self-contained (texts embedded so the record stands alone)."""

    question_id: str
    domain: str
    question: Text
    applicable: bool
    weight: int
    critical: bool
    level: int
    option: str | None = None
    option_label: Text | None = None
    kind: OptionKind | None = None
    score: int | None = None
    comment: str | None = Field(default=None, max_length=5000)
    explanation: Explanation | None = None
    # Provenance of the answer (see Answer): a confirmed answer counts like any given answer.
    source: AnswerSource = "self"
    confirmed_by: str | None = Field(default=None, max_length=200)
    confirmed_on: date | None = None
    evidence: str | None = Field(default=None, max_length=2000)
    # False: an unscored question (pooling, training needs), recorded for the territory only.
    scored: bool = True


class Coverage(Model):
    questions_applicable: int
    questions_answered: int
    questions_not_applicable: int
    checks_tested: int
    checks_not_tested: int


class DomainScore(Model):
    id: str
    name: Text
    applicable: bool
    # None when nothing in the domain was answered or tested.
    score: float | None
    level: int
    target_level: int
    gap: int
    coverage: Coverage
    # Why the domain did not reach the next level (question ids / check ids), if any.
    blocking: list[str] = []


# Why a critical item caps the level. gap: known to be missing or partial (the answer says so,
# or a check fails/warns); unknown: not known yet ("je ne sais pas", unanswered, or delegated to
# the IT provider without its confirmation).
CapCause = Literal["gap", "unknown"]


class Cap(Model):
    item: str
    label: Text
    level: int
    source: Literal["question", "check"]
    ref: str
    cause: CapCause = "gap"


class OverallScore(Model):
    score: float | None
    level: int
    uncapped_level: int
    capped_by: list[Cap]
    target_level: int
    gap: int


class Finding(Model):
    id: str
    source: Literal["question", "check"]
    ref: str
    domain: str
    title: Text
    severity: Severity
    kind: FindingKind
    critical: bool
    recommendation: Recommendation
    references: References
    priority: float
    rank: int
    target: str | None = None
    explanation: Explanation | None = None


class LevelInfo(Model):
    id: int
    name: Text
    meaning: Text
    # Minimum score (0..100) of the level in the grid; lets the report draw the tier target.
    min_score: int | None = None


class VersionInfo(Model):
    id: str
    version: str


class Nis2Status(Model):
    entity: Literal["essential", "important", "none"]
    estimated: bool
    obligations: list[Text]


class Diagnostic(Model):
    schema_version: str = SCHEMA_VERSION
    tool_version: str
    created_at: datetime
    questionnaire: VersionInfo
    grid: VersionInfo
    profile: Profile
    tier: int
    levels: list[LevelInfo]
    # Limits (cyberdiag.diagnostic_limits): a crafted file beyond them is refused at load.
    answers: list[AnsweredItem] = Field(max_length=2000)
    checks: list[CheckResult] = Field(default=[], max_length=5000)
    domains: list[DomainScore] = Field(max_length=100)
    overall: OverallScore
    findings: list[Finding] = Field(max_length=2000)
    # NIST CSF 2.0 view of the same answers: function (GV, ID, PR, DE, RS, RC) -> score 0..100.
    csf: dict[str, float] = {}
    nis2: Nis2Status
    # Through which DNS server(s) the checks were made, and where they came from (CheckRun).
    nameservers: list[str] = Field(default=[], max_length=20)
    nameserver_source: str = Field(default="", max_length=20)


# --------------------------------------------------------------------------------------------
# Port catalogue for the exposure scan (checks/ports.yaml) — owned by the scan module.
# --------------------------------------------------------------------------------------------


class PortInfo(Model):
    port: int = Field(ge=1, le=65535)
    service: str
    category: str
    risky: bool
    # For risky ports: high/critical -> exposure.risky_services fails; medium/low -> warns.
    severity: Severity = "high"
    title: Text
    explanation: Text
    remediation: Text


class PortCatalogue(Model):
    kind: Literal["ports"]
    id: str
    version: str
    # Category id (PortInfo.category) -> label shown to users.
    categories: dict[str, Text] = {}
    ports: list[PortInfo]
