"""The crash log (cli/crashlog.py): 0600 in a 0700 folder, rotated, no user text in it. A real
process of cyberdiag hits a real bug (a command that raises, registered for the test) and goes
through the one error handler."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

SECRET = "commentaire-secret-de-la-mairie"

# A command whose bug quotes what the user typed (as a pydantic error or a KeyError would).
CRASHING = f"""
import sys
from cyberdiag.cli import main
from cyberdiag.cli.app import app

@app.command("boom")
def boom() -> None:
    answer_text = "{SECRET}"
    try:
        raise KeyError(answer_text)
    except KeyError as exc:
        raise ValueError("bad value " + answer_text) from exc

sys.exit(main(["boom"]))
"""


def _crash(state: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_STATE_HOME": str(state), "CYBERDIAG_LANG": "fr"}
    return subprocess.run(
        [sys.executable, "-c", CRASHING], capture_output=True, text=True, env=env, timeout=60
    )


def test_crash_log_is_private_and_holds_no_user_text(tmp_path: Path) -> None:
    folder = tmp_path / "state" / "cyberdiag" / "log"
    folder.mkdir(parents=True)
    os.chmod(folder, 0o755)  # as an older version left it
    old = folder / "cyberdiag-error.log"
    old.write_text("older entry\n", encoding="utf-8")
    os.chmod(old, 0o644)
    proc = _crash(tmp_path / "state")
    assert proc.returncode == 3
    assert f"Détails : {old}" in proc.stderr and SECRET not in proc.stderr
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    text = old.read_text(encoding="utf-8")
    assert SECRET not in text
    assert "builtins.KeyError" in text and "builtins.ValueError" in text  # the chain
    assert 'in boom' in text and "command: boom" in text  # where, not what


def test_crash_log_is_rotated(tmp_path: Path) -> None:
    folder = tmp_path / "state" / "cyberdiag" / "log"
    folder.mkdir(parents=True)
    log = folder / "cyberdiag-error.log"
    for _ in range(6):
        log.write_bytes(b"x" * 999_900)  # nearly full: the next entry rotates it
        assert _crash(tmp_path / "state").returncode == 3
    files = sorted(p.name for p in folder.iterdir())
    assert files == [
        "cyberdiag-error.log", "cyberdiag-error.log.1", "cyberdiag-error.log.2",
        "cyberdiag-error.log.3",
    ]  # fmt: skip
    assert all((folder / f).stat().st_size <= 1_000_000 for f in files)
    assert log.stat().st_size < 10_000  # a fresh file holding the last entry
