"""Titles and remediation texts of the checks, read leniently from checks/*.yaml.

The report must render even when a catalogue is missing, half-written or lacks an id: every
file is read on its own with the one YAML reader (cyberdiag.loading), an invalid file is
skipped, and an unknown id falls back to the id itself (see build.py).
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import ValidationError

from cyberdiag.errors import UserError, ValidationFailed
from cyberdiag.loading import read_yaml
from cyberdiag.loading.shipped import shipped_questionnaires
from cyberdiag.models import CheckCatalogue, CheckMeta, Text
from cyberdiag.resources import data_dir

_GRID_KIND = re.compile(r"^kind:\s*[\"']?grid\b", re.MULTILINE)

# Fallback domain of a check id without catalogue entry, from its prefix.
PREFIX_DOMAIN = {
    "dns": "messagerie",
    "mail": "messagerie",
    "smtp": "messagerie",
    "web": "exposition",
    "http": "exposition",
    "tls": "exposition",
    "scan": "exposition",
    "port": "exposition",
    "ports": "exposition",
    "exposure": "exposition",
}


@cache
def grid_thresholds(grid_id: str) -> dict[int, int]:
    """Level id -> min_score of the shipped grid `grid_id` ({} when not found or unreadable).

    Read directly (no cross-validation of the whole bundle, which costs seconds): only used
    when the diagnostic record does not carry the thresholds itself.
    """
    folder = data_dir("questionnaires")
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            # A cheap look first: only the grid file is parsed (the questionnaires are large).
            if not _GRID_KIND.search(path.read_text(encoding="utf-8")):
                continue
            raw = read_yaml(path)
            if not isinstance(raw, dict) or raw.get("kind") != "grid" or raw.get("id") != grid_id:
                continue
            return {int(lv["id"]): int(lv["min_score"]) for lv in raw.get("levels", [])}
        except (OSError, ValidationFailed, KeyError, TypeError, ValueError):
            return {}
    return {}


@cache
def check_catalogue() -> dict[str, CheckMeta]:
    """Every check described in the shipped checks/*.yaml (invalid files skipped)."""
    found: dict[str, CheckMeta] = {}
    folder = data_dir("checks")
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.yaml")):
        try:
            raw = read_yaml(path)
            if not isinstance(raw, dict) or raw.get("kind") != "checks":
                continue
            catalogue = CheckCatalogue.model_validate(raw)
        except (ValidationFailed, ValidationError):
            continue
        for meta in catalogue.checks:
            found.setdefault(meta.id, meta)
    return found


@cache
def question_titles(questionnaire_id: str) -> dict[str, Text]:
    """Question id -> short title, from the shipped questionnaire `questionnaire_id` ({} when
    it is not shipped or the shipped files are unreadable: the report then shows the question
    text)."""
    try:
        questionnaire = shipped_questionnaires().get(questionnaire_id)
    except UserError:
        return {}
    if questionnaire is None:
        return {}
    return {q.id: q.title for q in questionnaire.questions if q.title is not None}
