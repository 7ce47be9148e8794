"""Build, save and load diagnostic.json — the record every report and aggregate is a view of.

The format is versioned (models.SCHEMA_VERSION, "MAJOR.MINOR") and documented by a JSON Schema
shipped with the package (cyberdiag/schemas/diagnostic.schema.json, generated from the pydantic
models; a test keeps it in step). An older file of the same major version is migrated at load
(`migrate`); a newer file, one of another major version, or a corrupted one is refused with a
clear message. Files are written atomically with mode 0600: they map weaknesses.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cyberdiag import __version__
from cyberdiag.diagnostic_limits import MAX_BYTES, check_limits
from cyberdiag.errors import UserError
from cyberdiag.fileio import write_private
from cyberdiag.i18n import plural
from cyberdiag.loading import load_check_catalogue, load_grid
from cyberdiag.loading.jsonread import loads, read_text
from cyberdiag.loading.parse_messages import json_problem
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
from cyberdiag.scoring.causes import answer_cause

SCHEMA_PATH = Path(__file__).parent / "schemas" / "diagnostic.schema.json"


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
    nameservers: list[str] | None = None,
    nameserver_source: str = "",
) -> Diagnostic:
    """Build the diagnostic against the shipped grid and check catalogue, and save it (0600).
    `nameservers`: the DNS servers the checks went through (shown in the report's annex)."""
    diag = build(
        grid=load_grid(),
        questionnaire=questionnaire,
        profile=profile,
        answers=answers,
        checks=checks,
        catalogue=load_check_catalogue(),
    )
    if nameservers:
        diag = diag.model_copy(
            update={"nameservers": list(nameservers), "nameserver_source": nameserver_source}
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


def _minor(version: str) -> int:
    """The minor number of a "MAJOR.MINOR" schema version (0 when absent or not a number)."""
    parts = version.split(".")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def _version_key(version: str) -> tuple[int, int]:
    return _major(version), _minor(version)


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """An older diagnostic of the same major version brought to SCHEMA_VERSION (in place).

    1.0 → 1.1: each cap gets its cause, derived from the answers the record embeds (a cap set by a
    check is a known gap; by a question: "unknown" when that question was answered « je ne sais
    pas », delegated, or not at all). Content that is not a record is left for validation to
    refuse.
    """
    overall = data.get("overall")
    answers = data.get("answers")
    if isinstance(overall, dict) and isinstance(overall.get("capped_by"), list):
        kinds = {
            a.get("question_id"): a.get("kind")
            for a in (answers if isinstance(answers, list) else [])
            if isinstance(a, dict)
        }
        for cap in overall["capped_by"]:
            if not isinstance(cap, dict) or "cause" in cap:
                continue
            if cap.get("source") == "question":
                cap["cause"] = answer_cause(kinds.get(cap.get("ref")))
            else:
                cap["cause"] = "gap"
    data["schema_version"] = SCHEMA_VERSION
    return data


def parse(text: str, label: str) -> Diagnostic:
    """Parse diagnostic JSON text; clear UserError for corrupted / other-version content."""
    try:
        data = loads(text, label)  # bounded depth (UserError naming the file)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{label} : fichier de diagnostic illisible (JSON invalide {json_problem(exc, 'fr')})"
            " — fichier tronqué ou modifié ?",
            f"{label}: unreadable diagnostic file (invalid JSON at {json_problem(exc, 'en')}) — "
            "truncated or edited?",
        ) from None
    except ValueError:  # e.g. a number of thousands of digits
        raise UserError(
            f"{label} : fichier de diagnostic illisible (JSON invalide).",
            f"{label}: unreadable diagnostic file (invalid JSON).",
        ) from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise UserError(
            f"{label} : ce n'est pas un diagnostic cyberdiag (pas de schema_version).",
            f"{label}: not a cyberdiag diagnostic (no schema_version).",
        )
    check_limits(data, label)
    version = str(data["schema_version"])
    newer = _version_key(version) > _version_key(SCHEMA_VERSION)
    if newer or _major(version) != _major(SCHEMA_VERSION):
        raise UserError(
            f"{label} : diagnostic au format {version}, cette version de cyberdiag lit le format "
            f"{SCHEMA_VERSION}. "
            + ("Mettez cyberdiag à jour." if newer else "Refaites le calcul avec cyberdiag score."),
            f"{label}: diagnostic in format {version}; this cyberdiag reads format "
            f"{SCHEMA_VERSION}. "
            + ("Update cyberdiag." if newer else "Score it again with cyberdiag score."),
        )
    try:
        if version == SCHEMA_VERSION:
            return Diagnostic.model_validate_json(text)
        return Diagnostic.model_validate(migrate(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        n = exc.error_count()
        first_fr = " :" if n == 1 else ", première :"
        first_en = ":" if n == 1 else ", first:"
        raise UserError(
            f"{label} : diagnostic corrompu ({plural(n, 'erreur', 'erreurs', 'fr')}{first_fr} "
            f"{where} — {first['msg']}).",
            f"{label}: corrupted diagnostic ({plural(n, 'error', 'errors', 'en')}{first_en} "
            f"{where} — {first['msg']}).",
        ) from None


def load_diagnostic(path: Path) -> Diagnostic:
    """Load diagnostic.json; clear UserError when missing, too large, corrupted, or of another
    version (size counted on the bytes read; a UTF-8 BOM is accepted)."""
    return parse(read_text(path, MAX_BYTES), str(path))
