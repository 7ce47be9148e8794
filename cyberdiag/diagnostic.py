"""Build, save and load diagnostic.json — the record every report and aggregate is a view of.

The format is versioned (models.SCHEMA_VERSION, "MAJOR.MINOR") and documented by a JSON Schema
shipped with the package (cyberdiag/schemas/diagnostic.schema.json, generated from the pydantic
models; a test keeps it in step). A file of another major version, or a corrupted one, is refused
with a clear message. Files are written atomically with mode 0600: they map weaknesses.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cyberdiag import __version__
from cyberdiag.errors import UserError
from cyberdiag.fileio import write_private
from cyberdiag.loading import load_check_catalogue, load_grid
from cyberdiag.models import (
    SCHEMA_VERSION,
    AnswerFile,
    CheckMeta,
    CheckResult,
    Diagnostic,
    Grid,
    Profile,
    Questionnaire,
)
from cyberdiag.scoring import score

SCHEMA_PATH = Path(__file__).parent / "schemas" / "diagnostic.schema.json"
MAX_BYTES = 50_000_000


def build(
    *,
    grid: Grid,
    questionnaire: Questionnaire,
    profile: Profile,
    answers: AnswerFile,
    checks: list[CheckResult],
    catalogue: dict[str, CheckMeta],
    now: datetime | None = None,
) -> Diagnostic:
    """Score one municipality now (or at `now`) with this version of cyberdiag."""
    return score(
        grid=grid,
        questionnaire=questionnaire,
        profile=profile,
        answers=answers,
        checks=checks,
        catalogue=catalogue,
        tool_version=__version__,
        created_at=now or datetime.now(UTC).replace(microsecond=0),
    )


def score_and_save(
    path: Path,
    *,
    questionnaire: Questionnaire,
    profile: Profile,
    answers: AnswerFile,
    checks: list[CheckResult],
) -> Diagnostic:
    """Build the diagnostic against the shipped grid and check catalogue, and save it (0600)."""
    diag = build(
        grid=load_grid(),
        questionnaire=questionnaire,
        profile=profile,
        answers=answers,
        checks=checks,
        catalogue=load_check_catalogue(),
    )
    save(diag, path)
    return diag


def dumps(diag: Diagnostic) -> str:
    """diagnostic.json's text (indented, final newline)."""
    return diag.model_dump_json(indent=2) + "\n"


def save(diag: Diagnostic, path: Path) -> None:
    """Write diagnostic.json atomically, mode 0600."""
    write_private(path, dumps(diag))


def json_schema() -> dict[str, Any]:
    """The JSON Schema of diagnostic.json, generated from the pydantic models."""
    schema = Diagnostic.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://cyberdiag.example/schemas/diagnostic-{SCHEMA_VERSION}.json"
    schema["description"] = (
        "cyberdiag diagnostic record (diagnostic.json): profile, answers, check results with "
        "evidence, scores per domain, overall level and caps, findings (action plan). "
        f"Schema version {SCHEMA_VERSION}."
    )
    return schema


def _major(version: str) -> int:
    """The major number of a "MAJOR.MINOR" schema version (-1 when not a number)."""
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else -1


def parse(text: str, label: str) -> Diagnostic:
    """Parse diagnostic JSON text; clear UserError for corrupted / other-version content."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{label} : fichier de diagnostic illisible (JSON invalide ligne {exc.lineno}) — "
            "fichier tronqué ou modifié ?",
            f"{label}: unreadable diagnostic file (invalid JSON at line {exc.lineno}) — "
            "truncated or edited?",
        ) from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise UserError(
            f"{label} : ce n'est pas un diagnostic cyberdiag (pas de schema_version).",
            f"{label}: not a cyberdiag diagnostic (no schema_version).",
        )
    version = str(data["schema_version"])
    if _major(version) != _major(SCHEMA_VERSION):
        newer = _major(version) > _major(SCHEMA_VERSION)
        raise UserError(
            f"{label} : diagnostic au format {version}, cette version de cyberdiag lit le format "
            f"{SCHEMA_VERSION}. "
            + ("Mettez cyberdiag à jour." if newer else "Refaites le calcul avec cyberdiag score."),
            f"{label}: diagnostic in format {version}; this cyberdiag reads format "
            f"{SCHEMA_VERSION}. "
            + ("Update cyberdiag." if newer else "Score it again with cyberdiag score."),
        )
    try:
        return Diagnostic.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UserError(
            f"{label} : diagnostic corrompu ({exc.error_count()} erreur(s), première : {where} — "
            f"{first['msg']}).",
            f"{label}: corrupted diagnostic ({exc.error_count()} error(s), first: {where} — "
            f"{first['msg']}).",
        ) from None


def load_diagnostic(path: Path) -> Diagnostic:
    """Load diagnostic.json; clear UserError when missing, corrupted, or of another version."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UserError(f"{path} : fichier trop gros.", f"{path}: file too large.")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path} : fichier introuvable.", f"{path}: file not found.") from None
    except UnicodeDecodeError:
        raise UserError(
            f"{path} : fichier de diagnostic illisible (pas en UTF-8).",
            f"{path}: unreadable diagnostic file (not UTF-8).",
        ) from None
    except OSError as exc:
        raise UserError(
            f"{path} : lecture impossible ({exc.strerror}).",
            f"{path}: cannot read it ({exc.strerror}).",
        ) from None
    return parse(text, str(path))
