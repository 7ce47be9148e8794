"""What the web checks should say about each case of the web lab (cyberdiag/lab/web.py WEB_CASES,
served by real nginx sites on loopback: tests/conftest.py), and helpers to run a check's core on
a site directly (IP addresses, no DNS). Used by the tests in tests/checks/web/ (one file per
check). Expected statuses are hand-written from the case descriptions."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from cyberdiag.checks.base import CheckContext, run_one
from cyberdiag.checks.registry import WEB_CORES
from cyberdiag.checks.web.site import Site
from cyberdiag.models import CheckResult
from cyberdiag.net.dnsclient import make_resolver

if TYPE_CHECKING:
    from conftest import WebLab

P, W, F, NA, NT = "pass", "warn", "fail", "not_applicable", "not_tested"
IDS = [
    "web.https",
    "web.hsts",
    "web.certificate",
    "web.tls_legacy",
    "web.headers",
    "web.cookies",
    "web.security_txt",
    "web.versions",
]
EXPECTED: dict[str, list[str]] = {
    #                      https hsts cert legacy headers cookies sectxt versions
    "good": [P, P, P, P, P, P, P, P],
    "no_https": [F, F, NA, NA, P, F, F, P],
    "http_no_redirect": [F, P, P, P, P, P, P, P],
    "legacy_tls": [P, P, P, F, P, P, P, P],
    "expired_cert": [P, P, F, P, P, P, P, P],
    "cert_expiring": [P, P, W, P, P, P, P, P],
    "wrong_name": [P, P, F, P, P, P, P, P],
    "self_signed": [P, P, F, P, P, P, P, P],
    "weak_key": [P, P, F, P, P, P, P, P],
    "bad_headers": [P, F, P, P, F, F, F, W],
    "weak_headers": [P, W, P, P, F, P, P, P],
    "hsts_short": [P, W, P, P, P, P, P, P],
    "security_txt_expired": [P, P, P, P, P, P, F, P],
    "hang": [NT] * 8,
    "http_to_www": [F, F, NA, NA, F, NA, F, P],  # alone: its www is not in this lab
}


def ctx(timeout: float = 2.0) -> CheckContext:
    """A context whose resolver is never asked: the cores get the addresses directly."""
    return CheckContext(resolver=make_resolver(["127.0.0.1:9"], timeout=0.5), timeout=timeout)


def site(lab: WebLab, case: str) -> Site:
    """The lab site of a case; other lab host names resolve to their own address."""
    s = lab.sites[case]
    names = {x.hostname: [x.ip] for x in lab.sites.values()}
    return Site(s.hostname, [s.ip], lambda n: names.get(n, []))


def run_core(cid: str, context: CheckContext, target: Site) -> CheckResult:
    """Run a check's core on a site the way the runner runs checks (never raising)."""

    def fn(c: CheckContext, _target: str) -> CheckResult:
        return WEB_CORES[cid](c, target)

    return run_one(fn, cid, context, target.host)


_RESULTS: dict[str, dict[str, CheckResult]] = {}
_SECONDS: dict[str, float] = {}


def case_results(lab: WebLab, case: str) -> dict[str, CheckResult]:
    """Every web check on the site of `case`, run once per session with one context (as the
    runner does: the fetches are shared). Call it from a test using `trust_lab`."""
    if case not in _RESULTS:
        context = ctx(1.5 if case == "hang" else 3.0)
        target = site(lab, case)
        t0 = time.monotonic()
        _RESULTS[case] = {cid: run_core(cid, context, target) for cid in IDS}
        _SECONDS[case] = time.monotonic() - t0
    return _RESULTS[case]


def case_seconds(lab: WebLab, case: str) -> float:
    """How long the whole battery of web checks took on the site of `case`."""
    case_results(lab, case)
    return _SECONDS[case]


def assert_statuses(lab: WebLab, check_id: str) -> None:
    """The check's status on every case is the expected one, with a message in both languages
    and a reason when not_applicable or not_tested."""
    col = IDS.index(check_id)
    got, want = {}, {}
    for case in sorted(EXPECTED):
        res = case_results(lab, case)[check_id]
        assert res.message.fr and res.message.en
        if res.status in (NA, NT):
            assert res.reason is not None
        got[case] = (res.status, res.message.en)
        want[case] = EXPECTED[case][col]
    assert {c: s for c, (s, _) in got.items()} == want, got
