"""web.tls_legacy against real nginx sites on loopback (tests/conftest.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from web_fixtures import assert_statuses, case_results

if TYPE_CHECKING:
    from conftest import WebLab


def test_statuses(trust_lab: WebLab) -> None:
    assert_statuses(trust_lab, "web.tls_legacy")


def test_versions_evidence(trust_lab: WebLab) -> None:
    legacy = case_results(trust_lab, "legacy_tls")["web.tls_legacy"]
    assert legacy.evidence["legacy_offered"] == ["TLSv1", "TLSv1.1"]
    assert legacy.evidence["max_version"] == "TLSv1.2"
    good = case_results(trust_lab, "good")["web.tls_legacy"]
    assert good.evidence["max_version"] == "TLSv1.3"
