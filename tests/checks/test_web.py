"""Web checks against real nginx sites on loopback (tests/conftest.py).

The checks' cores take (ctx, Site) so they run on IP addresses directly; the DNS-resolving
wrapper is tested with the full lab (see test_checks_web_lab at the end, skipped without it).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from cyberdiag.checks.base import CheckContext, run_one
from cyberdiag.checks.web import CORES, WEB_CHECKS, Site, name_matches
from cyberdiag.errors import NotTested
from cyberdiag.lab.web import WEB_CASES
from cyberdiag.models import CheckCatalogue, CheckResult
from cyberdiag.net.dnsclient import make_resolver

# Expected status per case and check (hand-written from the case descriptions).
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
}


def _ctx(timeout: float = 2.0) -> CheckContext:
    # A resolver that is never asked: the cores get the addresses directly.
    return CheckContext(resolver=make_resolver(["127.0.0.1:9"], timeout=0.5), timeout=timeout)


def _site(lab: WebLab, case: str) -> Site:
    s = lab.sites[case]
    names = {x.hostname: [x.ip] for x in lab.sites.values()}
    return Site(s.hostname, [s.ip], lambda n: names.get(n, []))


def _run(cid: str, ctx: CheckContext, site: Site) -> CheckResult:
    """Run a check's core on a site the way the runner runs checks (never raising)."""

    def fn(c: CheckContext, _target: str) -> CheckResult:
        return CORES[cid](c, site)

    return run_one(fn, cid, ctx, site.host)


def test_every_case_is_covered() -> None:
    assert set(EXPECTED) == set(WEB_CASES)
    assert set(IDS) == set(WEB_CHECKS) == set(CORES)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_case_statuses(trust_lab: WebLab, case: str) -> None:
    ctx = _ctx(1.5 if case == "hang" else 3.0)
    site = _site(trust_lab, case)
    t0 = time.monotonic()
    got = {}
    for cid in IDS:
        res = _run(cid, ctx, site)
        got[cid] = res
        assert res.message.fr and res.message.en
        if res.status in (NA, NT):
            assert res.reason is not None
    statuses = [got[cid].status for cid in IDS]
    assert statuses == EXPECTED[case], {cid: (r.status, r.message.en) for cid, r in got.items()}
    if case == "hang":  # shared fetches: one timeout for the whole battery, not eight
        assert time.monotonic() - t0 < 4 * 1.5


def test_evidence_is_kept(trust_lab: WebLab) -> None:
    ctx = _ctx()
    bad = _site(trust_lab, "bad_headers")
    versions = CORES["web.versions"](ctx, bad)
    assert versions.status == "warn"
    disclosed = versions.evidence["disclosures"]
    sources = {d["source"].lower(): d for d in disclosed if d["version"]}
    assert sources["server"]["value"].startswith("nginx/1.")
    assert sources["x-powered-by"]["version"] == "7.4.3"
    assert sources["meta generator"]["value"] == "WordPress 6.4.2"
    cookies = CORES["web.cookies"](ctx, bad)
    assert cookies.evidence["cookies"][0]["issues"] == [
        "cookie_no_secure",
        "cookie_no_httponly",
        "cookie_no_samesite",
    ]
    expired = CORES["web.certificate"](_ctx(), _site(trust_lab, "expired_cert"))
    tls = expired.evidence["tls"]
    assert tls["verified"] is False and "expired" in tls["verify_error"]
    assert tls["certificate"]["not_after"] < time.strftime("%Y-%m-%d")
    assert expired.evidence["days_left"] < 0
    legacy = CORES["web.tls_legacy"](ctx, _site(trust_lab, "legacy_tls"))
    assert legacy.evidence["legacy_offered"] == ["TLSv1", "TLSv1.1"]
    assert legacy.evidence["max_version"] == "TLSv1.2"
    good = CORES["web.tls_legacy"](ctx, _site(trust_lab, "good"))
    assert good.evidence["max_version"] == "TLSv1.3"
    hsts = CORES["web.hsts"](ctx, _site(trust_lab, "hsts_short"))
    assert hsts.evidence["max_age"] == 300


