"""The report's data texts: labels (labels.yaml) and glossary (glossary.yaml) in report_templates/.

Both files are read with a safe YAML loader and validated with pydantic models, once per process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from cyberdiag.errors import UserError
from cyberdiag.models import Model, Text
from cyberdiag.resources import data_dir


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


def templates_dir() -> Path:
    """The folder of the report's templates, stylesheets and texts (resolved)."""
    return data_dir("report_templates").resolve()


def _read(name: str) -> Any:
    path = templates_dir() / name
    try:
        with open(path, encoding="utf-8") as fh:
            # CSafeLoader (libyaml) when available: safe like safe_load, several times faster.
            return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(
            f"Fichier du rapport illisible : {path} ({exc})",
            f"Unreadable report file: {path} ({exc})",
        ) from exc


def _invalid(name: str, exc: ValidationError) -> UserError:
    return UserError(
        f"Fichier du rapport invalide : {name}",
        f"Invalid report file: {name}",
        lines=[str(e["loc"]) + " " + e["msg"] for e in exc.errors()],
    )


@cache
def labels() -> Labels:
    try:
        return Labels.model_validate(_read("labels.yaml"))
    except ValidationError as exc:
        raise _invalid("labels.yaml", exc) from exc


@cache
def glossary() -> Glossary:
    try:
        return Glossary.model_validate(_read("glossary.yaml"))
    except ValidationError as exc:
        raise _invalid("glossary.yaml", exc) from exc
