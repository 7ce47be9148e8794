"""mail.mta_sts against the lab's real DNS and web servers (the policy over HTTPS)."""

from __future__ import annotations

from typing import Any

from mail_fixtures import assert_statuses


def test_statuses(lab_results: dict[tuple[str, str], Any]) -> None:
    assert_statuses(lab_results, "mail.mta_sts")


def test_mta_sts_evidence(lab_results: dict[tuple[str, str], Any]) -> None:
    sts = lab_results[("bonneville.test", "mail.mta_sts")]
    assert sts.evidence["mode"] == "enforce" and sts.evidence["http_status"] == 200
    miss = lab_results[("spf-vide.test", "mail.mta_sts")]
    assert miss.evidence["unmatched_mx"] == ["mail.spf-vide.test"]
    badcert = lab_results[("mauvais-ds.test", "mail.mta_sts")]
    assert badcert.evidence["tls"]["verified"] is False