def test_untrusted_ca_fails_certificate(web_lab: WebLab, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the lab CA in the trust store, the good site's chain is not trusted."""
    empty = web_lab.pki.directory / "empty-store.pem"
    empty.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    res = CORES["web.certificate"](_ctx(), _site(web_lab, "good"))
    assert res.status == "fail"
    assert "chain of trust" in res.message.en


def test_sni_distinguishes_sites_on_one_ip(trust_lab: WebLab) -> None:
    a, b = trust_lab.shared
    ctx = _ctx()
    sa = Site(a.hostname, [a.ip], lambda n: [])
    sb = Site(b.hostname, [b.ip], lambda n: [])
    assert CORES["web.headers"](ctx, sa).status == "pass"
    assert CORES["web.headers"](ctx, sb).status == "fail"
    assert CORES["web.certificate"](ctx, sb).status == "pass"  # its own certificate, via SNI
    legacy = CORES["web.security_txt"](ctx, sb)
    # its Canonical names the .well-known URL: both are reported
    assert legacy.status == "warn"
    assert legacy.evidence["issues"] == ["canonical_mismatch", "legacy_location"]
    assert legacy.evidence["url"] == f"https://{b.hostname}/security.txt"


def test_home_page_fetched_once(trust_lab: WebLab) -> None:
    ctx = _ctx()
    site = _site(trust_lab, "good")
    for cid in IDS:
        CORES[cid](ctx, site)
    keys = [k for k in ctx.memo if k[0] == "web"]
    assert sorted(map(str, keys)) == sorted(
        map(
            str,
            [
                ("web", site.host, "home", True),
                ("web", site.host, "home", False),
                ("web", site.host, "legacy"),
                ("web", site.host, "security.txt"),
            ],
        )
    )


def test_unreachable_site_is_not_tested_quickly(web_net: str) -> None:
    ctx = _ctx(1.0)
    site = Site("www.nowhere.test", [f"{web_net}.251"], lambda n: [])  # nothing listens there
    t0 = time.monotonic()
    for cid in IDS:
        res = _run(cid, ctx, site)
        assert res.status == "not_tested", res
    assert time.monotonic() - t0 < 3


def test_name_matching() -> None:
    assert name_matches("www.a.test", ["www.a.test"])
    assert name_matches("WWW.A.TEST.", ["www.a.test"])
    assert name_matches("www.a.test", ["*.a.test"])
    assert not name_matches("a.test", ["*.a.test"])
    assert not name_matches("x.www.a.test", ["*.a.test"])
    assert not name_matches("www.a.test", ["*.test"])
    assert not name_matches("www.a.test", [])


def test_catalogue_matches_checks() -> None:
    import yaml

    from cyberdiag.resources import data_file

    raw = yaml.safe_load(data_file("checks", "web.yaml").read_text(encoding="utf-8"))
    cat = CheckCatalogue.model_validate(raw)
    assert cat.id == "web"
    assert [c.id for c in cat.checks] == IDS
    for c in cat.checks:
        assert c.domain == "exposition"
        assert c.references.model_dump(exclude_defaults=True), c.id


def test_wrapper_not_tested_without_resolver() -> None:
    """find_site through a resolver: a refused/unanswered nameserver gives NotTested."""
    ctx = _ctx(0.5)
    with pytest.raises(NotTested):
        WEB_CHECKS["web.https"](ctx, "ville.test")


# ------------------------------------------------------------------------------------------
# The DNS-resolving wrappers, through the full lab (tests/conftest.py; skipped without it)
# ------------------------------------------------------------------------------------------


def _expected_in_lab(m: object) -> list[str]:
    if getattr(m, "ns", "") == "dead":
        return [NT] * len(IDS)  # our resolver cannot resolve anything for it
    case = getattr(m, "web", None)
    if case is None:
        return [NA] * len(IDS)  # neither www.<domain> nor <domain> has an address
    return EXPECTED[case]


def test_checks_web_lab(lab_results: dict[tuple[str, str], CheckResult]) -> None:
    """Every fixture municipality of the lab, through the registry and our resolver."""
    from cyberdiag.lab.communes import fixtures

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


def test_ascii_domain() -> None:
    from cyberdiag.checks.web import ascii_domain

    assert ascii_domain(" Ville-A.TEST. ") == "ville-a.test"
    assert ascii_domain("bücher.example") == "xn--bcher-kva.example"
    with pytest.raises(NotTested):
        ascii_domain("a" * 70 + "é.test")  # label too long once encoded
