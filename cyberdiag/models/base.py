"""Shared building blocks of the models: the base model, bilingual text, status and severity
words, references and recommendations."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
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
    """Base: frozen, unknown keys refused.

    defer_build: a model's validator is built the first time it is used, not when the module is
    imported; a command builds only those it uses (the questionnaire: not the diagnostic's)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Text(Model):
    """A text a user reads, in French and English (both required, neither empty)."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.fr


