"""E-mail checks against the lab's real servers (NSD, unbound, aiosmtpd, nginx on loopback),
plus network failures: a silent nameserver, one answering SERVFAIL, SMTP servers that hang up or
never speak — each gives `not_tested` within the time budget, never `fail`."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from cyberdiag.checks.runner import check_budget, run_checks
from cyberdiag.lab.manager import LabInfo
from cyberdiag.models import Profile

IDS = ("mail.mx", "mail.spf", "mail.dmarc", "mail.dkim", "mail.mta_sts", "mail.tls_rpt",
       "mail.starttls", "mail.dane")
P, W, F, NA, NT = "pass", "warn", "fail", "not_applicable", "not_tested"
EXPECTED: dict[str, tuple[str, ...]] = {
    #                         mx spf dmarc dkim sts rpt starttls dane
    "ville-exemple.test":     (P, P, W, P, W, W, P, W),     # ~all, p=none, signed w/o TLSA
    "bonneville.test":        (P, P, P, P, P, P, P, P),     # everything right
    "sans-dmarc.test":        (P, F, F, W, W, W, F, NA),    # +all, no DMARC, no STARTTLS
    "double-spf.test":        (P, F, W, P, W, W, W, NA),    # 2 SPF, pct=50, TLS 1.0 only
    "spf-long.test":          (P, F, P, W, W, P, W, NA),    # 11 lookups, RSA 1024, expired cert
    "spf-boucle.test":        (P, F, F, P, W, F, W, NA),    # loop, p=maybe, rua=ftp:, wrong name
    "spf-vide.test":          (P, F, P, P, F, W, P, F),     # 3 void, policy misses MX, bad TLSA
    "signature-expiree.test": (P, W, P, P, W, W, W, W),     # ?all, self-signed
    "mauvais-ds.test":        (P, P, W, P, F, W, W, W),     # sp=none, policy cert expired,
    #                                                         SMTP certificate expires in 10 days
    "hostile.test":           (P, F, F, F, F, W, NT, NA),   # hostile records, SMTP hangs up
    "injoignable.test":       (NT,) * 8,
    "non-mail.test":          (P, P, P, NA, NA, NA, NA, NA),  # null MX
    "smtp-muet.test":         (P, P, P, P, W, W, NT, NA),   # SMTP never speaks
    "sans-mx.test":           (W, W, P, P, NA, NA, NA, NA),  # no MX, SPF without all
}


@pytest.mark.parametrize("domain", sorted(EXPECTED))
def test_expected_statuses(lab_results: dict[tuple[str, str], Any], domain: str) -> None:
    got = tuple(lab_results[(domain, cid)].status for cid in IDS)
    detail = {cid: lab_results[(domain, cid)].message.en for cid in IDS}
    assert got == EXPECTED[domain], detail


def test_spf_evidence(lab_results: dict[tuple[str, str], Any]) -> None:
    long = lab_results[("spf-long.test", "mail.spf")]
    assert long.evidence["lookups"] == 11
    vide = lab_results[("spf-vide.test", "mail.spf")]
    assert vide.evidence["void_lookups"] == 3
    loop = lab_results[("spf-boucle.test", "mail.spf")]
    assert "loop" in loop.message.en and "boucle" in loop.message.fr
    deep = lab_results[("hostile.test", "mail.spf")]
    assert deep.evidence["lookups"] <= 21 and deep.duration < 5  # bounded walk
    plus = lab_results[("sans-dmarc.test", "mail.spf")]
    assert plus.evidence["all"] == "+"


def test_dmarc_evidence(lab_results: dict[tuple[str, str], Any]) -> None:
    good = lab_results[("bonneville.test", "mail.dmarc")]
    assert good.evidence["unauthorised_destinations"] == []  # authorised by the third party
    ext = lab_results[("double-spf.test", "mail.dmarc")]
    assert ext.evidence["unauthorised_destinations"] == ["non-autorise.test"]
    assert ext.evidence["pct"] == 50
    hostile = lab_results[("hostile.test", "mail.dmarc")]
    assert "control characters" in hostile.message.en
    assert all("\x1b" not in r and "\x01" not in r for r in hostile.evidence["records"])


def test_starttls_evidence(lab_results: dict[tuple[str, str], Any]) -> None:
    good = lab_results[("bonneville.test", "mail.starttls")]
    server = good.evidence["servers"][0]
    assert server["tls"]["version"] in ("TLSv1.2", "TLSv1.3")
    assert server["tls"]["certificate"]["not_after"]
    expired = lab_results[("spf-long.test", "mail.starttls")]
    assert "expired" in expired.evidence["servers"][0]["tls"]["verify_error"]
    legacy = lab_results[("double-spf.test", "mail.starttls")]
    assert legacy.evidence["servers"][0]["legacy"]


def test_dane_and_mta_sts_evidence(lab_results: dict[tuple[str, str], Any]) -> None:
    dane = lab_results[("bonneville.test", "mail.dane")]
    assert set(dane.evidence["matches"].values()) == {"match"}
    assert all(dane.evidence["dnssec_validated"].values())
    sts = lab_results[("bonneville.test", "mail.mta_sts")]
    assert sts.evidence["mode"] == "enforce" and sts.evidence["http_status"] == 200
    miss = lab_results[("spf-vide.test", "mail.mta_sts")]
    assert miss.evidence["unmatched_mx"] == ["mail.spf-vide.test"]


def test_slow_servers_within_budget(lab_results: dict[tuple[str, str], Any]) -> None:
    for domain in ("injoignable.test", "smtp-muet.test", "hostile.test"):
        for cid in IDS:
            assert lab_results[(domain, cid)].duration <= check_budget(2.0) + 0.5


def _profile(**kw: Any) -> Profile:
    base: dict[str, Any] = {"name": "Test", "insee": "59999", "population": 1000, "agents": 10}
    base.update(kw)
    return Profile(**base)


def test_free_provider(lab: LabInfo) -> None:
    cases = [("mairie.x@orange.fr", "fail"), ("Contact@WANADOO.fr", "fail"),
             ("mairie@gmail.com", "fail"), ("mairie@bonneville.test", "pass"), (None, NA)]
    for email, status in cases:
        res = run_checks(["bonneville.test"], nameservers=[lab.nameserver], timeout=2,
                         profile=_profile(official_email=email), only=["mail.free_provider"])
        assert [r.status for r in res] == [status], email
    # Profile-scoped: run once, on the address, even without a domain.
    res = run_checks([], nameservers=[lab.nameserver], timeout=2,
                     profile=_profile(official_email="mairie@laposte.net"))
    assert [(r.id, r.target, r.status) for r in res] == [
        ("mail.free_provider", "mairie@laposte.net", "fail")]


def test_dkim_declared_selectors(lab: LabInfo) -> None:
    ok = run_checks(["bonneville.test"], nameservers=[lab.nameserver], timeout=2,
                    profile=_profile(dkim_selectors=["selector1"]), only=["mail.dkim"])
    assert ok[0].status == "pass"
    missing = run_checks(["bonneville.test"], nameservers=[lab.nameserver], timeout=2,
                         profile=_profile(dkim_selectors=["absent"]), only=["mail.dkim"])
    assert missing[0].status == "fail" and "absent" in missing[0].message.en
    # No selector known and none found: "unknown" (warn), never "fail".
    unknown = run_checks(["sans-dmarc.test"], nameservers=[lab.nameserver], timeout=2,
                         only=["mail.dkim"])
    assert unknown[0].status == "warn" and "unknown" in unknown[0].message.en


# --- Network failures -------------------------------------------------------------------------


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def servfail_server() -> Iterator[str]:
    """A real UDP DNS server on loopback that answers SERVFAIL to every query."""
    import dns.message
    import dns.rcode

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


def test_dmarc_organisational_fallback(lab: LabInfo) -> None:
    """A subdomain without its own record falls back to the organisational domain (PSL)."""
    res = run_checks(["mail.bonneville.test", "mail.ville-exemple.test"],
                     nameservers=[lab.nameserver], timeout=2, only=["mail.dmarc", "dns.ns"])
    by = {(r.target, r.id): r for r in res}
    good = by[("mail.bonneville.test", "mail.dmarc")]
    assert good.status == "pass" and good.evidence["inherited"] is True
    assert good.evidence["name"] == "_dmarc.bonneville.test"
    assert "bonneville.test" in good.message.en
    # ville-exemple.test has p=none and no sp: the subdomain inherits p=none.
    weak = by[("mail.ville-exemple.test", "mail.dmarc")]
    assert weak.status == "warn" and weak.evidence["effective_policy"] == "none"
    # dns.ns judges the zone that holds the name.
    assert by[("mail.bonneville.test", "dns.ns")].evidence["zone"] == "bonneville.test"
