"""What a municipality writes: its profile (municipality.yaml), its answers (answers.yaml) and a
provider's answers file."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from cyberdiag.i18n import Lang
from cyberdiag.models.base import (
    DomainName,
    Model,
)

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


