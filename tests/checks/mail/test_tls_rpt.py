"""mail.tls_rpt against the lab's real DNS servers."""

from __future__ import annotations

from typing import Any

from mail_fixtures import assert_statuses


def test_statuses(lab_results: dict[tuple[str, str], Any]) -> None:
    assert_statuses(lab_results, "mail.tls_rpt")


def test_tls_rpt_evidence(lab_results: dict[tuple[str, str], Any]) -> None:
    good = lab_results[("bonneville.test", "mail.tls_rpt")]
    assert good.evidence["rua"] == ["mailto:tls-rpt@bonneville.test"]
    bad = lab_results[("spf-boucle.test", "mail.tls_rpt")]
    assert "rua=ftp://" in bad.evidence["records"][0]
