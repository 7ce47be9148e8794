"""web.cookies against real nginx sites on loopback (tests/conftest.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from web_fixtures import assert_statuses, case_results

if TYPE_CHECKING:
    from conftest import WebLab


def test_statuses(trust_lab: WebLab) -> None:
    assert_statuses(trust_lab, "web.cookies")


def test_cookie_evidence(trust_lab: WebLab) -> None:
    cookies = case_results(trust_lab, "bad_headers")["web.cookies"]
    assert cookies.evidence["cookies"][0]["issues"] == [
        "cookie_no_secure",
        "cookie_no_httponly",
        "cookie_no_samesite",
    ]
