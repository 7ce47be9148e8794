"""The store file: created private, migrated, refused when newer or not a store."""

from __future__ import annotations

import re
import sqlite3
import stat
from pathlib import Path

import pytest
from territory_fixtures import write_sample

from cyberdiag import territory
from cyberdiag.errors import UserError
from cyberdiag.territory.importer import import_files
from cyberdiag.territory.store import SCHEMA_VERSION, Store, open_store


@pytest.fixture
def diag_dir(tmp_path: Path) -> Path:
    return write_sample(tmp_path)


def test_store_created_private_with_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "t.sqlite"
    with open_store(path) as s:
        assert s.version() == SCHEMA_VERSION
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_store_from_newer_cyberdiag_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    open_store(path).close()
    with sqlite3.connect(path) as c:
        c.execute("INSERT INTO schema_version VALUES (?, 'x')", (SCHEMA_VERSION + 1,))
    with pytest.raises(UserError, match="plus récente"):
        open_store(path)


def test_migration_from_version_1_keeps_data(tmp_path: Path, diag_dir: Path) -> None:
    path = tmp_path / "t.sqlite"
    with open_store(path) as s:
        import_files(s, [diag_dir], "2026")
    # Turn it into a version-1 store (as an older cyberdiag wrote it).
    with sqlite3.connect(path) as c:
        c.execute("DROP TABLE roster")
        c.execute("DROP TABLE check_runs")
        c.execute("DELETE FROM schema_version WHERE version > 1")
    with Store(path) as s:
        assert s.version() == SCHEMA_VERSION
        assert s.conn.execute("SELECT COUNT(*) FROM diagnostics").fetchone()[0] == 30
        assert s.conn.execute("SELECT COUNT(*) FROM check_runs").fetchone()[0] == 0


def test_not_a_store_is_a_user_error(tmp_path: Path) -> None:
    p = tmp_path / "x.sqlite"
    p.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError):
        open_store(p)


def test_sql_lives_only_in_the_store() -> None:
    """The other territory modules call Store methods: no SQL, no connection of their own."""
    root = Path(territory.__file__).parent
    sql = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE FROM|CREATE|DROP)\b|\.conn\b|\bsqlite3\b")
    found = [
        str(p.relative_to(root))
        for p in sorted(root.rglob("*.py"))
        if p.relative_to(root).parts[0] != "store" and sql.search(p.read_text(encoding="utf-8"))
    ]
    assert found == []
    assert sql.search((root / "store" / "diagnostics.py").read_text(encoding="utf-8"))
