"""Safe file writing: atomic (temp file + rename) and private (mode 0600); output folders.

Diagnostic files map a municipality's weaknesses: they are written readable by their owner only.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cyberdiag.errors import UserError


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


def ensure_folder(folder: Path) -> None:
    """Create the output folder, or a clear UserError (a file in the way, no permission)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"Impossible de créer le dossier {folder} ({exc.strerror or exc}).",
            f"Cannot create the folder {folder} ({exc.strerror or exc}).",
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(
            f"Impossible d'écrire dans le dossier {folder} (droits insuffisants).",
            f"Cannot write in the folder {folder} (permission denied).",
        )
