"""mail.dmarc against the lab's real DNS servers: policies, external report destinations,
hostile records, and the fallback to the organisational domain."""

from __future__ import annotations

from typing import Any

from mail_fixtures import assert_statuses

from cyberdiag.checks.runner import run_checks
from cyberdiag.lab.manager import LabInfo


def test_statuses(lab_results: dict[tuple[str, str], Any]) -> None:
    assert_statuses(lab_results, "mail.dmarc")


def test_dmarc_evidence(lab_results: dict[tuple[str, str], Any]) -> None:
    good = lab_results[("bonneville.test", "mail.dmarc")]
    assert good.evidence["unauthorised_destinations"] == []  # authorised by the third party
    ext = lab_results[("double-spf.test", "mail.dmarc")]
    assert ext.evidence["unauthorised_destinations"] == ["non-autorise.test"]
    assert ext.evidence["pct"] == 50
    hostile = lab_results[("hostile.test", "mail.dmarc")]
    assert "control characters" in hostile.message.en
    assert all("\x1b" not in r and "\x01" not in r for r in hostile.evidence["records"])


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
