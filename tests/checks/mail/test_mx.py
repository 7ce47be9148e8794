"""mail.mx against the lab's real DNS servers (NSD + unbound on loopback)."""

from __future__ import annotations

from typing import Any

from mail_fixtures import assert_statuses


def test_statuses(lab_results: dict[tuple[str, str], Any]) -> None:
    assert_statuses(lab_results, "mail.mx")


def test_null_mx_and_no_mx(lab_results: dict[tuple[str, str], Any]) -> None:
    null = lab_results[("non-mail.test", "mail.mx")]
    assert null.evidence["mx"] == ["0 ."] and "Null MX" in null.message.en
    none = lab_results[("sans-mx.test", "mail.mx")]
    assert none.evidence["mx"] == [] and "No MX" in none.message.en
