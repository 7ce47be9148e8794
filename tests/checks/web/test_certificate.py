"""web.certificate against real nginx sites on loopback (tests/conftest.py): expired, expiring,
wrong-name, self-signed and weak-key certificates, an untrusted CA, SNI; name matching."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from web_fixtures import assert_statuses, case_results, ctx, site

from cyberdiag.checks.web.certificate import certificate_core, name_matches
from cyberdiag.checks.web.site import Site

if TYPE_CHECKING:
    from conftest import WebLab


def test_statuses(trust_lab: WebLab) -> None:
    assert_statuses(trust_lab, "web.certificate")


def test_expired_evidence(trust_lab: WebLab) -> None:
    expired = case_results(trust_lab, "expired_cert")["web.certificate"]
    tls = expired.evidence["tls"]
    assert tls["verified"] is False and "expired" in tls["verify_error"]
    assert tls["certificate"]["not_after"] < time.strftime("%Y-%m-%d")
    assert expired.evidence["days_left"] < 0


def test_untrusted_ca_fails_certificate(web_lab: WebLab, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the lab CA in the trust store, the good site's chain is not trusted."""
    empty = web_lab.pki.directory / "empty-store.pem"
    empty.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    res = certificate_core(ctx(), site(web_lab, "good"))
    assert res.status == "fail"
    assert "chain of trust" in res.message.en


def test_sni_gives_each_site_its_certificate(trust_lab: WebLab) -> None:
    _a, b = trust_lab.shared
    assert certificate_core(ctx(), Site(b.hostname, [b.ip], lambda n: [])).status == "pass"


def test_name_matching() -> None:
    assert name_matches("www.a.test", ["www.a.test"])
    assert name_matches("WWW.A.TEST.", ["www.a.test"])
    assert name_matches("www.a.test", ["*.a.test"])
    assert not name_matches("a.test", ["*.a.test"])
    assert not name_matches("x.www.a.test", ["*.a.test"])
    assert not name_matches("www.a.test", ["*.test"])
    assert not name_matches("www.a.test", [])
