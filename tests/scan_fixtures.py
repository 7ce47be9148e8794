"""Helpers for the exposure-scan tests: real TCP listeners on the tests' own 127.0.0.6x
addresses, a profile writer, an NSD server for host names and an nginx for the -sV test.

Only ports opened by these helpers are ever scanned (never ranges: another service listens on
port 2024 of every 127.x address on the project's machines).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import yaml

# Ports of the catalogue that an unprivileged process may also bind (first free one is used).
RISKY_CANDIDATES = (3389, 5900, 6379, 5432, 27017)


class Listener:
    """A TCP server on ip:port that accepts and counts connections (nmap's connect probes)."""

    def __init__(self, ip: str, port: int = 0, backlog: int = 16) -> None:
        self.ip = ip
        self.sock = socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((ip, port))
        self.sock.listen(backlog)
        self.sock.settimeout(0.05)
        self.port: int = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def wait_for_connection(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.connections:
                return True
            time.sleep(0.01)
        return bool(self.connections)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


class BlackHole:
    """A port whose accept queue is full: new connection attempts get no answer (SYN dropped),
    like a filtering firewall, so nmap needs about a second before calling it 'filtered'."""

    def __init__(self, ip: str, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((ip, port))
        self.sock.listen(0)
        self.fillers: list[socket.socket] = []
        for _ in range(3):
            c = socket.socket()
            c.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                c.connect((ip, port))
            self.fillers.append(c)
        time.sleep(0.05)

    def close(self) -> None:
        for c in self.fillers:
            c.close()
        self.sock.close()


def nmap_scanning(ip: str, parent: int) -> bool:
    """Whether a child nmap of process `parent` (python-nmap's) is scanning `ip` right now."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text(encoding="utf-8", errors="replace")
        except OSError:  # the process ended meanwhile
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and Path(args[0].decode()).name == "nmap" and ip.encode() in args:
            return True
    return False


def wait_for_nmap(ip: str, parent: int, timeout: float) -> bool:
    """Wait until nmap is scanning `ip` (a real sign of progress, whatever the machine's load)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if nmap_scanning(ip, parent):
            return True
        time.sleep(0.01)
    return False


def free_port(ips: list[str], avoid: tuple[int, ...] = (2024,)) -> int:
    """A port number currently free on every address of `ips`."""
    for _ in range(50):
        s = socket.socket()
        s.bind((ips[0], 0))
        port: int = s.getsockname()[1]
        s.close()
        if port in avoid:
            continue
        ok = True
        for ip in ips[1:]:
            t = socket.socket()
            try:
                t.bind((ip, port))
            except OSError:
                ok = False
            finally:
                t.close()
        if ok:
            return port
    raise RuntimeError("no common free port")


def risky_listener(ip: str) -> Listener:
    """A listener on the first bindable port of RISKY_CANDIDATES (3389 when root)."""
    for port in RISKY_CANDIDATES:
        try:
            return Listener(ip, port)
        except OSError:
            continue
    raise RuntimeError(f"none of {RISKY_CANDIDATES} can be bound on {ip}")


def write_profile(path: Path, addresses: list[str], **extra: object) -> Path:
    data: dict[str, object] = {
        "name": "Ville-Scan",
        "insee": "59350",
        "population": 2500,
        "agents": 30,
        "public_addresses": addresses,
    }
    data.update(extra)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# ---- NSD: an authoritative server for the host-name test -------------------------------------


@contextlib.contextmanager
def nsd_server(workdir: Path, ip: str, zone: str, records: str) -> Iterator[int]:
    """Run NSD on ip:<free port> serving `zone` with `records`; yields the port."""
    nsd = shutil.which("nsd") or "/usr/sbin/nsd"
    port = free_port([ip])
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / f"{zone}.zone").write_text(
        f"$ORIGIN {zone}.\n$TTL 60\n"
        f"@ IN SOA ns.{zone}. hostmaster.{zone}. 1 3600 600 86400 60\n"
        f"@ IN NS ns.{zone}.\nns IN A {ip}\n{records}\n",
        encoding="utf-8",
    )
    conf = workdir / "nsd.conf"
    conf.write_text(
        f"""server:
  ip-address: {ip}@{port}
  username: ""
  chroot: ""
  database: ""
  zonesdir: "{workdir}"
  pidfile: "{workdir}/nsd.pid"
  logfile: "{workdir}/nsd.log"
  zonelistfile: "{workdir}/zone.list"
  xfrdfile: "{workdir}/xfrd.state"
  xfrdir: "{workdir}"
  rrl-ratelimit: 0
  verbosity: 0
remote-control:
  control-enable: no
zone:
  name: {zone}
  zonefile: {zone}.zone
""",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [nsd, "-d", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_dns(ip, port, zone)
        yield port
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()


def _wait_dns(ip: str, port: int, zone: str, timeout: float = 5.0) -> None:
    import dns.message
    import dns.query

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            dns.query.udp(dns.message.make_query(zone, "SOA"), ip, port=port, timeout=0.2)
            return
        except Exception:
            time.sleep(0.02)
    raise RuntimeError("NSD did not start")


# ---- nginx: a realistic target for the single -sV test ----------------------------------------


@contextlib.contextmanager
def nginx_server(workdir: Path, ip: str, port: int) -> Iterator[None]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "nginx.conf"
    conf.write_text(
        f"""daemon off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {workdir}/body;
  proxy_temp_path {workdir}/proxy;
  fastcgi_temp_path {workdir}/fastcgi;
  uwsgi_temp_path {workdir}/uwsgi;
  scgi_temp_path {workdir}/scgi;
  server {{
    listen {ip}:{port};
    location / {{ return 200 "mairie\\n"; }}
  }}
}}
""",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [nginx, "-p", str(workdir), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 5
        while True:
            try:
                socket.create_connection((ip, port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("nginx did not start") from None
                time.sleep(0.02)
        yield
    finally:
        _stop(proc)
