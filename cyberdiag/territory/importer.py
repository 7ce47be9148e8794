"""Import diagnostic.json files into the territorial store, in one transaction.

Each file is validated first (JSON, schema version, the Diagnostic model). Bad files are refused
with their name and the reason; the good ones are imported together. The same municipality twice
in a campaign keeps the newer diagnostic (by created_at) and the report says so. Everything is
written in a single transaction: a killed import leaves the store exactly as it was.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from cyberdiag.errors import UserError
from cyberdiag.models import SCHEMA_VERSION, Diagnostic, Text
from cyberdiag.territory.store import Store, now_iso

# Test hook: seconds to sleep after writing each diagnostic (inside the transaction), so that a
# test can kill an import midway. Never set in normal use.
DELAY_ENV = "CYBERDIAG_TERRITORY_IMPORT_DELAY"

# Files up to this size take the fast validation path; larger ones go to load_diagnostic
# (which refuses them with its own message when they exceed its limit).
MAX_FAST_BYTES = 20_000_000


@dataclass(frozen=True)
class Refused:
    path: Path
    reason: Text


@dataclass(frozen=True)
class Imported:
    path: Path
    insee: str
    name: str
    created_at: str


@dataclass(frozen=True)
class Superseded:
    """Two diagnostics of one municipality in one campaign: `kept` is the newer."""

    insee: str
    name: str
    kept: str  # source path or "(base)"
    kept_created_at: str
    dropped: str
    dropped_created_at: str


@dataclass
class ImportReport:
    campaign: str
    imported: list[Imported] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    superseded: list[Superseded] = field(default_factory=list)
    # Same municipality, same created_at as the diagnostic already kept: nothing to do.
    unchanged: list[Imported] = field(default_factory=list)


def collect_files(paths: list[Path]) -> list[Path]:
    """Files given directly, plus every *.json under the directories given (sorted)."""
    out: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        if p.is_dir():
            found = sorted(q for q in p.rglob("*.json") if q.is_file())
        elif p.exists():
            found = [p]
        else:
            raise UserError(
                f"Fichier ou dossier introuvable : {p}", f"File or folder not found: {p}"
            )
        for q in found:
            key = q.resolve()
            if key not in seen:
                seen.add(key)
                out.append(q)
    return out


def load_file(path: Path) -> Diagnostic | Text:
    """The diagnostic in `path`, or the reason it is refused (names the file; never raises).

    Fast path: pydantic's own JSON parser validates a good file in one step (about 1.6 times
    faster than json.loads + validation, which matters for 1,000 files of ~90 kB). Anything it
    does not accept, or of another major schema version, goes through
    cyberdiag.diagnostic.load_diagnostic, which gives the reason the file is refused.
    """
    from cyberdiag.diagnostic import load_diagnostic

    try:
        if path.stat().st_size <= MAX_FAST_BYTES:
            diag = Diagnostic.model_validate_json(path.read_bytes())
            if diag.schema_version.split(".", 1)[0] == SCHEMA_VERSION.split(".", 1)[0]:
                return diag
    except (OSError, ValueError):  # ValidationError is a ValueError: explained below
        pass
    try:
        return load_diagnostic(path)
    except UserError as exc:
        return Text(fr=exc.fr, en=exc.en)


def import_files(store: Store, paths: list[Path], campaign: str) -> ImportReport:
    """Validate and import `paths` into `campaign`, in one transaction for the whole batch.

    Files are streamed (validated and written one at a time, never all held in memory). The
    order does not matter: each diagnostic is compared with the one already in the store for
    the same municipality and campaign, including those written earlier in this batch.
    """
    campaign = campaign.strip()
    if not campaign or len(campaign) > 64:
        raise UserError(
            "Nom de campagne vide ou trop long (64 caractères au plus).",
            "Empty or too long campaign name (64 characters at most).",
        )
    report = ImportReport(campaign=campaign)
    files = collect_files(paths)
    delay = float(os.environ.get(DELAY_ENV, "0") or 0)
    imported_at = now_iso()
    if not files:
        raise UserError(
            "Aucun fichier .json trouvé dans : " + ", ".join(str(p) for p in paths),
            "No .json file found in: " + ", ".join(str(p) for p in paths),
        )
    with store.transaction() as conn:
        batch: dict[str, Imported] = {}
        for path in files:
            diag = load_file(path)
            if not isinstance(diag, Diagnostic):
                report.refused.append(Refused(path, diag))
                continue
            insee = diag.profile.insee
            created = diag.created_at.isoformat()
            row = conn.execute(
                "SELECT id, created_at, source FROM diagnostics WHERE campaign=? AND insee=?",
                (campaign, insee),
            ).fetchone()
            if row is not None:
                old_id, old_created, old_source = int(row[0]), str(row[1]), row[2]
                old_label = str(old_source) if insee in batch else "(base)"
                if _instant(old_created) == _instant(created):
                    report.unchanged.append(Imported(path, insee, diag.profile.name, created))
                    continue
                if _instant(old_created) > _instant(created):
                    report.superseded.append(
                        Superseded(
                            insee, diag.profile.name, old_label, old_created, str(path), created
                        )
                    )
                    continue
                report.superseded.append(
                    Superseded(insee, diag.profile.name, str(path), created, old_label, old_created)
                )
                conn.execute("DELETE FROM diagnostics WHERE id=?", (old_id,))
            if not batch:
                store.ensure_campaign(conn, campaign)  # a campaign exists once it has data
            _insert(conn, campaign, path, diag, imported_at)
            batch[insee] = Imported(path, insee, diag.profile.name, created)
            if delay:
                time.sleep(delay)
        report.imported = sorted(batch.values(), key=lambda i: i.insee)
    return report


def _instant(iso: str) -> float:
    from datetime import UTC, datetime

    dt = datetime.fromisoformat(iso)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _insert(
    conn: sqlite3.Connection, campaign: str, path: Path, d: Diagnostic, imported_at: str
) -> None:
    p = d.profile
    conn.execute(
        """INSERT INTO municipalities (insee, name, population, tier, updated_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(insee) DO UPDATE SET name=excluded.name, population=excluded.population,
             tier=excluded.tier, updated_at=excluded.updated_at""",
        (p.insee, p.name, p.population, d.tier, imported_at),
    )
    applicable = sum(1 for a in d.answers if a.applicable)
    answered = sum(1 for a in d.answers if a.applicable and a.option is not None)
    cur = conn.execute(
        """INSERT INTO diagnostics (campaign, insee, name, population, tier, created_at,
             imported_at, source, schema_version, tool_version, overall_score, overall_level,
             uncapped_level, target_level, questions_applicable, questions_answered, json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            campaign,
            p.insee,
            p.name,
            p.population,
            d.tier,
            d.created_at.isoformat(),
            imported_at,
            str(path),
            d.schema_version,
            d.tool_version,
            d.overall.score,
            d.overall.level,
            d.overall.uncapped_level,
            d.overall.target_level,
            applicable,
            answered,
            d.model_dump_json(),
        ),
    )
    did = cur.lastrowid
    conn.executemany(
        "INSERT INTO domain_scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                did,
                i,
                s.id,
                s.name.fr,
                s.name.en,
                int(s.applicable),
                s.score,
                s.level,
                s.target_level,
                s.gap,
            )
            for i, s in enumerate(d.domains)
        ],
    )
    conn.executemany(
        "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                did,
                f.ref,
                f.source,
                f.kind,
                f.severity,
                int(f.critical),
                f.domain,
                f.title.fr,
                f.title.en,
            )
            for f in d.findings
        ],
    )
    domain_of = {a.question_id: a.domain for a in d.answers}
    domain_of.update({f.ref: f.domain for f in d.findings})
    conn.executemany(
        "INSERT INTO caps VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (did, c.item, c.ref, c.source, domain_of.get(c.ref), c.level, c.label.fr, c.label.en)
            for c in d.overall.capped_by
        ],
    )
