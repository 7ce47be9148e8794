"""mail.dane against the lab's real DNS (signed zones, TLSA) and mail servers: the TLSA records
are compared with the certificates presented after STARTTLS."""

from __future__ import annotations

from typing import Any

from mail_fixtures import assert_statuses


def test_statuses(lab_results: dict[tuple[str, str], Any]) -> None:
    assert_statuses(lab_results, "mail.dane")


def test_dane_evidence(lab_results: dict[tuple[str, str], Any]) -> None:
    dane = lab_results[("bonneville.test", "mail.dane")]
    assert set(dane.evidence["matches"].values()) == {"match"}
    assert all(dane.evidence["dnssec_validated"].values())
    wrong = lab_results[("spf-vide.test", "mail.dane")]
    assert set(wrong.evidence["matches"].values()) == {"no match"}
    unsigned = lab_results[("ville-exemple.test", "mail.dane")]
    assert unsigned.evidence["tlsa"] == {} and unsigned.evidence["mx_zone_signed"] is True
