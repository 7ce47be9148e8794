"""web.hsts against real nginx sites on loopback (tests/conftest.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from web_fixtures import assert_statuses, case_results

if TYPE_CHECKING:
    from conftest import WebLab


def test_statuses(trust_lab: WebLab) -> None:
    assert_statuses(trust_lab, "web.hsts")


def test_max_age_evidence(trust_lab: WebLab) -> None:
    hsts = case_results(trust_lab, "hsts_short")["web.hsts"]
    assert hsts.evidence["max_age"] == 300
    good = case_results(trust_lab, "good")["web.hsts"]
    assert good.evidence["include_subdomains"] is True
