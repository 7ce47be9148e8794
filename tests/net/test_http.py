"""The bounded HTTP client (cyberdiag.net.http) against real servers on loopback: nginx sites
(TLS, redirects, SNI, files) and a hostile raw-TCP server (huge or endless answers, drip, junk,
redirect loops); the response head parser on random bytes."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberdiag.errors import NotTested
from cyberdiag.net.http import (
    Hop,
    HttpProtocolError,
    HttpResponse,
    _parse_head,
    fetch,
    fetch_chain,
    fetch_first,
)

if TYPE_CHECKING:
    from conftest import Hostile, WebLab


def _site(lab: WebLab, case: str) -> tuple[str, str]:
    s = lab.sites[case]
    return s.ip, s.hostname


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
    try:
        status, _reason, headers = _parse_head(head, "http://x.test/")
    except HttpProtocolError:
        return
    assert 100 <= status <= 999
    assert all(k and ":" not in k for k, _ in headers)
