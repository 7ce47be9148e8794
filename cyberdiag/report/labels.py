"""The report's data texts: labels (labels.yaml) and glossary (glossary.yaml) in report_templates/.

Both files are read with the one YAML reader and validated with pydantic models, once per process.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from cyberdiag.loading import read_model
from cyberdiag.models import Model, Text
from cyberdiag.report.templating import templates_dir


class Labels(Model):
    kind: Literal["report_labels"]
    version: str
    severity: dict[str, Text]
    status: dict[str, Text]
    finding_kind: dict[str, Text]
    who: dict[str, Text]
    effort: dict[str, Text]
    explanation_kind: dict[str, Text]
    answer_kind: dict[str, Text]
    nis2_entity: dict[str, Text]
    tiers: dict[int, Text]
    risks: dict[str, Text]
    risk_default: Text


class GlossaryTerm(Model):
    term: Text
    definition: Text
    match: list[str] = []
    always: bool = False


class Contact(Model):
    name: Text
    address: str = ""
    when: Text


class Glossary(Model):
    kind: Literal["report_glossary"]
    version: str
    terms: list[GlossaryTerm]
    contacts: list[Contact]


@cache
def labels() -> Labels:
    """The report's labels (labels.yaml); ValidationFailed names file:line › field."""
    return read_model(templates_dir() / "labels.yaml", Labels)


@cache
def glossary() -> Glossary:
    """The report's glossary and contacts (glossary.yaml)."""
    return read_model(templates_dir() / "glossary.yaml", Glossary)
