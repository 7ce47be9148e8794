"""The runner: every check bounded by its time budget, network trouble reported as `not_tested`
(never `fail`), and no control character from hostile records in what comes out. Against the
lab's real servers, a silent nameserver and one that answers SERVFAIL to everything."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import dns.message
import dns.rcode
import pytest
from mail_fixtures import IDS

from cyberdiag.checks.registry import CHECKS
from cyberdiag.checks.runner import check_budget, run_checks
from cyberdiag.errors import UserError


def test_slow_servers_within_budget(lab_results: dict[tuple[str, str], Any]) -> None:
    for domain in ("injoignable.test", "smtp-muet.test", "hostile.test"):
        for cid in IDS:
            assert lab_results[(domain, cid)].duration <= check_budget(2.0) + 0.5


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def servfail_server() -> Iterator[str]:
    """A real UDP DNS server on loopback that answers SERVFAIL to every query."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                q = dns.message.from_wire(data)
            except Exception:  # noqa: BLE001 - junk: ignore
                continue
            r = dns.message.make_response(q)
            r.set_rcode(dns.rcode.SERVFAIL)
            sock.sendto(r.to_wire(), peer)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    t.join(2)
    sock.close()


@pytest.mark.parametrize("kind", ["silent", "servfail"])
def test_resolver_trouble_is_not_tested(kind: str, servfail_server: str) -> None:
    ns = servfail_server if kind == "servfail" else f"127.0.0.1:{_free_udp_port()}"
    t0 = time.monotonic()
    res = run_checks(["ville-exemple.test"], nameservers=[ns], timeout=0.5,
                     only=[*IDS, "dns.ns", "dns.dnssec"])
    elapsed = time.monotonic() - t0
    assert {r.status for r in res} == {"not_tested"}, [r.message.en for r in res]
    assert all(r.reason is not None for r in res)
    word = "SERVFAIL" if kind == "servfail" else "timeout"
    assert all(word in r.reason.en for r in res if r.reason)
    assert elapsed < check_budget(0.5) + 1.5


def test_no_control_characters_reach_the_output(lab_results: dict[tuple[str, str], Any]) -> None:
    """Hostile records are shown escaped: no control character in any message or evidence."""

    def strings(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for k, v in value.items():
                yield str(k)
                yield from strings(v)
        elif isinstance(value, list | tuple):
            for v in value:
                yield from strings(v)

    for (domain, cid), res in lab_results.items():
        if not cid.startswith(("dns.", "mail.")):
            continue
        for text in strings([res.message.fr, res.message.en, res.evidence]):
            bad = [c for c in text if ord(c) < 32 or ord(c) == 127]
            assert not bad, (domain, cid, text[:200])


def test_results_in_domain_then_registry_order() -> None:
    res = run_checks(["bonneville.test", "sans-mx.test"], nameservers=["127.0.0.1:9"],
                     timeout=0.2, only=["mail.spf", "dns.ns", "mail.mx"])
    assert [(r.target, r.id) for r in res] == [
        (d, cid) for d in ("bonneville.test", "sans-mx.test")
        for cid in CHECKS if cid in ("mail.spf", "dns.ns", "mail.mx")]


@pytest.mark.parametrize(("domains", "only", "timeout", "what"), [
    (["bad..name"], None, 1.0, "Invalid domain"),
    (["x.test"], ["mail.nope"], 1.0, "Unknown check"),
    (["x.test"], None, 0.0, "Invalid timeout"),
])
def test_user_errors(domains: list[str], only: list[str] | None, timeout: float,
                     what: str) -> None:
    with pytest.raises(UserError) as err:
        run_checks(domains, nameservers=["127.0.0.1"], timeout=timeout, only=only)
    assert what in err.value.en
