"""SMTP probing (cyberdiag.net.smtp) against the lab's real mail servers (aiosmtpd on port 25 of
loopback addresses): STARTTLS with a valid certificate, TLS 1.0 only, no STARTTLS, a server that
hangs up, one that never speaks; and a server that does not speak SMTP at all."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from cyberdiag.errors import NotTested
from cyberdiag.lab.manager import LabInfo
from cyberdiag.net.smtp import certificate_chain, probe
from cyberdiag.net.tls import cert_info


def _mx(lab: LabInfo, domain: str) -> tuple[str, str]:
    """(address, host name) of the lab's mail server for `domain`."""
    return lab.ip(domain, 25), lab.municipality(domain).mail_host


def test_probe_good_starttls(lab: LabInfo) -> None:
    ip, host = _mx(lab, "bonneville.test")
    out = probe(ip, host, 2.0)
    assert out["host"] == host and out["ip"] == ip
    assert "cyberdiag lab" in out["banner"] and out["starttls"] is True
    assert out["tls"]["verified"] is True and out["tls"]["version"] in ("TLSv1.2", "TLSv1.3")
    assert "legacy" not in out


def test_probe_without_starttls(lab: LabInfo) -> None:
    ip, host = _mx(lab, "sans-dmarc.test")
    out = probe(ip, host, 2.0)
    assert out["starttls"] is False and "tls" not in out


def test_probe_tls_1_0_only(lab: LabInfo) -> None:
    ip, host = _mx(lab, "double-spf.test")
    out = probe(ip, host, 2.0)
    assert out["tls"]["version"] is None and out["legacy"] == ["TLSv1"]


@pytest.mark.parametrize(("domain", "error"), [("hostile.test", "closed"),
                                                ("smtp-muet.test", "timeout")])
def test_probe_network_trouble(lab: LabInfo, domain: str, error: str) -> None:
    ip, host = _mx(lab, domain)
    t0 = time.monotonic()
    with pytest.raises(NotTested) as exc:
        probe(ip, host, 0.5)
    assert exc.value.evidence["error"] == error
    assert time.monotonic() - t0 < 2 * 0.5 + 2.0  # one retry, each bounded by the timeout


def test_certificate_chain(lab: LabInfo) -> None:
    ip, host = _mx(lab, "bonneville.test")
    ders = certificate_chain(ip, host, 2.0)
    assert ders and host in cert_info(ders[0]).sans
    ip, host = _mx(lab, "double-spf.test")
    assert certificate_chain(ip, host, 2.0) == []  # TLS 1.0 only: no modern session


@pytest.fixture
def not_smtp() -> Iterator[str]:
    """A server on port 25 of a free loopback address that answers like a web server."""
    rnd = random.Random()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    for _ in range(100):
        ip = f"127.{rnd.randint(100, 250)}.{rnd.randint(1, 250)}.{rnd.randint(1, 250)}"
        try:
            srv.bind((ip, 25))
            break
        except OSError:
            continue
    else:
        pytest.fail("no free loopback address for port 25")
    srv.listen(4)
    srv.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
                    conn.recv(100)  # until the client hangs up
                except OSError:
                    pass

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    yield ip
    stop.set()
    th.join(2)
    srv.close()


def test_probe_not_smtp(not_smtp: str) -> None:
    out = probe(not_smtp, "mx.x.test", 2.0)
    assert out["smtp"] is False and "not an SMTP reply" in out["error"]
