"""Safe file writing: atomic (temp file + rename) and private (mode 0600).

Diagnostic files map a municipality's weaknesses: they are written readable by their owner only.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_private(path: Path | str, data: str | bytes, mode: int = 0o600) -> None:
    """Write `data` to `path` atomically with permissions `mode` (default 0600).

    The content goes to a temporary file in the same directory, is flushed and fsynced, then
    renamed over the target: a crash or a kill leaves either the old file or the new one.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
