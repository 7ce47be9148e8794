"""The rows the store hands out and takes in: plain typed records, no SQL."""

from __future__ import annotations

from dataclasses import dataclass, field

from cyberdiag.models import Text


@dataclass(frozen=True)
class FindingRow:
    """One finding of an imported diagnostic."""

    ref: str
    kind: str
    severity: str
    critical: bool
    domain: str
    title: Text


@dataclass(frozen=True)
class CapRow:
    """One critical item capping an imported diagnostic's overall level."""

    item: str
    ref: str
    domain: str | None
    level: int
    label: Text
    cause: str = "gap"  # "gap" (known to be missing or partial) or "unknown" (to confirm)


@dataclass
class MuniRow:
    """One municipality's diagnostic in a campaign, with its domain scores, caps and findings."""

    insee: str
    name: str
    population: int
    tier: int
    created_at: str
    overall_score: float | None
    overall_level: int
    uncapped_level: int
    target_level: int
    questions_applicable: int
    questions_answered: int
    scores: dict[str, float | None] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    caps: list[CapRow] = field(default_factory=list)
    findings: list[FindingRow] = field(default_factory=list)


@dataclass(frozen=True)
class DiagnosticSummary:
    """Who answered in a campaign: one diagnostic without its details."""

    insee: str
    name: str
    population: int
    tier: int
    created_at: str
    overall_score: float | None
    overall_level: int


@dataclass(frozen=True)
class DomainScoreRow:
    """One applicable domain of one diagnostic, with its municipality (for the export)."""

    municipality: DiagnosticSummary
    domain: str
    name: Text
    score: float | None
    level: int
    target_level: int
    gap: int


@dataclass(frozen=True)
class StoredDiagnostic:
    """The diagnostic already kept for a municipality in a campaign (import compares with it)."""

    id: int
    created_at: str
    source: str | None


@dataclass(frozen=True)
class RosterRow:
    """One municipality of municipalities.csv, as the store keeps it."""

    insee: str
    name: str
    population: int
    tier: int
    domains: tuple[str, ...]
