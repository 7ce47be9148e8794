"""nmap as a process of cyberdiag (checks/exposure/nmaprun.py): a host nmap gave up on is
`not_tested`, never `pass`; nmap runs in its own process group and ends with cyberdiag, whatever
signal ends it. Real nmap, real listeners on the tests' own 127.0.0.6x addresses, real signals."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from scan_fixtures import BlackHole, free_port, wait_for_nmap, write_profile

from cyberdiag.checks import exposure

pytestmark = pytest.mark.skipif(exposure.find_nmap() is None, reason="nmap is not installed")

REPO = Path(__file__).resolve().parents[3]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "cyberdiag", *args]


def test_host_timeout_gives_not_tested_never_pass(tmp_path: Path) -> None:
    """A port that drops every SYN (a filtering firewall) and a host timeout shorter than nmap
    needs to call it filtered: nmap's XML says timedout="true" and lists no port. The scan is
    incomplete, so both checks are `not_tested` with the reason — never `pass`."""
    ip = "127.0.0.66"
    port = free_port([ip])
    hole = BlackHole(ip, port)
    out = tmp_path / "scan.json"
    try:
        prof = write_profile(tmp_path / "m.yaml", [ip])
        proc = subprocess.run(
            _cli("scan", "-p", str(prof), "--ports", str(port), "--authorized",
                 "--host-timeout", "0.3", "-o", str(out)),
            capture_output=True, text=True, timeout=120, cwd=REPO,
            env={**os.environ, "CYBERDIAG_LANG": "en"},
        )  # fmt: skip
    finally:
        hole.close()
    assert proc.returncode == 0, proc.stderr
    run = json.loads(out.read_text(encoding="utf-8"))
    statuses = {r["id"]: r["status"] for r in run["results"]}
    assert set(statuses.values()) == {"not_tested"} and len(statuses) == 2
    for r in run["results"]:
        assert "timedout" in r["reason"]["en"] and "0.3 s" in r["reason"]["en"]
        assert r["evidence"]["scanned"] == 0
        assert r["evidence"]["not_scanned"][0]["state"] == "timeout"
    assert "passed" not in proc.stdout


class SilentListener:
    """Accepts connections and never says a word: nmap -sV waits on it for a long while."""

    def __init__(self, ip: str, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((ip, port))
        self.sock.listen(16)
        self.held: list[socket.socket] = []
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for c in self.held:
            c.close()


def nmap_pids(ip: str) -> list[int]:
    """Every nmap process of the machine scanning `ip`, whoever its parent is now."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if args and Path(args[0].decode(errors="replace")).name == "nmap" and ip.encode() in args:
            found.append(int(entry.name))
    return found


@pytest.fixture
def silent_target() -> Iterator[tuple[str, int]]:
    ip = "127.0.0.67"
    port = free_port([ip])
    listener = SilentListener(ip, port)
    yield ip, port
    listener.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_nmap_ends_with_cyberdiag(
    sig: signal.Signals, tmp_path: Path, silent_target: tuple[str, int]
) -> None:
    """The signal goes to cyberdiag alone (not its group: nmap is in a session of its own and
    would not get it anyway). nmap must not survive, re-parented to PID 1, scanning on."""
    ip, port = silent_target
    prof = write_profile(tmp_path / "m.yaml", [ip])
    proc = subprocess.Popen(
        _cli("scan", "-p", str(prof), "--ports", str(port), "--authorized", "--service-versions",
             "-o", str(tmp_path / "scan.json")),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=REPO, start_new_session=True,
    )  # fmt: skip
    try:
        assert wait_for_nmap(ip, proc.pid, 60), "nmap never started"
        started = nmap_pids(ip)
        assert started
        assert all(os.getpgid(pid) != os.getpgid(proc.pid) for pid in started)  # its own group
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
        deadline = time.monotonic() + 10
        while nmap_pids(ip) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert nmap_pids(ip) == [], f"nmap still running after {sig.name}"
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in nmap_pids(ip):
            os.kill(pid, signal.SIGKILL)
    assert "Traceback" not in err
    if sig == signal.SIGINT:
        assert proc.returncode == 130
    else:
        assert proc.returncode == -sig
