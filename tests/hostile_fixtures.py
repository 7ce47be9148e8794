"""Helpers for the tests that attack the CLI: a real terminal (pty), a private mount namespace
with a small tmpfs or a read-only bind mount, and peak memory of a child process.

Mounts are made inside `unshare -m` (a mount namespace of the child's own, private propagation):
nothing is ever mounted on the host, even when a test fails half-way.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
UNSHARE = shutil.which("unshare")

needs_root_mounts = pytest.mark.skipif(
    os.geteuid() != 0 or UNSHARE is None or shutil.which("nsenter") is None,
    reason="mount namespaces need root, unshare and nsenter",
)


def cli(*args: str) -> list[str]:
    """The command line of `cyberdiag ARGS` run by this Python."""
    return [sys.executable, "-m", "cyberdiag", *args]


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "CYBERDIAG_LANG": "fr", "COLUMNS": "100", **extra}


# ---- mount namespaces ---------------------------------------------------------------------


def in_tmpfs(folder: Path, size: str, argv: Sequence[str], fill_to: str | None = None) -> list[str]:
    """argv run with a tmpfs of `size` mounted on `folder` (private mount namespace). With
    `fill_to` ("64k"), the tmpfs is first filled up until only that much is left."""
    script = f'mount -t tmpfs -o size={size},mode=0700 tmpfs "$D"'
    if fill_to is not None:
        script += (
            ' && dd if=/dev/zero of="$D/.filler" bs=4k count=1000000 status=none 2>/dev/null;'
            f' truncate -s -{fill_to} "$D/.filler"'
        )
    return _unshare(script, folder, argv)


def read_only(folder: Path, argv: Sequence[str]) -> list[str]:
    """argv run with `folder` bind-mounted read-only onto itself (private mount namespace)."""
    script = 'mount --bind "$D" "$D" && mount -o remount,ro,bind "$D"'
    return _unshare(script, folder, argv)


def _unshare(script: str, folder: Path, argv: Sequence[str]) -> list[str]:
    assert UNSHARE is not None
    return [
        UNSHARE, "-m", "--propagation", "private", "env", f"D={folder}",
        "sh", "-c", script + ' && exec "$@"', "sh", *argv,
    ]  # fmt: skip


def fill_mount(pid: int, folder: Path) -> None:
    """From outside, fill the tmpfs seen by process `pid` (its mount namespace) completely."""
    subprocess.run(
        ["nsenter", "-t", str(pid), "-m", "sh", "-c",
         f'dd if=/dev/zero of="{folder}/.filler2" bs=4k status=none 2>/dev/null; true'],
        check=True, timeout=60,
    )  # fmt: skip


# ---- a real terminal ----------------------------------------------------------------------


class Terminal:
    """A child process on a pseudo-terminal: what it writes, byte for byte, and what we type."""

    def __init__(self, argv: Sequence[str], *, cwd: Path, environ: dict[str, str]) -> None:
        master, slave = pty.openpty()
        self.master = master

        def controlling_terminal() -> None:  # in the child, after setsid
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            list(argv), stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=environ,
            start_new_session=True, preexec_fn=controlling_terminal,
        )  # fmt: skip
        os.close(slave)
        self.seen = b""

    def read_until(self, marker: bytes, timeout: float = 30.0) -> bytes:
        deadline = time.monotonic() + timeout
        while marker not in self.seen and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                self.seen += chunk
        return self.seen

    def type(self, text: bytes) -> None:
        os.write(self.master, text)

    def finish(self, timeout: float = 60.0) -> tuple[int, bytes]:
        """Read everything until the child ends; (exit code, all it wrote)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.seen += chunk
            elif self.proc.poll() is not None:
                break
        if self.proc.poll() is None:
            self.proc.kill()
        code = self.proc.wait(timeout=10)
        os.close(self.master)
        return code, self.seen


def run_in_terminal(
    argv: Sequence[str], cwd: Path, typed: Sequence[bytes] = (), timeout: float = 60.0
) -> tuple[int, bytes]:
    """Run on a pty, typing each of `typed` when the child waits; (exit code, bytes written)."""
    term = Terminal(argv, cwd=cwd, environ=env())
    pending = list(typed)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and term.proc.poll() is None:
        before = len(term.seen)
        term.read_until(b"\x00never", timeout=0.5)
        if len(term.seen) == before and pending:
            term.type(pending.pop(0))
    return term.finish(timeout=10)


HOSTILE_BYTES = (b"\x1b]0;PWNED", b"\x07", b"\xc2\x9b", b"\x9b", b"\x1b]8;", b"\xe2\x80\xae")


def assert_no_injection(out: bytes) -> None:
    """Nothing of the payloads reached the terminal raw: no OSC title/hyperlink, no BEL, no
    8-bit CSI, no bidi override; and no crash."""
    for bad in HOSTILE_BYTES:
        assert bad not in out, (bad, out[-3000:])
    assert b"Traceback" not in out and b"Erreur interne" not in out


# ---- resources of a child -----------------------------------------------------------------


# A small launcher between pytest and the measured command: a child forked straight from pytest
# inherits pytest's resident memory until it execs, and the kernel's peak (ru_maxrss) keeps it,
# so a long test session would be charged to the command. The launcher is small when it forks.
_LAUNCHER = """
import os, sys, time
out, timeout, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
pid = os.posix_spawn(argv[0], argv, os.environ)
deadline = time.monotonic() + timeout
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    if time.monotonic() > deadline:
        os.kill(pid, 9)
        done, status, usage = os.wait4(pid, 0)
        break
    time.sleep(0.01)
with open(out, "w") as fh:
    fh.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_utime + usage.ru_stime} "
             f"{usage.ru_maxrss}")
"""


def run_measured(
    argv: Sequence[str], cwd: Path, timeout: float = 60.0
) -> tuple[int, str, float, float]:
    """(exit code, stderr, CPU seconds, peak resident memory in MB) of a child process, read
    from the kernel's own accounting (wait4, through a small launcher): CPU time, not wall time,
    so that a busy machine does not make the measure lie."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "usage"
        errf = Path(tmp) / "stderr"
        with open(errf, "wb") as err_out:
            subprocess.run(
                [sys.executable, "-S", "-c", _LAUNCHER, str(report), str(timeout),
                 shutil.which(argv[0]) or argv[0], *argv[1:]],
                cwd=cwd, env=env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=err_out, timeout=timeout + 30, check=False,
            )  # fmt: skip
        code, cpu, maxrss = report.read_text().split()
        err = errf.read_bytes().decode("utf-8", "replace")
    return int(code), err, float(cpu), int(maxrss) / 1024
