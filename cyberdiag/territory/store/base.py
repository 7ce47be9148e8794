"""Opening the store: a private SQLite file, migrated on open, with its transactions and campaigns.

The file maps the weaknesses of a whole territory: it is created with mode 0600 and its directory
is not made world-readable. A store written by a newer cyberdiag is refused, never downgraded.
A new store is built complete in a temporary file and only then put in place (a full disk never
leaves an empty or half-made store); a symbolic link is refused without touching its target; a
writer holds the store's lock (fileio.locked) so that a second writer is told who is writing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from cyberdiag.errors import UserError
from cyberdiag.fileio import check_writable, locked, temp_for, write_failed
from cyberdiag.territory.store.schema import MIGRATIONS, SCHEMA_VERSION, statements

STORE_FILENAME = "territoire.sqlite"
STORE_WORDS = ("la base territoriale", "the territorial store")
STORE_HINT = (
    "libérez de la place ou choisissez un autre fichier avec --store, puis relancez la commande",
    "free some space or choose another file with --store, then run the command again",
)


def default_store_path() -> Path:
    """platformdirs.user_data_dir("cyberdiag")/territoire.sqlite."""
    from platformdirs import user_data_dir  # lazy: start-up time

    return Path(user_data_dir("cyberdiag")) / STORE_FILENAME


def now_iso() -> str:
    """The current UTC time, to the second, as stored in the tables."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class StoreBase:
    """An open store: connection, migrations, transactions and campaigns (see Store)."""

    def __init__(self, path: Path, *, create: bool = True, write: bool = False) -> None:
        self.path = Path(path)
        self._held = contextlib.ExitStack()
        _refuse_link(self.path)
        if write:  # one writer at a time: the second is told which process writes
            self._held.enter_context(locked(self.path, STORE_WORDS))
        try:
            self._open(create)
        except BaseException:
            self._held.close()
            raise

    def _open(self, create: bool) -> None:
        if not self.path.exists():
            if not create:
                raise UserError(
                    f"Base territoriale introuvable : {self.path}. Importer d'abord des "
                    "diagnostics (cyberdiag territory import).",
                    f"Territorial store not found: {self.path}. Import diagnostics first "
                    "(cyberdiag territory import).",
                )
            _create_complete(self.path)
        else:
            with contextlib.suppress(OSError):
                os.chmod(self.path, 0o600, follow_symlinks=False)
        try:
            self.conn = _connect(self.path)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise _store_error(self.path, exc) from None

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        with contextlib.suppress(AttributeError):
            self.conn.close()
        self._held.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: everything or nothing (also when the process is killed). A
        full disk or a read-only file is one UserError: nothing was changed."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise _store_error(self.path, exc) from None

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
            if self.version() != current:
                return  # migrated by another process between the two looks
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
        """The store's random key (see campaign_salt)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='salt'").fetchone()
        return str(row[0])

    def campaign_salt(self, campaign: str) -> str:
        """The campaign's own random key for code names (anonymise.code_names), drawn when the
        campaign gets its first diagnostic and kept in `meta`: a code learned in one campaign
        says nothing about the next. A campaign imported by an older cyberdiag gets one at
        first use (or, when the store cannot be written, one derived from the store's key)."""
        key = f"salt:{campaign}"
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        if row is not None:
            return str(row[0])
        try:
            with self.transaction():
                self.conn.execute(
                    "INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, secrets.token_hex(16))
                )
        except UserError:  # a read-only store: derived, still unlinkable without the store
            import hashlib
            import hmac

            return hmac.new(self.salt().encode(), key.encode(), hashlib.sha256).hexdigest()
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
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
        """Record the campaign if it is new, with its code-name key (inside a transaction)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO campaigns (name, created_at) VALUES (?, ?)", (name, now_iso())
        )
        self.conn.execute(
            "INSERT OR IGNORE INTO meta VALUES (?, ?)", (f"salt:{name}", secrets.token_hex(16))
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


def _refuse_link(path: Path) -> None:
    """A --store that is a symbolic link (or not a regular file) is refused untouched."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _store_error(path, exc) from None
    if stat.S_ISLNK(mode) or not stat.S_ISREG(mode):
        what = ("un lien symbolique", "a symbolic link") if stat.S_ISLNK(mode) else (
            "pas un fichier ordinaire", "not a regular file")  # fmt: skip
        raise UserError(
            f"{path} est {what[0]} : refusé, rien n'a été modifié. Indiquez le fichier de la base "
            "lui-même avec --store.",
            f"{path} is {what[1]}: refused, nothing was changed. Give the store file itself with "
            "--store.",
        )


def _connect(path: Path | str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _store_error(path: Path, exc: BaseException) -> UserError:
    """A store that cannot be written (full disk, read-only…) or read, as one line."""
    text = str(exc).lower()
    if isinstance(exc, OSError) or "full" in text or "readonly" in text or "read-only" in text:
        errno_ = exc.errno if isinstance(exc, OSError) else (
            28 if "full" in text else 30)  # fmt: skip
        return write_failed(path, OSError(errno_, str(exc)), STORE_HINT)
    return UserError(
        f"{path} n'est pas une base territoriale cyberdiag lisible ({exc}).",
        f"{path} is not a readable cyberdiag territorial store ({exc}).",
    )


def _create_complete(path: Path) -> None:
    """Build a new, empty but complete store (tables, salt) in a temporary file, then put it in
    place: a failure (full disk, read-only folder) leaves nothing behind."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise write_failed(path, exc, STORE_HINT) from None
    check_writable(path, need=1_000_000, hint=STORE_HINT)
    try:
        fd, tmp = temp_for(path)
        os.close(fd)
    except OSError as exc:
        raise write_failed(path, exc, STORE_HINT) from None
    try:
        builder = StoreBase.__new__(StoreBase)
        builder.path, builder._held = path, contextlib.ExitStack()  # messages name the store
        builder.conn = _connect(tmp)
        try:
            builder._migrate()
        finally:
            builder.conn.close()
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # never replaces a store another process created meanwhile
        except FileExistsError:
            pass
        except OSError:  # no hard links here (some network shares): a plain rename
            if not path.exists():
                os.replace(tmp, path)
    except sqlite3.DatabaseError as exc:
        raise _store_error(path, exc) from None
    except OSError as exc:
        raise write_failed(path, exc, STORE_HINT) from None
    finally:
        for leftover in (tmp, tmp + "-journal"):
            with contextlib.suppress(OSError):
                os.unlink(leftover)
