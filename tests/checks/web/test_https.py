"""web.https against real nginx sites on loopback (tests/conftest.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from web_fixtures import assert_statuses, case_results

if TYPE_CHECKING:
    from conftest import WebLab


def test_statuses(trust_lab: WebLab) -> None:
    assert_statuses(trust_lab, "web.https")


def test_redirect_evidence(trust_lab: WebLab) -> None:
    good = case_results(trust_lab, "good")["web.https"]
    assert [r["status"] for r in good.evidence["http"]] == [301, 200]
    plain = case_results(trust_lab, "http_no_redirect")["web.https"]
    assert plain.evidence["http"][0]["location"] is None
