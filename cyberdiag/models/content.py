"""The shipped content as typed data: questionnaires, the territorial grid, check and port
catalogues."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
)

from cyberdiag.models.base import (
    Effort,
    Model,
    OptionKind,
    Severity,
    Text,
    Who,
)

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

