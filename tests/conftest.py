"""The lab fixtures of the whole test suite, in one place.

`lab`: the fictional territory of real servers (NSD, unbound, aiosmtpd, nginx on 127.<slot>.x.y),
started once per session, its CA trusted the way users do (SSL_CERT_FILE); it yields a
cyberdiag.lab.manager.LabInfo (nameserver, ca_file, domains, municipality(domain), ip(...)).
`lab_results`: every registered check run once over the lab's fixture municipalities.
`web_lab`, `trust_lab`, `hostile`: real nginx sites for every WEB_CASES entry and a hostile raw-TCP
HTTP server, on a random free 127.X.Y.0/24 block per session (several sessions may run at once):
one IP per case (.1, .2, ...), .100 shared by two sites (SNI), the hostile server on .250, nothing
on .251, a server whose headers never end on .252 (ports 80 and 443).
`ipv6_lab`, `ipv6_results`: the same lab with IPv6, inside a network namespace that the session
creates (its own loopback: ::1 and fd00:cd:... addresses; the host's interfaces are never
touched), and the checks run inside it through the CLI (`ip netns exec NAME cyberdiag check`).
`truncating_dns`: a DNS server that answers every UDP query "truncated" and then closes every TCP
connection at once.

When the lab cannot run here (not root, nsd/unbound missing) its tests are skipped on a
developer's machine, but fail when CYBERDIAG_REQUIRE_LAB=1 (set by `make test`, hence CI): a lab
test that did not run must never pass silently.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cyberdiag.lab.manager import LabInfo, start_lab, stop_lab
from cyberdiag.lab.pki import Pki, make_pki
from cyberdiag.lab.web import WEB_CASES, WebServer, WebSite, security_txt, start_web

REQUIRE_LAB = os.environ.get("CYBERDIAG_REQUIRE_LAB") == "1"
ROOT = Path(__file__).resolve().parents[1]

# Tests never reach the host's resolver nor the outside. By default every lookup goes to an
# unused loopback address (a test that forgets its lab gets `not_tested`), and the computer's
# own resolver configuration reads as empty (no resolver: the "--nameserver" error). Set here,
# for the whole session and every subprocess; a test's lab overrides CYBERDIAG_NAMESERVER. The
# system-resolver path is tested inside a network namespace (tests/net/test_dnsclient.py).
UNUSED_NAMESERVER = "127.0.0.254"
os.environ["CYBERDIAG_NAMESERVER"] = UNUSED_NAMESERVER
os.environ["CYBERDIAG_RESOLV_CONF"] = os.devnull
# The cache of the validated shipped files (cyberdiag/loading/shipped_cache.py) in a folder of
# this session, never the user's.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="cyberdiag-test-cache-")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """With CYBERDIAG_REQUIRE_LAB=1 (CI), a skipped test (lab, nmap, poppler missing) is an error:
    what CI could not run must not look green."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if REQUIRE_LAB and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but CYBERDIAG_REQUIRE_LAB=1 requires it to run: {reason}"


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "the lab needs root (ports 53/25/80/443 on 127.x)"
    for tool in ("nsd", "unbound"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            return f"{tool} is not installed"
    return None


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    directory = tmp_path_factory.mktemp("lab")
    info = start_lab(directory, tie_to_caller=True)
    mp = pytest.MonkeyPatch()
    mp.setenv("SSL_CERT_FILE", str(info.ca_file))
    try:
        yield info
    finally:
        mp.undo()
        stop_lab(directory)


LAB_TIMEOUT = 2.0


@pytest.fixture(scope="session")
def lab_results(lab: LabInfo) -> dict[tuple[str, str], object]:
    """Every registered check run once over the lab's fixture municipalities (timeout 2 s):
    {(domain, check id): CheckResult}. Shared by the check tests of every helper."""
    from cyberdiag.checks.runner import run_checks

    domains = [m.domain for m in lab.municipalities]
    results = run_checks(domains, nameservers=[lab.nameserver], timeout=LAB_TIMEOUT)
    return {(r.target, r.id): r for r in results}


def _free(ip: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((ip, port))
        except OSError:
            return False
    return True


def pick_net() -> str:
    """A 127.X.Y block whose ports 80/443 are free on the addresses the fixtures use."""
    rnd = random.Random()
    for _ in range(100):
        net = f"127.{rnd.randint(100, 250)}.{rnd.randint(1, 250)}"
        hosts = [*range(1, len(WEB_CASES) + 1), 100, 250, 251, 252]
        if all(_free(f"{net}.{h}", p) for h in hosts for p in (80, 443)):
            return net
    raise RuntimeError("no free 127.X.Y block for the web fixtures")


def host_for(case: str) -> str:
    return f"www.{case.replace('_', '-')}.test"


@dataclass
class WebLab:
    net: str  # "127.X.Y": sites on .1 .. .N, shared IP .100, nothing on .251
    pki: Pki
    server: WebServer
    sites: dict[str, WebSite]  # case -> site
    shared: list[WebSite] = field(default_factory=list)  # two sites on one IP (SNI)


def _sites(net: str) -> tuple[dict[str, WebSite], list[WebSite]]:
    sites = {
        case: WebSite(host_for(case), f"{net}.{i + 1}", case) for i, case in enumerate(WEB_CASES)
    }
    shared = [
        WebSite("www.partage-a.test", f"{net}.100", "good"),
        WebSite(
            "www.partage-b.test",
            f"{net}.100",
            "bad_headers",
            files={
                "/.well-known/mta-sts.txt": "version: STSv1\nmode: enforce\n",
                # security.txt at the legacy location only (RFC 9116 section 3)
                "/security.txt": security_txt(
                    "www.partage-b.test", datetime.now(UTC) + timedelta(days=90)
                ),
            },
        ),
    ]
    return sites, shared


@pytest.fixture(scope="session")
def web_net() -> str:
    return pick_net()


@pytest.fixture(scope="session")
def web_lab(tmp_path_factory: pytest.TempPathFactory, web_net: str) -> Iterator[WebLab]:
    base = tmp_path_factory.mktemp("weblab")
    pki = make_pki(base / "pki")
    sites, shared = _sites(web_net)
    server = start_web(base / "web", pki, [*sites.values(), *shared])
    try:
        yield WebLab(web_net, pki, server, sites, shared)
    finally:
        server.stop()


@pytest.fixture
def trust_lab(web_lab: WebLab, monkeypatch: pytest.MonkeyPatch) -> WebLab:
    """Trust the lab CA the way users trust any CA: SSL_CERT_FILE."""
    monkeypatch.setenv("SSL_CERT_FILE", str(web_lab.pki.ca_cert_path))
    return web_lab


# ------------------------------------------------------------------------------------------
# A hostile HTTP server: behaviour chosen by the request path
# ------------------------------------------------------------------------------------------


class Hostile:
    """Plain-HTTP server misbehaving on purpose. Paths:
    /huge-headers (1 MB of headers), /many-headers (5,000 headers), /endless (body that never
    ends), /junk (binary garbage), /drip (one byte per 0.2 s), /close (closes at once),
    /chunked (a valid chunked body), /stall-body (headers then silence), /lf (bare LF lines),
    /continue (1xx then 200), /redirect-loop, /redirect-ftp, /to-other (redirect to http://autre.test:PORT/lf)."""

    def __init__(self, ip: str) -> None:
        self.ip = ip
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((ip, 0))
        self.port = self.sock.getsockname()[1]
        self.sock.listen(32)
        self.sock.settimeout(0.2)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 8192:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            path = data.split(b" ", 2)[1].decode()
            self._respond(conn, path)
        except OSError:
            pass
        finally:
            conn.close()

    def _respond(self, conn: socket.socket, path: str) -> None:
        ok = b"HTTP/1.1 200 OK\r\n"
        if path == "/huge-headers":
            conn.sendall(ok + b"X-Big: " + b"a" * 1_000_000 + b"\r\n\r\n")
        elif path == "/many-headers":
            conn.sendall(ok + b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n")
        elif path == "/endless":
            conn.sendall(ok + b"Content-Type: text/html\r\n\r\n")
            end = time.monotonic() + 10
            while time.monotonic() < end and not self.stopping.is_set():
                conn.sendall(b"<p>" + b"x" * 65536)
        elif path == "/junk":
            conn.sendall(bytes(range(256)) * 40)
        elif path == "/drip":
            for b in ok + b"Content-Length: 1000\r\n\r\n" + b"y" * 1000:
                if self.stopping.is_set():
                    return
                conn.sendall(bytes([b]))
                time.sleep(0.2)
        elif path == "/close":
            return
        elif path == "/chunked":
            conn.sendall(
                ok + b"Transfer-Encoding: chunked\r\n\r\n"
                b"5\r\nhello\r\n6; ext=1\r\n world\r\n0\r\n\r\n"
            )
            time.sleep(3)  # keeps the connection open: the client must stop at the last chunk
        elif path == "/stall-body":
            conn.sendall(ok + b"Content-Length: 100\r\n\r\npartial")
            time.sleep(5)
        elif path == "/continue":
            conn.sendall(
                b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody"
            )
        elif path == "/lf":
            conn.sendall(b"HTTP/1.0 200 OK\nServer: Old/1.0\nContent-Length: 2\n\nok")
        elif path == "/redirect-loop":
            conn.sendall(
                b"HTTP/1.1 302 Found\r\nLocation: /redirect-loop2\r\nContent-Length: 0\r\n\r\n"
            )
        elif path == "/redirect-loop2":
            conn.sendall(
                b"HTTP/1.1 302 Found\r\nLocation: /redirect-loop\r\nContent-Length: 0\r\n\r\n"
            )
        elif path == "/to-other":
            loc = f"http://autre.test:{self.port}/lf".encode()
            conn.sendall(
                b"HTTP/1.1 302 Found\r\nLocation: " + loc + b"\r\nContent-Length: 0\r\n\r\n"
            )
        elif path == "/redirect-ftp":
            conn.sendall(
                b"HTTP/1.1 301 Moved\r\nLocation: ftp://x.test/\r\nContent-Length: 0\r\n\r\n"
            )
        else:
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture(scope="session")
def hostile(web_net: str) -> Iterator[Hostile]:
    h = Hostile(f"{web_net}.250")
    try:
        yield h
    finally:
        h.stop()


# ------------------------------------------------------------------------------------------
# A web server whose headers never end (HTTP on 80, HTTPS on 443 of web_net.252)
# ------------------------------------------------------------------------------------------


class EndlessHeaders:
    """Answers 'HTTP/1.1 200 OK' then one header line after another, for ever (until the client
    goes away or 15 s pass), over HTTP on port 80 and HTTPS on port 443."""

    def __init__(self, ip: str, pki: Pki) -> None:
        import ssl

        from cyberdiag.lab.pki import issue

        self.ip = ip
        cert, key = issue(pki, ["www.endless.test"], name="endless")
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(str(cert), str(key))
        self.stopping = threading.Event()
        self.socks: list[socket.socket] = []
        self.threads: list[threading.Thread] = []
        for port in (80, 443):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((ip, port))
            sock.listen(16)
            sock.settimeout(0.2)
            self.socks.append(sock)
            t = threading.Thread(target=self._serve, args=(sock, port == 443), daemon=True)
            t.start()
            self.threads.append(t)

    def _serve(self, sock: socket.socket, tls: bool) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(conn, tls), daemon=True).start()

    def _handle(self, conn: socket.socket, tls: bool) -> None:
        try:
            conn.settimeout(5)
            if tls:
                conn = self.tls.wrap_socket(conn, server_side=True)
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 200 OK\r\nSet-Cookie: a=b\r\n")
            end = time.monotonic() + 15
            i = 0
            while time.monotonic() < end and not self.stopping.is_set():
                conn.sendall(b"X-Header-%d: %s\r\n" % (i, b"y" * 200))
                i += 1
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=2)
        for sock in self.socks:
            sock.close()


@pytest.fixture(scope="session")
def endless_headers(web_lab: WebLab) -> Iterator[EndlessHeaders]:
    server = EndlessHeaders(f"{web_lab.net}.252", web_lab.pki)
    try:
        yield server
    finally:
        server.stop()


# ------------------------------------------------------------------------------------------
# A DNS server that truncates every UDP answer and hangs up every TCP connection
# ------------------------------------------------------------------------------------------


class TruncatingDns:
    """UDP: every query gets an empty answer with the TC (truncated) bit, which sends the client
    to TCP; TCP: the connection is closed at once."""

    def __init__(self) -> None:
        for _ in range(50):
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind(("127.0.0.1", 0))
            self.port = self.udp.getsockname()[1]
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                self.tcp.bind(("127.0.0.1", self.port))
                break
            except OSError:
                self.udp.close()
                self.tcp.close()
        self.tcp.listen(16)
        for sock in (self.udp, self.tcp):
            sock.settimeout(0.2)
        self.stopping = threading.Event()
        self.tcp_connections = 0
        self.threads = [threading.Thread(target=fn, daemon=True)
                        for fn in (self._serve_udp, self._serve_tcp)]
        for t in self.threads:
            t.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve_udp(self) -> None:
        import dns.flags
        import dns.message

        while not self.stopping.is_set():
            try:
                data, peer = self.udp.recvfrom(4096)
            except OSError:
                continue
            try:
                reply = dns.message.make_response(dns.message.from_wire(data))
            except Exception:  # noqa: BLE001 - not a DNS query: ignore it
                continue
            reply.flags |= dns.flags.TC
            self.udp.sendto(reply.to_wire(), peer)

    def _serve_tcp(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                continue
            self.tcp_connections += 1
            conn.close()

    def stop(self) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=2)
        self.udp.close()
        self.tcp.close()


@pytest.fixture(scope="session")
def truncating_dns() -> Iterator[TruncatingDns]:
    server = TruncatingDns()
    try:
        yield server
    finally:
        server.stop()


# ------------------------------------------------------------------------------------------
# The lab with IPv6, in a network namespace of its own
# ------------------------------------------------------------------------------------------

IPV6_DOMAINS = ["v6-casse.test", "v6-seul.test", "bonneville.test", "apex-http.test"]


@dataclass
class Ipv6Lab:
    info: LabInfo
    netns: str

    def run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        """Run `cyberdiag ARGS` inside the lab's network namespace."""
        env = dict(os.environ, SSL_CERT_FILE=str(self.info.ca_file))
        return subprocess.run(["ip", "netns", "exec", self.netns, sys.executable, "-m",
                               "cyberdiag", *args], env=env, capture_output=True, text=True,
                              timeout=120, cwd=ROOT)


@pytest.fixture(scope="session")
def ipv6_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ipv6Lab]:
    reason = _why_not() or (None if shutil.which("ip") else "the ip tool is not installed")
    if reason:
        pytest.skip(reason)
    name = f"cyberdiag-test-{os.getpid()}-{random.randint(0, 99999)}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    directory = tmp_path_factory.mktemp("lab6")
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        info = start_lab(directory, tie_to_caller=True, ipv6=True, netns=name)
        yield Ipv6Lab(info, name)
    finally:
        stop_lab(directory)
        subprocess.run(["ip", "netns", "del", name], check=False)


@pytest.fixture(scope="session")
def ipv6_results(ipv6_lab: Ipv6Lab) -> dict[tuple[str, str], Any]:
    """The checks of IPV6_DOMAINS, run by the CLI inside the IPv6 lab's namespace:
    {(domain, check id): CheckResult}."""
    from cyberdiag.models import CheckRun

    out = ipv6_lab.run(["check", *IPV6_DOMAINS, "-n", ipv6_lab.info.nameserver, "--timeout",
                        str(LAB_TIMEOUT), "--json"])
    assert out.returncode == 0, out.stderr[-2000:]
    run = CheckRun.model_validate_json(out.stdout)
    return {(r.target, r.id): r for r in run.results}


__all__ = ["EndlessHeaders", "Hostile", "Ipv6Lab", "TruncatingDns", "WebLab", "endless_headers",
           "hostile", "ipv6_lab", "ipv6_results", "pick_net", "trust_lab", "truncating_dns",
           "web_lab", "web_net"]
