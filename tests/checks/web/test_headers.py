"""web.headers against real nginx sites on loopback (tests/conftest.py), SNI included."""

from __future__ import annotations

from typing import TYPE_CHECKING

from web_fixtures import assert_statuses, case_results, ctx

from cyberdiag.checks.web.headers import headers_core
from cyberdiag.checks.web.site import Site

if TYPE_CHECKING:
    from conftest import WebLab


def test_statuses(trust_lab: WebLab) -> None:
    assert_statuses(trust_lab, "web.headers")


def test_sni_distinguishes_sites_on_one_ip(trust_lab: WebLab) -> None:
    a, b = trust_lab.shared
    context = ctx()
    assert headers_core(context, Site(a.hostname, [a.ip], lambda n: [])).status == "pass"
    assert headers_core(context, Site(b.hostname, [b.ip], lambda n: [])).status == "fail"


def test_verdict_evidence(trust_lab: WebLab) -> None:
    weak = case_results(trust_lab, "bad_headers")["web.headers"]
    assert set(weak.evidence["headers"]) == {"csp", "xcto", "frame", "referrer"}
    assert all(h["verdict"] != "ok" for h in weak.evidence["headers"].values())
