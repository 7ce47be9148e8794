"""TLS probing (cyberdiag.net.tls) against real servers on loopback: nginx sites with good,
expired, wrong-name, self-signed and weak-key certificates, TLS 1.0/1.1 only, a hanging site, and
a small STARTTLS server with an IP-address certificate; an IPv6 address this computer cannot
reach."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cyberdiag.errors import NotTested
from cyberdiag.lab.pki import issue, make_pki
from cyberdiag.net.tls import (
    NO_ROUTE_HERE,
    cert_info,
    client_legacy_support,
    legacy_versions,
    tls_probe,
)

if TYPE_CHECKING:
    from conftest import WebLab


def free_port(ip: str) -> int:
    with socket.socket() as s:
        s.bind((ip, 0))
        return int(s.getsockname()[1])


def test_cert_info_rejects_junk() -> None:
    with pytest.raises(ValueError):
        cert_info(b"\x30\x03junk")


# ------------------------------------------------------------------------------------------
# TLS against nginx
# ------------------------------------------------------------------------------------------


def _site(lab: WebLab, case: str) -> tuple[str, str]:
    s = lab.sites[case]
    return s.ip, s.hostname


def test_tls_good(trust_lab: WebLab) -> None:
    ip, host = _site(trust_lab, "good")
    info = tls_probe(ip, 443, host, 3)
    assert info.verified and info.verify_error is None
    assert info.version == "TLSv1.3"
    assert info.cert is not None and info.cert.sans == [host]
    assert info.chain_len == 3  # leaf, intermediate, root (verified chain)
    assert info.cipher


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("expired_cert", "certificate has expired"),
        ("wrong_name", "Hostname mismatch"),
        ("self_signed", "self-signed certificate"),
        ("weak_key", "key too weak"),
    ],
)
def test_tls_verification_failures(trust_lab: WebLab, case: str, error: str) -> None:
    ip, host = _site(trust_lab, case)
    info = tls_probe(ip, 443, host, 3)
    assert not info.verified
    assert info.verify_error is not None and error in info.verify_error
    assert info.cert is not None  # collected over the unverified connection
    assert info.chain_len == (1 if case == "self_signed" else 2)


def test_tls_untrusted_without_ca(web_lab: WebLab, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = web_lab.pki.directory / "empty.pem"
    empty.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    ip, host = _site(web_lab, "good")
    info = tls_probe(ip, 443, host, 3)
    assert not info.verified and "local issuer" in (info.verify_error or "")


def test_tls_on_plain_http_port(trust_lab: WebLab) -> None:
    ip, host = _site(trust_lab, "good")
    info = tls_probe(ip, 80, host, 3)
    assert info.version is None and info.cert is None
    assert "handshake failed" in (info.verify_error or "")


def test_tls_refused_and_hang(trust_lab: WebLab) -> None:
    with pytest.raises(NotTested) as exc:
        nobody = f"{trust_lab.net}.251"  # nothing listens there
        tls_probe(nobody, free_port(nobody), "x.test", 2)
    assert exc.value.evidence["error"] == "refused"
    ip, host = _site(trust_lab, "hang")
    t0 = time.monotonic()
    with pytest.raises(NotTested) as exc:
        tls_probe(ip, 443, host, 0.5)
    assert exc.value.evidence["error"] == "timeout"
    assert time.monotonic() - t0 < 1.0


def test_legacy_versions(trust_lab: WebLab) -> None:
    assert client_legacy_support() == ["TLSv1", "TLSv1.1"], "local OpenSSL lost TLS 1.0/1.1"
    ip, host = _site(trust_lab, "legacy_tls")
    assert legacy_versions(ip, 443, host, 3) == ["TLSv1", "TLSv1.1"]
    ip, host = _site(trust_lab, "good")
    assert legacy_versions(ip, 443, host, 3) == []


# ------------------------------------------------------------------------------------------
# TLS with STARTTLS and an IP-address certificate, against a small Python server
# ------------------------------------------------------------------------------------------


@pytest.fixture
def starttls_server(tmp_path: Path) -> Iterator[tuple[str, int, Path]]:
    pki = make_pki(tmp_path)
    ip = "127.0.0.1"
    chain, key = issue(pki, ["mail.ville.test"], [ip], name="mail")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(chain, key)
    srv = socket.socket()
    srv.bind((ip, 0))
    srv.listen(8)
    srv.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            try:
                conn.settimeout(3)
                conn.sendall(b"220 hello\r\n")
                if conn.recv(100).strip() == b"STARTTLS":
                    conn.sendall(b"220 go ahead\r\n")
                    with ctx.wrap_socket(conn, server_side=True) as t:
                        t.recv(1)
            except (OSError, ssl.SSLError):
                pass
            finally:
                conn.close()

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    yield ip, srv.getsockname()[1], pki.ca_cert_path
    stop.set()
    th.join(2)
    srv.close()


def _starttls(sock: socket.socket) -> None:
    assert sock.recv(100).startswith(b"220")
    sock.sendall(b"STARTTLS\r\n")
    if not sock.recv(100).startswith(b"220"):
        raise NotTested("pas de STARTTLS", "no STARTTLS")


def test_starttls_and_ip_name(
    starttls_server: tuple[str, int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    ip, port, ca = starttls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    info = tls_probe(ip, port, "mail.ville.test", 3, starttls=_starttls)
    assert info.verified and info.cert is not None
    by_ip = tls_probe(ip, port, ip, 3, starttls=_starttls)  # IP SAN, no SNI
    assert by_ip.verified
    other = tls_probe(ip, port, "mx.autre.test", 3, starttls=_starttls)
    assert not other.verified and "mismatch" in (other.verify_error or "")


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("ip") is None,
                    reason="needs root and the ip tool (a network namespace of its own)")
def test_no_ipv6_route_here_is_not_a_finding(tmp_path: Path) -> None:
    """In a network namespace with no usable network (its loopback down), connecting to an IPv6
    address fails here, before reaching any server: NotTested says so (error no_route_here), so
    that the checks never blame the municipality for this computer's missing IPv6."""
    name = f"cyberdiag-test-noroute-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        code = ("from cyberdiag.errors import NotTested\n"
                "from cyberdiag.net.tls import connect\n"
                "try:\n    connect('fd00:cd::1', 443, 1.0)\n"
                "except NotTested as exc:\n    print(exc.evidence['error'], exc.reason.en)\n")
        out = subprocess.run(["ip", "netns", "exec", name, sys.executable, "-c", code],
                             capture_output=True, text=True, timeout=60, check=True).stdout
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)
    assert out.startswith(f"{NO_ROUTE_HERE} this computer has no route to fd00:cd::1"), out
