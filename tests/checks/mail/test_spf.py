"""mail.spf against the lab's real DNS servers: the walk counts lookups and void lookups, finds
loops, and stays bounded on a hostile 50-level include chain."""

from __future__ import annotations

from typing import Any

from mail_fixtures import assert_statuses


def test_statuses(lab_results: dict[tuple[str, str], Any]) -> None:
    assert_statuses(lab_results, "mail.spf")


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
