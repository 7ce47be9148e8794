"""What cyberdiag records: check results (checks.json, scan.json) and the diagnostic
(diagnostic.json), the record every report and aggregate is a view of."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import (
    Field,
)

from cyberdiag.models.base import (
    SCHEMA_VERSION,
    FindingKind,
    Model,
    OptionKind,
    Severity,
    Status,
    Text,
)
from cyberdiag.models.content import (
    Recommendation,
    References,
)
from cyberdiag.models.municipal import (
    AnswerSource,
    Explanation,
    Profile,
)

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


