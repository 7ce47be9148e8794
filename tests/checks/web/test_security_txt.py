"""web.security_txt against real nginx sites on loopback (tests/conftest.py), including a file
at the legacy location only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from web_fixtures import assert_statuses, ctx

from cyberdiag.checks.web.security_txt import security_txt_core
from cyberdiag.checks.web.site import Site

if TYPE_CHECKING:
    from conftest import WebLab


def test_statuses(trust_lab: WebLab) -> None:
    assert_statuses(trust_lab, "web.security_txt")


def test_legacy_location(trust_lab: WebLab) -> None:
    _a, b = trust_lab.shared
    legacy = security_txt_core(ctx(), Site(b.hostname, [b.ip], lambda n: []))
    # its Canonical names the .well-known URL: both are reported
    assert legacy.status == "warn"
    assert legacy.evidence["issues"] == ["canonical_mismatch", "legacy_location"]
    assert legacy.evidence["url"] == f"https://{b.hostname}/security.txt"
