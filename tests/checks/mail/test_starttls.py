"""mail.starttls against the lab's real mail servers (aiosmtpd on loopback): valid, expired,
wrong-name, self-signed and soon-expiring certificates, TLS 1.0 only, no STARTTLS, a server that
hangs up and one that never speaks (not_tested, never fail)."""

from __future__ import annotations

from typing import Any

from mail_fixtures import assert_statuses


def test_statuses(lab_results: dict[tuple[str, str], Any]) -> None:
    assert_statuses(lab_results, "mail.starttls")


def test_starttls_evidence(lab_results: dict[tuple[str, str], Any]) -> None:
    good = lab_results[("bonneville.test", "mail.starttls")]
    server = good.evidence["servers"][0]
    assert server["tls"]["version"] in ("TLSv1.2", "TLSv1.3")
    assert server["tls"]["certificate"]["not_after"]
    expired = lab_results[("spf-long.test", "mail.starttls")]
    assert "expired" in expired.evidence["servers"][0]["tls"]["verify_error"]
    legacy = lab_results[("double-spf.test", "mail.starttls")]
    assert legacy.evidence["servers"][0]["legacy"]
    silent = lab_results[("smtp-muet.test", "mail.starttls")]
    assert silent.reason is not None and "did not answer in time" in silent.reason.en
