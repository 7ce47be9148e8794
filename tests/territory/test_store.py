"""The store file: created private, migrated, refused when newer or not a store."""

from __future__ import annotations

import re
import sqlite3
import stat
import time
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
        c.execute("ALTER TABLE caps DROP COLUMN cause")
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


def test_migration_to_version_3_derives_the_cause_of_stored_caps(
    tmp_path: Path, diag_dir: Path
) -> None:
    """A version-2 store (caps without their cause) migrated: each stored cap gets the cause its
    diagnostic's answers give (« je ne sais pas » → to confirm, an answer → known gap)."""
    path = tmp_path / "t.sqlite"
    with open_store(path) as s:
        import_files(s, [diag_dir], "2026")
        before = {(m.insee, c.item): c.cause for m in s.campaign_rows("2026") for c in m.caps}
    assert set(before.values()) == {"gap", "unknown"}  # the sample has both: the test can fail
    with sqlite3.connect(path) as c:
        c.execute("ALTER TABLE caps DROP COLUMN cause")
        c.execute("DELETE FROM schema_version WHERE version > 2")
    with Store(path) as s:
        assert s.version() == SCHEMA_VERSION == 3
        after = {(m.insee, c.item): c.cause for m in s.campaign_rows("2026") for c in m.caps}
    assert after == before


# ---- careless hands and bad luck: links, full disks, two writers ----------------------------


def test_a_store_symlink_is_refused_without_touching_its_target(tmp_path: Path) -> None:
    from cyberdiag.cli import main

    target = tmp_path / "precious.txt"
    target.write_text("not a store", encoding="utf-8")
    target.chmod(0o644)
    before = target.stat()
    link = tmp_path / "t.sqlite"
    link.symlink_to(target)
    assert main(["territory", "import", str(tmp_path), "--store", str(link)]) == 1
    after = target.stat()
    assert stat.S_IMODE(after.st_mode) == 0o644 and after.st_mtime_ns == before.st_mtime_ns
    assert target.read_text(encoding="utf-8") == "not a store"
    with pytest.raises(UserError, match="lien symbolique"):
        open_store(link)


def test_disk_full_on_the_first_import_leaves_no_store(tmp_path: Path, diag_dir: Path) -> None:
    import subprocess

    from hostile_fixtures import cli, env, in_tmpfs, needs_root_mounts

    if needs_root_mounts.args[0]:
        pytest.skip(needs_root_mounts.kwargs["reason"])
    disk = tmp_path / "disk"
    disk.mkdir()
    script = 'D="$1"; shift; "$@"; echo "rc=$?"; ls -A "$D"'
    argv = cli("territory", "import", str(diag_dir), "--store", str(disk / "t.sqlite"))
    proc = subprocess.run(
        in_tmpfs(disk, "1m", ["sh", "-c", script, "sh", str(disk), *argv], fill_to="200k"),
        capture_output=True, text=True, env=env(), timeout=120,
    )  # fmt: skip
    assert "rc=1" in proc.stdout, proc.stdout + proc.stderr
    listing = proc.stdout.split("rc=1", 1)[1].split()
    assert listing == [".filler"], listing  # no store, no journal, no temporary file
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(disk / "t.sqlite") in lines[0] and "disque plein" in lines[0]
    assert "--store" in lines[0]


def test_two_first_imports_at_once(tmp_path: Path, diag_dir: Path) -> None:
    """Two imports into a store that does not exist yet, started together: neither fails with
    "table schema_version already exists"; the one that finds the other writing says who."""
    import subprocess

    from hostile_fixtures import cli, env

    store = tmp_path / "new" / "t.sqlite"
    procs = [
        subprocess.Popen(
            cli("territory", "import", str(diag_dir), "--store", str(store), "--campaign", "2026"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(),
        )  # fmt: skip
        for _ in range(4)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    for code, _out, err in results:
        assert "already exists" not in err and "Erreur interne" not in err, err
        if code != 0:
            assert code == 1 and "en cours d'écriture par un autre processus (PID" in err, err
            assert "cyberdiag territory import" in err
    assert any(code == 0 for code, _, _ in results)
    with open_store(store, create=False) as s:
        assert s.diagnostic_count("2026") == 30


def test_a_second_writer_is_told_who_writes(tmp_path: Path, diag_dir: Path) -> None:
    """An import going on (slowed down by the test hook): a second import is refused at once."""
    import subprocess

    from hostile_fixtures import cli, env

    store = tmp_path / "t.sqlite"
    slow = subprocess.Popen(
        cli("territory", "import", str(diag_dir), "--store", str(store)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env(CYBERDIAG_TERRITORY_IMPORT_DELAY="0.2"),
    )  # fmt: skip
    try:
        lock = tmp_path / ".t.sqlite.lock"
        for _ in range(600):
            if lock.exists() and lock.read_text(encoding="utf-8").strip():
                break
            time.sleep(0.02)
        second = subprocess.run(
            cli("territory", "import", str(diag_dir), "--store", str(store)),
            capture_output=True, text=True, env=env(), timeout=60,
        )  # fmt: skip
    finally:
        slow.kill()
        slow.wait()
    assert second.returncode == 1
    assert second.stderr.strip() == (
        f"Erreur : La base territoriale {store} est en cours d'écriture par un autre processus "
        f"(PID {slow.pid} : cyberdiag territory import) : attendez qu'il se termine (ou "
        "fermez-le), puis relancez la commande."
    )
