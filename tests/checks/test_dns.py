"""DNS checks against the lab's real servers (NSD + validating unbound on loopback).

Each fixture municipality (cyberdiag/lab/communes.py) has a hand-written expected status per
check id; the statuses are those a careful administrator would give the case, not copies of a
previous run.
"""

from __future__ import annotations

from typing import Any

import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest

from cyberdiag.checks.runner import run_checks
from cyberdiag.lab.manager import LabInfo

IDS = ("dns.ns", "dns.soa_consistency", "dns.axfr", "dns.dnssec", "dns.caa")
P, W, F, NA, NT = "pass", "warn", "fail", "not_applicable", "not_tested"
EXPECTED: dict[str, tuple[str, str, str, str, str]] = {
    #                        ns  soa axfr dnssec caa
    "ville-exemple.test":     (P, P, P, P, W),   # signed, no CAA
    "bonneville.test":        (P, P, P, P, P),
    "sans-dmarc.test":        (F, P, P, W, W),   # single NS, unsigned
    "double-spf.test":        (W, P, P, W, W),   # both NS in one /24
    "spf-long.test":          (P, P, F, W, P),   # AXFR open
    "spf-boucle.test":        (P, W, P, W, P),   # second NS serves another serial
    "spf-vide.test":          (P, P, P, W, P),   # signatures expire in 3 days
    "signature-expiree.test": (P, P, P, F, P),   # expired signatures
    "mauvais-ds.test":        (P, P, P, F, P),   # DS matches no key
    "hostile.test":           (P, P, P, W, W),
    "injoignable.test":       (NT, NT, NT, NT, NT),  # the only NS is silent
    "non-mail.test":          (P, P, P, W, P),
    "smtp-muet.test":         (W, P, P, W, P),   # second NS silent (lame)
    "sans-mx.test":           (P, P, P, W, P),   # signed island: no DS at the parent
    "v6-casse.test":          (P, P, P, W, P),
    "v6-seul.test":           (P, P, P, W, P),
    "apex-http.test":         (P, P, P, W, P),
    "regles-rfc.test":        (P, P, P, W, W),
}


@pytest.mark.parametrize("domain", sorted(EXPECTED))
def test_expected_statuses(lab_results: dict[tuple[str, str], Any], domain: str) -> None:
    got = tuple(lab_results[(domain, cid)].status for cid in IDS)
    detail = {cid: lab_results[(domain, cid)].message.en for cid in IDS}
    assert got == EXPECTED[domain], detail


def test_evidence_is_kept(lab_results: dict[tuple[str, str], Any]) -> None:
    ns = lab_results[("bonneville.test", "dns.ns")]
    assert {s["name"] for s in ns.evidence["nameservers"]} == {"ns1.test", "ns2.test"}
    soa = lab_results[("spf-boucle.test", "dns.soa_consistency")]
    assert sorted(set(soa.evidence["serials"].values())) == [2026112301, 2026112302]
    axfr = lab_results[("spf-long.test", "dns.axfr")]
    assert any(v.startswith("open") for v in axfr.evidence["servers"].values())
    sec = lab_results[("ville-exemple.test", "dns.dnssec")]
    assert sec.evidence["resolver_validated"] is True
    assert sec.evidence["ds"] and sec.evidence["signature_expires"]
    expired = lab_results[("signature-expiree.test", "dns.dnssec")]
    assert "expired" in expired.message.en and expired.evidence["signature_expires"]
    caa = lab_results[("bonneville.test", "dns.caa")]
    assert any("lab-ca.test" in r for r in caa.evidence["records"])


def test_messages_bilingual(lab_results: dict[tuple[str, str], Any]) -> None:
    for (_domain, cid), res in lab_results.items():
        if cid.startswith("dns."):
            assert res.message.fr and res.message.en and res.message.fr != res.message.en


def test_unreachable_is_not_tested_with_reason(lab_results: dict[tuple[str, str], Any]) -> None:
    for cid in IDS:
        res = lab_results[("injoignable.test", cid)]
        assert res.status == "not_tested"
        assert res.reason is not None and "timeout" in res.reason.en
        assert res.duration < 2.0 * 4 + 1.5  # bounded by the check budget


def test_dnssec_validating_resolver(lab: LabInfo) -> None:
    """The lab's unbound validates: AD for a good zone, SERVFAIL for the broken ones."""
    def ask(name: str) -> Any:
        q = dns.message.make_query(name, "SOA", want_dnssec=True)
        q.flags |= dns.flags.AD
        return dns.query.udp(q, lab.nameserver, timeout=3)

    assert ask("bonneville.test").flags & dns.flags.AD
    assert ask("mauvais-ds.test").rcode() == dns.rcode.SERVFAIL
    assert ask("signature-expiree.test").rcode() == dns.rcode.SERVFAIL
    assert not ask("sans-dmarc.test").flags & dns.flags.AD  # unsigned: insecure, no AD


def test_single_check_and_memo(lab: LabInfo) -> None:
    res = run_checks(["Bonneville.test."], nameservers=[lab.nameserver], timeout=2,
                     only=["dns.ns", "dns.soa_consistency"])
    assert [(r.target, r.id, r.status) for r in res] == [
        ("bonneville.test", "dns.ns", "pass"), ("bonneville.test", "dns.soa_consistency", "pass")]
