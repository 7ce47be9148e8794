"""An import killed midway (SIGKILL of a real process) leaves the store exactly as it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

from territory_fixtures import municipalities, write_diagnostics

from cyberdiag.territory.importer import DELAY_ENV, import_files
from cyberdiag.territory.store import open_store

ROOT = Path(__file__).resolve().parents[2]


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as c:
        return list(c.iterdump())


def _count(path: Path, campaign: str) -> int:
    with sqlite3.connect(path) as c:
        return int(
            c.execute("SELECT COUNT(*) FROM diagnostics WHERE campaign=?", (campaign,)).fetchone()[
                0
            ]
        )


def test_killed_import_leaves_store_as_before(tmp_path: Path) -> None:
    ms = municipalities(40, seed=17)
    write_diagnostics(tmp_path / "old", ms[:10], seed=1)
    write_diagnostics(tmp_path / "new", ms, seed=2)  # newer versions of the 10, plus 30
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        import_files(s, [tmp_path / "old"], "2026")
    before = _dump(store)
    assert _count(store, "2026") == 10

    env = dict(os.environ, **{DELAY_ENV: "0.1"})
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    argv = [
        sys.executable,
        "-m",
        "cyberdiag",
        "territory",
        "import",
        str(tmp_path / "new"),
        "--campaign",
        "2026",
        "--store",
        str(store),
    ]
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    journal = Path(str(store) + "-journal")
    deadline = time.monotonic() + 30
    while not journal.exists():  # the write transaction has started
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(1.0)  # ~10 diagnostics written inside the transaction
    assert proc.poll() is None, "import finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert journal.exists()  # a hot journal: the kill happened mid-transaction
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600  # it holds store pages too

    assert _dump(store) == before  # opening rolls the hot journal back
    assert _count(store, "2026") == 10

    # The same import, not killed, does change the store (so the check above can fail).
    env.pop(DELAY_ENV)
    done = subprocess.run(
        argv,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert _count(store, "2026") == 40
    assert _dump(store) != before
