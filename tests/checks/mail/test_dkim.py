"""mail.dkim against the lab's real DNS servers: key sizes, declared selectors, and "unknown"
(never "fail") when no selector is known and none of the usual ones is found."""

from __future__ import annotations

from typing import Any

from mail_fixtures import assert_statuses, profile

from cyberdiag.checks.runner import run_checks
from cyberdiag.lab.manager import LabInfo


def test_statuses(lab_results: dict[tuple[str, str], Any]) -> None:
    assert_statuses(lab_results, "mail.dkim")


def test_dkim_declared_selectors(lab: LabInfo) -> None:
    ok = run_checks(["bonneville.test"], nameservers=[lab.nameserver], timeout=2,
                    profile=profile(dkim_selectors=["selector1"]), only=["mail.dkim"])
    assert ok[0].status == "pass"
    missing = run_checks(["bonneville.test"], nameservers=[lab.nameserver], timeout=2,
                         profile=profile(dkim_selectors=["absent"]), only=["mail.dkim"])
    assert missing[0].status == "fail" and "absent" in missing[0].message.en
    # No selector known and none found: "unknown" (warn), never "fail".
    unknown = run_checks(["sans-dmarc.test"], nameservers=[lab.nameserver], timeout=2,
                         only=["mail.dkim"])
    assert unknown[0].status == "warn" and "unknown" in unknown[0].message.en


def test_key_evidence(lab_results: dict[tuple[str, str], Any]) -> None:
    weak = lab_results[("spf-long.test", "mail.dkim")]
    assert weak.evidence["keys"] == {"default": "rsa 1024"}
    hostile = lab_results[("hostile.test", "mail.dkim")]
    assert hostile.evidence["keys"] == {"default": "invalid"}
