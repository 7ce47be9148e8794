"""Opening the store: a private SQLite file, migrated on open, with its transactions and campaigns.

The file maps the weaknesses of a whole territory: it is created with mode 0600 and its directory
is not made world-readable. A store written by a newer cyberdiag is refused, never downgraded.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from cyberdiag.errors import UserError
from cyberdiag.territory.store.schema import MIGRATIONS, SCHEMA_VERSION, statements

STORE_FILENAME = "territoire.sqlite"


def default_store_path() -> Path:
    """platformdirs.user_data_dir("cyberdiag")/territoire.sqlite."""
    from platformdirs import user_data_dir  # lazy: start-up time

    return Path(user_data_dir("cyberdiag")) / STORE_FILENAME


def now_iso() -> str:
    """The current UTC time, to the second, as stored in the tables."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class StoreBase:
    """An open store: connection, migrations, transactions and campaigns (see Store)."""

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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: everything or nothing (also when the process is killed)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- schema ------------------------------------------------------------------------------

    def version(self) -> int:
        """The schema version of the file (0: not a store yet)."""
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
        with self.transaction():
            c = self.conn
            if current == 0:
                c.execute(
                    "CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT "
                    "NOT NULL)"
                )
            for number in range(current + 1, SCHEMA_VERSION + 1):
                for statement in statements(MIGRATIONS[number - 1]):
                    c.execute(statement)
                c.execute("INSERT INTO schema_version VALUES (?, ?)", (number, now_iso()))
            if current == 0:
                c.execute("INSERT INTO meta VALUES ('salt', ?)", (secrets.token_hex(16),))

    def salt(self) -> str:
        """The store's random key for code names (see anonymise.code_names)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='salt'").fetchone()
        return str(row[0])

    # -- campaigns ---------------------------------------------------------------------------

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

    def ensure_campaign(self, name: str) -> None:
        """Record the campaign if it is new (call inside a transaction)."""
        self.conn.execute(
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
        """The campaign before `campaign` (None for the first one)."""
        names = self.campaigns()
        i = names.index(campaign)
        return names[i - 1] if i > 0 else None


def _create_private(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)  # umask may have removed bits, never added: make it exact
