"""The shipped questionnaires, grid and check catalogue as typed models, validated once per process
(and kept validated between runs: shipped_cache.py).

Also a user's own questionnaire file, checked against the shipped grid.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from cyberdiag.errors import UserError, ValidationFailed
from cyberdiag.loading import shipped_cache
from cyberdiag.loading.validate import build_bundle, check_bundle, shipped_files
from cyberdiag.models import CheckMeta, Grid, Questionnaire

SHIPPED_GRID = "grille.yaml"


@cache
def _shipped_bundle() -> tuple[dict[str, Questionnaire], Grid, dict[str, CheckMeta]]:
    """Every shipped file, validated together (ValidationFailed when any is wrong); kept in
    the user's cache once validated (shipped_cache), read from there while no file changes."""
    use_cache = shipped_cache.enabled()
    key = shipped_cache.cache_key(shipped_files()) if use_cache else ""
    cached = shipped_cache.read_cache(key) if use_cache else None
    if cached is not None:
        return cached
    bundle = build_bundle(None)
    errors = check_bundle(bundle)
    if errors:
        raise ValidationFailed(errors)
    qs = {q.id: q for _, q in bundle.questionnaires if q is not None}
    grid = next(g for _, g in bundle.grids if g is not None)
    checks = {c.id: c for _, cat in bundle.catalogues if cat is not None for c in cat.checks}
    if use_cache:
        shipped_cache.write_cache(key, (qs, grid, checks))
    return qs, grid, checks


def load_grid() -> Grid:
    """The shipped scoring grid (questionnaires/grille.yaml)."""
    return _shipped_bundle()[1]


def shipped_questionnaires() -> dict[str, Questionnaire]:
    """The shipped questionnaires by id."""
    return _shipped_bundle()[0]


def load_check_catalogue() -> dict[str, CheckMeta]:
    """Every check's metadata by id (all shipped checks/*.yaml)."""
    return _shipped_bundle()[2]


def load_questionnaire(name_or_path: str) -> Questionnaire:
    """A shipped questionnaire by id ('complet', 'atelier') or a questionnaire file."""
    shipped = _shipped_bundle()[0]
    if name_or_path in shipped:
        return shipped[name_or_path]
    path = Path(name_or_path)
    if not path.exists():
        raise UserError(
            f"Questionnaire introuvable « {name_or_path} » : indiquer complet, atelier ou un "
            "fichier YAML.",
            f"Questionnaire not found '{name_or_path}': give complet, atelier or a YAML file.",
        )
    return load_questionnaire_file(path)[0]


def load_questionnaire_file(path: Path) -> tuple[Questionnaire, Grid | None]:
    """One questionnaire file, checked against the shipped grid, and the grid it holds if any."""
    bundle = build_bundle([path])
    errors = check_bundle(bundle)
    if errors:
        raise ValidationFailed(errors)
    questionnaire = next((q for _, q in bundle.questionnaires if q is not None), None)
    if questionnaire is None:
        raise UserError(
            f"{path} n'est pas un questionnaire (kind: questionnaire).",
            f"{path} is not a questionnaire (kind: questionnaire).",
        )
    return questionnaire, next((g for _, g in bundle.grids if g is not None), None)
