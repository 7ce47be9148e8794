"""PKI, TLS probing and the bounded HTTP client, against real servers on loopback."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cryptography import x509
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberdiag.errors import NotTested
from cyberdiag.lab.pki import issue, make_pki
from cyberdiag.net.http import Hop, HttpProtocolError, HttpResponse, fetch, fetch_chain, fetch_first
from cyberdiag.net.tls import cert_info, client_legacy_support, legacy_versions, tls_probe

if TYPE_CHECKING:
    from conftest import Hostile, WebLab



def free_port(ip: str) -> int:
    with socket.socket() as s:
        s.bind((ip, 0))
        return int(s.getsockname()[1])


# ------------------------------------------------------------------------------------------
# PKI
# ------------------------------------------------------------------------------------------


def test_pki_variants(tmp_path: Path) -> None:
    t0 = time.monotonic()
    pki = make_pki(tmp_path)
    chain, key = issue(pki, ["www.a.test", "a.test"], ["127.0.0.5"], name="a")
    exp, _ = issue(pki, ["www.a.test"], expired=True, name="exp")
    own, _ = issue(pki, ["www.a.test"], self_signed=True, name="own")
    weak, _ = issue(pki, ["www.a.test"], rsa_bits=1024, name="weak")
    assert time.monotonic() - t0 < 2
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    certs = x509.load_pem_x509_certificates(chain.read_bytes())
    assert len(certs) == 2 and certs[1].subject == pki.intermediate_cert.subject
    info = cert_info(_der(certs[0]))
    assert info.sans == ["www.a.test", "a.test", "127.0.0.5"]
    assert (info.key_type, info.key_bits, info.self_signed) == ("EC", 256, False)
    assert info.sig_alg == "ecdsa-with-SHA256"
    e = cert_info(_leaf(exp))
    assert e.not_after < datetime.now(UTC)
    o = x509.load_pem_x509_certificates(own.read_bytes())
    assert len(o) == 1 and cert_info(_der(o[0])).self_signed
    w = cert_info(_leaf(weak))
    assert (w.key_type, w.key_bits) == ("RSA", 1024)


def _der(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.DER)


def _leaf(path: Path) -> bytes:
    return _der(x509.load_pem_x509_certificates(path.read_bytes())[0])


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


# ------------------------------------------------------------------------------------------
# HTTP client against nginx
# ------------------------------------------------------------------------------------------


def test_fetch_good(trust_lab: WebLab) -> None:
    ip, host = _site(trust_lab, "good")
    r = fetch(host, ip, timeout=3)
    assert r.status == 200 and r.url == f"https://{host}/"
    assert r.header("STRICT-transport-security") == "max-age=31536000; includeSubDomains"
    assert r.header_all("set-cookie") == ["session=lab; Path=/; Secure; HttpOnly; SameSite=Lax"]
    assert b"<h1>" + host.encode() + b"</h1>" in r.body and not r.truncated
    assert r.tls is not None and r.tls.verified
    plain = fetch(host, ip, tls=False, timeout=3)
    assert plain.status == 301 and plain.location == f"https://{host}/"
    assert plain.tls is None
    chain = fetch_chain(host, [ip], tls=False, resolve=lambda n: [], timeout=3)
    assert [x.status for x in chain.responses] == [301, 200] and chain.stopped is None
    missing = fetch(host, ip, "/nothing-here", timeout=3)
    assert missing.status == 404


def test_fetch_small_max_bytes(trust_lab: WebLab) -> None:
    ip, host = _site(trust_lab, "good")
    r = fetch(host, ip, timeout=3, max_bytes=10)
    assert len(r.body) == 10 and r.truncated


def test_fetch_files_and_sni(trust_lab: WebLab) -> None:
    a, b = trust_lab.shared
    r = fetch(b.hostname, b.ip, "/.well-known/mta-sts.txt", timeout=3)
    assert r.status == 200 and r.text() == "version: STSv1\nmode: enforce\n"
    assert r.header("content-type") == "text/plain; charset=utf-8"
    assert fetch(a.hostname, a.ip, "/.well-known/mta-sts.txt", timeout=3).status == 404


def test_fetch_refuses_bad_request_parts() -> None:
    for host, path in [("a.test\r\nX: y", "/"), ("a.test", "/\r\nX: y"), ("a.test", "x")]:
        with pytest.raises(ValueError):
            fetch(host, "127.0.0.1", path)


def test_fetch_first_tries_next_address(trust_lab: WebLab) -> None:
    ip, host = _site(trust_lab, "good")
    r = fetch_first(host, [f"{trust_lab.net}.251", ip], timeout=2)
    assert r.status == 200 and r.ip == ip


# ------------------------------------------------------------------------------------------
# Hostile servers: bounded, clear outcomes
# ------------------------------------------------------------------------------------------


def _get(h: Hostile, path: str, timeout: float = 2.0, max_bytes: int = 65536) -> HttpResponse:
    return fetch(
        "hostile.test",
        h.ip,
        path,
        port=h.port,
        tls=False,
        timeout=timeout,
        max_bytes=max_bytes,
    )


@pytest.mark.parametrize("path", ["/huge-headers", "/many-headers", "/junk"])
def test_hostile_protocol_errors(hostile: Hostile, path: str) -> None:
    t0 = time.monotonic()
    with pytest.raises(HttpProtocolError) as exc:
        _get(hostile, path)
    assert time.monotonic() - t0 < 2.5
    assert exc.value.reason.fr and exc.value.reason.en


def test_hostile_endless_body(hostile: Hostile) -> None:
    t0 = time.monotonic()
    r = _get(hostile, "/endless", max_bytes=100_000)
    assert r.status == 200 and len(r.body) == 100_000 and r.truncated
    assert time.monotonic() - t0 < 2


def test_hostile_drip_and_close(hostile: Hostile) -> None:
    t0 = time.monotonic()
    with pytest.raises(NotTested) as exc:
        _get(hostile, "/drip", timeout=1.0)
    assert exc.value.evidence["error"] == "timeout"
    assert time.monotonic() - t0 < 1.5
    with pytest.raises(NotTested) as exc:
        _get(hostile, "/close")
    assert exc.value.evidence["error"] == "closed"


def test_hostile_body_stall_keeps_headers(hostile: Hostile) -> None:
    t0 = time.monotonic()
    r = _get(hostile, "/stall-body", timeout=1.0)
    assert r.status == 200 and r.body == b"partial" and r.truncated
    assert time.monotonic() - t0 < 1.5


def test_chunked_and_bare_lf(hostile: Hostile) -> None:
    t0 = time.monotonic()
    r = _get(hostile, "/chunked", timeout=2.5)
    assert r.body == b"hello world" and not r.truncated
    assert time.monotonic() - t0 < 1  # stopped at the last chunk, not at the deadline
    cont = _get(hostile, "/continue")
    assert cont.status == 200 and cont.body == b"body" and cont.header("link") is None
    lf = _get(hostile, "/lf")
    assert lf.status == 200 and lf.header("server") == "Old/1.0" and lf.body == b"ok"


def test_redirect_chains(hostile: Hostile) -> None:
    def resolve(name: str) -> list[str]:
        return {"autre.test": [hostile.ip]}.get(name, [])

    def chain(path: str, port: int | None = hostile.port) -> Hop:
        return fetch_chain(
            "hostile.test", [hostile.ip], path, port=port, tls=False, resolve=resolve, timeout=2
        )

    loop = chain("/redirect-loop")
    assert loop.stopped == "redirect loop" and len(loop.responses) == 2
    ftp = chain("/redirect-ftp")
    assert ftp.stopped == "unsupported redirect target"
    other = chain("/to-other")
    assert other.stopped is None and other.final.url == f"http://autre.test:{hostile.port}/lf"
    assert other.final.status == 200
    with pytest.raises(NotTested):
        chain("/", port=None)  # port 80 of the hostile address: nothing listens


# ------------------------------------------------------------------------------------------
# Response head parser: random bytes give a response or HttpProtocolError, nothing else
# ------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.lists(
            st.sampled_from(
                [
                    b"HTTP/1.1 ",
                    b"200",
                    b" OK",
                    b"\r\n",
                    b"\n",
                    b": ",
                    b"X",
                    b" ",
                    b"\t",
                    b"\x00",
                    b"HTTP/1.0 999",
                    b"Location",
                    b"\xff",
                ]
            ),
            max_size=40,
        ).map(b"".join),
    )
)
def test_parse_head_random(head: bytes) -> None:
    from cyberdiag.net.http import _parse_head

    try:
        status, _reason, headers = _parse_head(head, "http://x.test/")
    except HttpProtocolError:
        return
    assert 100 <= status <= 999
    assert all(k and ":" not in k for k, _ in headers)
