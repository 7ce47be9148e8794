"""The web host of a domain and the fetches the web checks share: against real nginx sites on
loopback (tests/conftest.py), a hanging site, an address where nothing listens, and, through the
registry and our resolver, every fixture municipality of the full lab."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from web_fixtures import EXPECTED, IDS, NA, NT, F, P, W, case_seconds, ctx, run_core, site

from cyberdiag.checks.registry import WEB_CHECKS, WEB_CORES
from cyberdiag.checks.web.site import Site, ascii_domain
from cyberdiag.errors import NotTested
from cyberdiag.lab.communes import Municipality, fixtures
from cyberdiag.lab.web import WEB_CASES
from cyberdiag.models import CheckResult

if TYPE_CHECKING:
    from conftest import WebLab


def test_every_case_is_covered() -> None:
    assert set(EXPECTED) == set(WEB_CASES)


def test_hanging_site_costs_one_timeout(trust_lab: WebLab) -> None:
    """The fetches are shared: one timeout for the whole battery of checks, not eight."""
    assert case_seconds(trust_lab, "hang") < 4 * 1.5


def test_home_page_fetched_once(trust_lab: WebLab) -> None:
    """Every request is made once per run: http://host/ redirected to https://host/ reuses the
    HTTPS home page (two requests for "/", not three)."""
    context = ctx()
    target = site(trust_lab, "good")
    for cid in IDS:
        WEB_CORES[cid](context, target)
    ips = tuple(target.ips)
    keys = sorted(str(k) for k in context.memo if k[0] == "web")
    assert keys == sorted(
        map(
            str,
            [
                ("web", target.host, ips, "home", True),
                ("web", target.host, ips, "home", False),
                ("web", "fetch", target.host, ips, "/", None, True, 65536),
                ("web", "fetch", target.host, ips, "/", None, False, 65536),
                ("web", target.host, "legacy"),
                ("web", target.host, "security.txt"),
            ],
        )
    )


def test_unreachable_site_is_not_tested_quickly(web_net: str) -> None:
    context = ctx(1.0)
    target = Site("www.nowhere.test", [f"{web_net}.251"], lambda n: [])  # nothing listens there
    t0 = time.monotonic()
    for cid in IDS:
        res = run_core(cid, context, target)
        assert res.status == "not_tested", res
    assert time.monotonic() - t0 < 3


def test_wrapper_not_tested_without_resolver() -> None:
    """find_site through a resolver: a refused/unanswered nameserver gives NotTested."""
    with pytest.raises(NotTested):
        WEB_CHECKS["web.https"](ctx(0.5), "ville.test")


def test_ascii_domain() -> None:
    assert ascii_domain(" Ville-A.TEST. ") == "ville-a.test"
    assert ascii_domain("bücher.example") == "xn--bcher-kva.example"
    with pytest.raises(NotTested):
        ascii_domain("a" * 70 + "é.test")  # label too long once encoded


# ------------------------------------------------------------------------------------------
# The DNS-resolving wrappers, through the full lab (tests/conftest.py)
# ------------------------------------------------------------------------------------------


def _expected_in_lab(m: Municipality) -> list[str]:
    if m.ns == "dead":
        return [NT] * len(IDS)  # our resolver cannot resolve anything for it
    if m.web is None:
        return [NA] * len(IDS)  # neither www.<domain> nor <domain> has an address
    if m.apex_web == "http_to_www":  # www good; the apex: no HTTPS, HTTP to https://www
        return [W, P, P, P, P, P, P, P]
    return EXPECTED[m.web]  # the apex and www serve the same case


def test_checks_web_lab(lab_results: dict[tuple[str, str], CheckResult]) -> None:
    """Every fixture municipality of the lab, through the registry and our resolver."""
    errors = {}
    for m in fixtures():
        got = []
        for cid in IDS:
            res = lab_results[(m.domain, cid)]
            got.append(res.status)
            if res.status in (P, W, F):
                assert res.evidence["host"] == f"www.{m.domain}", res
        if got != _expected_in_lab(m):
            errors[m.domain] = (m.web, got, _expected_in_lab(m))
    assert not errors, errors
