"""web.cookies against real nginx sites on loopback (tests/conftest.py)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from web_fixtures import IDS, assert_statuses, case_results, ctx, run_core

from cyberdiag.checks.web.site import Site

if TYPE_CHECKING:
    from conftest import EndlessHeaders, WebLab


def test_statuses(trust_lab: WebLab) -> None:
    assert_statuses(trust_lab, "web.cookies")


def test_cookie_evidence(trust_lab: WebLab) -> None:
    cookies = case_results(trust_lab, "bad_headers")["web.cookies"]
    assert cookies.evidence["cookies"][0]["issues"] == [
        "cookie_no_secure",
        "cookie_no_httponly",
        "cookie_no_samesite",
    ]


def test_endless_headers_do_not_crash(trust_lab: WebLab, endless_headers: EndlessHeaders) -> None:
    """A server whose headers never end, over HTTPS and HTTP: the read stops at 64 KiB of
    headers, and every check gives a verdict or a reason, never an internal error."""
    target = Site("www.endless.test", [endless_headers.ip], lambda n: [])
    context = ctx(3.0)
    t0 = time.monotonic()
    cookies = run_core("web.cookies", context, target)
    assert time.monotonic() - t0 < 4
    assert cookies.status == "not_tested"
    assert cookies.reason is not None
    assert "headers larger than 65536 bytes" in cookies.reason.en
    for cid in IDS:
        res = run_core(cid, context, target)
        assert res.reason is None or "internal error" not in res.reason.en, (cid, res)
