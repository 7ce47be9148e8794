"""Safe file I/O: atomic private writes, bounded reads, write checks, locks, stale temp files.

Diagnostic files map a municipality's weaknesses: they are written readable by their owner only.
Every write goes through a temporary file named after the writing process (`.NAME.PID.XXXXXXXX.tmp`)
renamed over the target; temporary files left by a killed process are removed at the next start.
Every failure to write is one UserError naming the path, saying why and what to do.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from cyberdiag.errors import UserError

# Kept free on top of what a command knows it will write (SQLite journals, file system slack).
SPACE_MARGIN = 1_000_000
# Temporary files of ours: .NAME.PID.XXXXXXXX.tmp (the PID of the writing process)
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]{8}\.tmp$")
# Older versions wrote .NAME.XXXXXXXX.tmp (no PID): removed once clearly abandoned.
_OLD_TEMP = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp$")
_OLD_TEMP_AGE = 3600.0

_WHY: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("disque plein", "disk full"),
    errno.EDQUOT: ("quota de disque atteint", "disk quota exceeded"),
    errno.EROFS: ("système de fichiers en lecture seule", "read-only file system"),
    errno.EACCES: ("droits insuffisants", "permission denied"),
    errno.EPERM: ("opération non permise", "operation not permitted"),
    errno.EISDIR: ("c'est un dossier", "it is a folder"),
    errno.ENOTDIR: ("un fichier est à la place d'un dossier", "a file is in the way of a folder"),
}
HINT = (
    "choisissez un autre emplacement ou libérez de la place, puis relancez la commande",
    "choose another location or free some space, then run the command again",
)
OUTPUT_HINT = (
    "choisissez un autre fichier avec -o (un dossier où vous pouvez écrire) ou libérez de la "
    "place, puis relancez la commande",
    "choose another file with -o (in a folder you can write to) or free some space, then run "
    "the command again",
)


def write_failed(path: Path | str, exc: OSError, hint: tuple[str, str] = HINT) -> UserError:
    """The one-line error for a write that failed: the path, why, what to do."""
    fr_why, en_why = _WHY.get(exc.errno or 0, (exc.strerror or str(exc), exc.strerror or str(exc)))
    return UserError(
        f"Impossible d'écrire {path} ({fr_why}) : {hint[0]}.",
        f"Cannot write {path} ({en_why}): {hint[1]}.",
    )


def _temp_prefix(target: Path) -> str:
    return f".{target.name}.{os.getpid()}."


def temp_for(target: Path, mode: int = 0o600) -> tuple[int, str]:
    """A new temporary file next to `target`, named after this process: (fd, path)."""
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=target.parent)
    os.fchmod(fd, mode)
    return fd, tmp


def write_private(
    path: Path | str, data: str | bytes, mode: int = 0o600, hint: tuple[str, str] = HINT
) -> None:
    """Write `data` to `path` atomically with permissions `mode` (default 0600).

    The content goes to a temporary file in the same directory, is flushed and fsynced, then
    renamed over the target: a crash or a kill leaves either the old file or the new one. A
    failure (disk full, read-only, permission) is a UserError naming the path; nothing is left.
    """
    target = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(target.parent)
        fd, tmp = temp_for(target, mode)
    except OSError as exc:
        raise write_failed(target, exc, hint) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise write_failed(target, exc, hint) from None
        raise


def remove_stale_temps(folder: Path) -> list[Path]:
    """Remove our temporary files left in `folder` by a process that no longer runs; returns
    them. Files of a running process are never touched."""
    removed: list[Path] = []
    try:
        names = [e.name for e in os.scandir(folder) if e.name.endswith(".tmp")]
    except OSError:
        return removed
    for name in names:
        m = _TEMP.match(name)
        path = folder / name
        if m is not None:
            if _alive(int(m["pid"])):
                continue
        else:  # an older cyberdiag's: only beside the file it was for, and hours old
            old = _OLD_TEMP.match(name)
            if old is None or not (folder / old["name"]).exists():
                continue
            if not _older_than(path, _OLD_TEMP_AGE):
                continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.lstat().st_mtime > seconds
    except OSError:
        return False


def read_limited(path: Path, limit: int, label: str | None = None) -> bytes:
    """The bytes of `path`; UserError naming it when missing, unreadable, a folder, or larger
    than `limit` — counted on the bytes actually read (/dev/zero is refused too), never on
    the size the file system announces."""
    shown = label or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as fh:
            os.set_blocking(fd, True)  # O_NONBLOCK only so that opening a FIFO never hangs
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise UserError(f"{shown} : fichier introuvable.", f"{shown}: file not found.") from None
    except IsADirectoryError:
        raise UserError(
            f"{shown} : c'est un dossier, pas un fichier.", f"{shown}: a folder, not a file."
        ) from None
    except OSError as exc:
        raise UserError(
            f"{shown} : lecture impossible ({exc.strerror or exc}).",
            f"{shown}: cannot read it ({exc.strerror or exc}).",
        ) from None
    if len(data) > limit:
        raise UserError(
            f"{shown} : fichier trop gros (plus de {_size(limit, 'fr')}).",
            f"{shown}: file too large (over {_size(limit, 'en')}).",
        )
    return data


def _size(n: int, lang: str) -> str:
    if n >= 1_000_000:
        v = f"{n / 1_000_000:g}"
        return f"{v.replace('.', ',')} Mo" if lang == "fr" else f"{v} MB"
    v = f"{n / 1000:g}"
    return f"{v.replace('.', ',')} ko" if lang == "fr" else f"{v} kB"


def check_writable(path: Path, need: int = 0, hint: tuple[str, str] = HINT) -> None:
    """Before any work: can `path` be written (its folder created if needed, writable, `need`
    bytes free plus a margin)? UserError naming the path and what to do otherwise."""
    target = Path(path)
    if target.is_dir():
        raise write_failed(target, OSError(errno.EISDIR, "Is a directory"), hint)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_failed(target, exc, hint) from None
    remove_stale_temps(folder)
    try:  # a real probe: catches read-only mounts, permissions and exhausted inodes alike
        fd, probe = temp_for(target)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise write_failed(target, exc, hint) from None
    free = shutil.disk_usage(folder).free
    if free < need + SPACE_MARGIN:
        raise write_failed(target, OSError(errno.ENOSPC, "No space left on device"), hint)


def ensure_folder(folder: Path) -> None:
    """Create the output folder, or a clear UserError (a file in the way, no permission,
    read-only or full disk)."""
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
    check_writable(folder / ".cyberdiag-probe")


# --------------------------------------------------------------------------------------------
# Locks: one writer at a time for an answers file or a territorial store
# --------------------------------------------------------------------------------------------


def lock_path(target: Path) -> Path:
    """The lock file of `target`: .NAME.lock beside it."""
    return target.parent / f".{target.name}.lock"


Busy = Callable[[str, str], UserError]
"""The error when another process holds a lock: (holder in French, in English) → UserError."""


@contextlib.contextmanager
def locked(target: Path, what: tuple[str, str], busy: Busy | None = None) -> Iterator[None]:
    """Hold the write lock of `target` (fcntl.flock on .NAME.lock, which records our PID and
    command). Another process holding it: UserError naming that process, at once (no wait).
    `what` names the file for the message (« le fichier de réponses », "the answers file");
    `busy` words the message otherwise."""
    path = lock_path(Path(target))
    fd = _acquire(path, Path(target), what, busy)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n{_command_line()}\n".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # still ours: unlinked before the lock is released
        os.close(fd)


def is_locked(target: Path) -> bool:
    """Whether another process holds the write lock of `target` right now."""
    try:
        fd = os.open(lock_path(Path(target)), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
    return False


def _acquire(path: Path, target: Path, what: tuple[str, str], busy: Busy | None) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_failed(target, exc) from None
    remove_stale_temps(path.parent)
    for _ in range(50):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise write_failed(path, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            if busy is not None:
                raise busy(*holder) from None
            raise UserError(
                f"{what[0].capitalize()} {target} est en cours d'écriture par un autre "
                f"processus ({holder[0]}) : attendez qu'il se termine (ou fermez-le), puis "
                "relancez la commande.",
                f"{what[1].capitalize()} {target} is being written by another process "
                f"({holder[1]}): wait for it to finish (or close it), then run the command "
                "again.",
            ) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path, follow_symlinks=False).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the previous holder removed it meanwhile: take the new one
    raise UserError(f"{path} : verrou instable.", f"{path}: unstable lock.")


def _holder(fd: int) -> tuple[str, str]:
    """« PID 1234 : cyberdiag questionnaire » as the lock file says. The holder writes that
    line just after taking the lock: a file still empty is read again for up to 0.1 s."""
    text = ""
    for _ in range(20):
        try:
            text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
        except OSError:
            break
        if "\n" in text:
            break
        time.sleep(0.005)
    first, _, rest = text.partition("\n")
    if not first.strip().isdigit():
        return "processus inconnu", "unknown process"
    pid = first.strip()
    cmd = "".join(c if c.isprintable() else "?" for c in rest.strip())[:120] or "?"
    return f"PID {pid} : {cmd}", f"PID {pid}: {cmd}"


def _command_line() -> str:
    """« cyberdiag territory import »: the program and its command words (no option values)."""
    if not sys.argv:
        return "?"
    program = Path(sys.argv[0]).name
    words = ["cyberdiag" if program in ("__main__.py", "-m", "-c") else program]
    for arg in sys.argv[1:3]:
        if arg.startswith("-"):
            break
        words.append(arg)
    return " ".join(words)
