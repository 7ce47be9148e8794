"""The territorial store: one SQLite file holding every imported diagnostic, campaign by campaign.

The full diagnostic.json is kept (the record), plus normalised tables (municipality, campaign,
domain scores, findings, caps) so that aggregates are plain SQL. The file maps the weaknesses of a
whole territory: it is created with mode 0600 and the directory is not made world-readable.

Schema changes go through MIGRATIONS (append only, never edit a shipped step); the version is kept
in the `schema_version` table. A store written by a newer cyberdiag is refused, never downgraded.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from cyberdiag.errors import UserError

STORE_FILENAME = "territoire.sqlite"

# Append only. Each step runs inside the migration transaction.
MIGRATIONS: tuple[str, ...] = (
    # 1: diagnostics and their normalised views
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE campaigns (
        name TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
    );
    CREATE TABLE municipalities (
        insee TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        population INTEGER NOT NULL,
        tier INTEGER NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE diagnostics (
        id INTEGER PRIMARY KEY,
        campaign TEXT NOT NULL REFERENCES campaigns(name),
        insee TEXT NOT NULL REFERENCES municipalities(insee),
        name TEXT NOT NULL,
        population INTEGER NOT NULL,
        tier INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        source TEXT,
        schema_version TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        overall_score REAL,
        overall_level INTEGER NOT NULL,
        uncapped_level INTEGER NOT NULL,
        target_level INTEGER NOT NULL,
        questions_applicable INTEGER NOT NULL,
        questions_answered INTEGER NOT NULL,
        json TEXT NOT NULL,
        UNIQUE (campaign, insee)
    );
    CREATE TABLE domain_scores (
        diagnostic_id INTEGER NOT NULL REFERENCES diagnostics(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        domain TEXT NOT NULL,
        name_fr TEXT NOT NULL,
        name_en TEXT NOT NULL,
        applicable INTEGER NOT NULL,
        score REAL,
        level INTEGER NOT NULL,
        target_level INTEGER NOT NULL,
        gap INTEGER NOT NULL,
        PRIMARY KEY (diagnostic_id, domain)
    );
    CREATE TABLE findings (
        diagnostic_id INTEGER NOT NULL REFERENCES diagnostics(id) ON DELETE CASCADE,
        ref TEXT NOT NULL,
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        critical INTEGER NOT NULL,
        domain TEXT NOT NULL,
        title_fr TEXT NOT NULL,
        title_en TEXT NOT NULL
    );
    CREATE INDEX findings_by_diag ON findings(diagnostic_id);
    CREATE INDEX findings_by_ref ON findings(ref);
    CREATE TABLE caps (
        diagnostic_id INTEGER NOT NULL REFERENCES diagnostics(id) ON DELETE CASCADE,
        item TEXT NOT NULL,
        ref TEXT NOT NULL,
        source TEXT NOT NULL,
        domain TEXT,
        level INTEGER NOT NULL,
        label_fr TEXT NOT NULL,
        label_en TEXT NOT NULL
    );
    CREATE INDEX caps_by_diag ON caps(diagnostic_id);
    """,
    # 2: municipalities known from municipalities.csv, and territory-wide check runs (check-all).
    # A row in check_runs is the checkpoint: written in the same transaction as the results.
    """
    CREATE TABLE roster (
        insee TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        population INTEGER NOT NULL,
        tier INTEGER NOT NULL,
        domains TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE check_runs (
        campaign TEXT NOT NULL,
        insee TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        nameservers TEXT NOT NULL,
        n_pass INTEGER NOT NULL,
        n_warn INTEGER NOT NULL,
        n_fail INTEGER NOT NULL,
        n_not_tested INTEGER NOT NULL,
        n_other INTEGER NOT NULL,
        results_json TEXT NOT NULL,
        PRIMARY KEY (campaign, insee)
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def default_store_path() -> Path:
    """platformdirs.user_data_dir("cyberdiag")/territoire.sqlite."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("cyberdiag")) / STORE_FILENAME


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """An open territorial store. Use as a context manager, or call close()."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not self.path.exists():
            if not create:
                raise UserError(
                    f"Base territoriale introuvable : {self.path}. Importer d'abord des "
                    "diagnostics (cyberdiag territory import).",
                    f"Territorial store not found: {self.path}. Import diagnostics first "
                    "(cyberdiag territory import).",
                )
            _create_private(self.path)
        else:
            with contextlib.suppress(OSError):
                os.chmod(self.path, 0o600)
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA synchronous = FULL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise UserError(
                f"{self.path} n'est pas une base territoriale cyberdiag lisible ({exc}).",
                f"{self.path} is not a readable cyberdiag territorial store ({exc}).",
            ) from None

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything or nothing (also when the process is killed)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- schema ------------------------------------------------------------------------------

    def version(self) -> int:
        row = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'"
        ).fetchone()
        if row is None:
            return 0
        v = self.conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        return int(v or 0)

    def _migrate(self) -> None:
        current = self.version()
        if current > SCHEMA_VERSION:
            raise UserError(
                f"La base {self.path} a été écrite par une version plus récente de cyberdiag "
                f"(schéma {current}, cette version connaît {SCHEMA_VERSION}) : mettre à jour "
                "cyberdiag.",
                f"The store {self.path} was written by a newer cyberdiag (schema {current}, "
                f"this version knows {SCHEMA_VERSION}): upgrade cyberdiag.",
            )
        if current == SCHEMA_VERSION:
            return
        with self.transaction() as c:
            if current == 0:
                c.execute(
                    "CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT "
                    "NOT NULL)"
                )
            for number in range(current + 1, SCHEMA_VERSION + 1):
                for statement in _statements(MIGRATIONS[number - 1]):
                    c.execute(statement)
                c.execute("INSERT INTO schema_version VALUES (?, ?)", (number, now_iso()))
            if current == 0:
                c.execute("INSERT INTO meta VALUES ('salt', ?)", (secrets.token_hex(16),))

    # -- small helpers -------------------------------------------------------------------------

    def salt(self) -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key='salt'").fetchone()
        return str(row[0])

    def campaigns(self) -> list[str]:
        """Campaign names, oldest first (by their earliest diagnostic or check run, then name)."""
        rows = self.conn.execute(
            """
            SELECT c.name,
                   COALESCE((SELECT MIN(created_at) FROM diagnostics d WHERE d.campaign=c.name),
                            (SELECT MIN(started_at) FROM check_runs r WHERE r.campaign=c.name),
                            c.created_at) AS first
            FROM campaigns c ORDER BY first, c.name
            """
        ).fetchall()
        return [str(r[0]) for r in rows]

    def ensure_campaign(self, conn: sqlite3.Connection, name: str) -> None:
        conn.execute(
            "INSERT OR IGNORE INTO campaigns (name, created_at) VALUES (?, ?)", (name, now_iso())
        )

    def resolve_campaign(self, campaign: str | None) -> str:
        """The named campaign (must exist), or the latest one."""
        names = self.campaigns()
        if campaign is None:
            if not names:
                raise UserError(
                    "La base territoriale est vide : importer d'abord des diagnostics "
                    "(cyberdiag territory import DOSSIER --campaign 2026).",
                    "The territorial store is empty: import diagnostics first "
                    "(cyberdiag territory import FOLDER --campaign 2026).",
                )
            return names[-1]
        if campaign not in names:
            known = ", ".join(names) or "-"
            raise UserError(
                f"Campagne inconnue « {campaign} » (campagnes présentes : {known}).",
                f"Unknown campaign '{campaign}' (campaigns in the store: {known}).",
            )
        return campaign

    def previous_campaign(self, campaign: str) -> str | None:
        names = self.campaigns()
        i = names.index(campaign)
        return names[i - 1] if i > 0 else None


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _create_private(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)  # umask may have removed bits, never added: make it exact


def open_store(path: Path | None, *, create: bool = True) -> Store:
    """Open (and create or migrate) the store at `path`, default default_store_path()."""
    return Store(path or default_store_path(), create=create)
