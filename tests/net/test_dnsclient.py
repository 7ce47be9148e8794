"""The DNS client against hostile servers: a server that truncates every UDP answer then hangs
up the TCP connection (tests/conftest.py), and a name with more than 100 TXT records (the lab's
NSD, through its unbound)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from cyberdiag.checks.runner import run_checks
from cyberdiag.errors import NotTested
from cyberdiag.lab.manager import LabInfo
from cyberdiag.net import dnsclient

if TYPE_CHECKING:
    from conftest import TruncatingDns


def test_tcp_closed_after_truncation_is_not_tested(truncating_dns: TruncatingDns) -> None:
    resolver = dnsclient.make_resolver([truncating_dns.address], timeout=1.0)
    before = truncating_dns.tcp_connections
    with pytest.raises(NotTested) as err:
        dnsclient.lookup(resolver, "ville.test", "TXT")
    assert truncating_dns.tcp_connections > before  # it did fall back to TCP
    assert err.value.reason.en == (f"the DNS server {truncating_dns.address} did not answer "
                                   "properly for ville.test TXT (connection closed)")
    assert "n'a pas répondu correctement" in err.value.reason.fr
    with pytest.raises(NotTested):
        dnsclient.direct_query("127.0.0.1", "ville.test", "SOA", 1.0,
                               port=truncating_dns.port)


def test_checks_through_that_server_are_not_tested(truncating_dns: TruncatingDns) -> None:
    t0 = time.monotonic()
    results = run_checks(["ville.test"], nameservers=[truncating_dns.address], timeout=1.0,
                         only=["mail.spf", "mail.dmarc", "dns.ns", "web.https"])
    assert time.monotonic() - t0 < 10
    for res in results:
        assert res.status == "not_tested", res
        assert res.reason is not None and "did not answer properly" in res.reason.en
        assert "internal error" not in res.reason.en


def test_policy_records_kept_among_hundreds_of_txt(lab: LabInfo) -> None:
    """150 short TXT records come first (zone order, no shuffling in the lab's unbound): the
    SPF and DMARC records are still among the 100 kept."""
    resolver = dnsclient.make_resolver([lab.nameserver], timeout=2.0)
    for name, record in (("cent.regles-rfc.test", "v=spf1 -all"),
                         ("_dmarc.cent.regles-rfc.test",
                          "v=DMARC1; p=reject; rua=mailto:dmarc@regles-rfc.test")):
        ans = dnsclient.lookup(resolver, name, "TXT")
        assert len(ans.rrset) == 151 and ans.truncated_count == 51
        assert len(ans.records) == dnsclient.MAX_RECORDS
        assert ans.records[0] == record
        assert ans.records[1:] == tuple(f"x{i:03d}" for i in range(99))


def test_txt_texts_keeps_order_below_the_cap() -> None:
    class Rdata:
        def __init__(self, text: str) -> None:
            self.strings = [text.encode()]

    small = [Rdata(t) for t in ("b", "v=spf1 -all", "a")]
    assert dnsclient.txt_texts(small) == ["b", "v=spf1 -all", "a"]
    many = [Rdata(f"x{i}") for i in range(300)] + [Rdata("V=DMARC1; p=none")]
    kept = dnsclient.txt_texts(many)
    assert len(kept) == dnsclient.MAX_RECORDS and kept[0] == "V=DMARC1; p=none"
