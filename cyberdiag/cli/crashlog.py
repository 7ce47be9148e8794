"""The crash log: what went wrong in cyberdiag itself, private, bounded, without user content.

The log lives in the user's log folder (platformdirs), which is made 0700; the file is 0600. It
holds the version, the command word, the exception types and the code locations (file, line,
function, source line of cyberdiag or its libraries) — never exception messages, which may
quote an answer, a comment or a file's content. It is rotated: at most LOG_MAX_BYTES per file,
LOG_KEEP older files.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

LOG_NAME = "cyberdiag-error.log"
LOG_MAX_BYTES = 1_000_000
LOG_KEEP = 3
_ENTRY_MAX = 100_000


def log_folder() -> Path:
    """The private folder of the crash log (created 0700, tightened to 0700 if it exists)."""
    try:
        from platformdirs import user_log_dir

        folder = Path(user_log_dir("cyberdiag"))
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)
        return folder
    except Exception:  # no usable home folder: a private folder in the temp dir
        return Path(tempfile.mkdtemp(prefix="cyberdiag-log-"))


def write_crash_log(exc: BaseException, argv: list[str] | None = None) -> Path:
    """Append one entry about `exc` to the log (rotated first when full); its path. `argv`:
    the command line, of which only the command words are kept."""
    path = log_folder() / LOG_NAME
    entry = describe(exc, argv if argv is not None else sys.argv[1:]).encode("utf-8")
    entry = entry[:_ENTRY_MAX]
    _rotate(path, len(entry))
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, entry)
    finally:
        os.close(fd)
    return path


def _rotate(path: Path, incoming: int) -> None:
    """path → path.1 → … → path.LOG_KEEP (the oldest dropped) when `incoming` would overflow."""
    try:
        size = path.stat().st_size
    except OSError:
        return
    if size + incoming <= LOG_MAX_BYTES:
        return
    for i in range(LOG_KEEP, 0, -1):
        older = path.with_name(f"{path.name}.{i}")
        newer = path if i == 1 else path.with_name(f"{path.name}.{i - 1}")
        with contextlib.suppress(OSError):
            os.replace(newer, older)


def describe(exc: BaseException, argv: list[str]) -> str:
    """The entry: when, which version and command (its words, no option value), then each
    exception's type and code locations (no message: it may quote what the user typed)."""
    from cyberdiag import __version__

    words: list[str] = []
    for arg in argv[:2]:
        if arg.startswith("-") or not arg.replace("-", "").isalpha():
            break
        words.append(arg)
    lines = [
        f"=== {datetime.now(UTC).isoformat(timespec='seconds')} cyberdiag {__version__} "
        f"(Python {platform.python_version()}, {platform.system()}) command: "
        + (" ".join(words) or "-"),
    ]
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    for i, item in enumerate(reversed(chain)):
        if i:
            lines.append("  -- then, while handling it:")
        lines.append(f"{type(item).__module__}.{type(item).__qualname__}")
        for frame in traceback.extract_tb(item.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
    return "\n".join(lines) + "\n\n"
