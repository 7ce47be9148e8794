"""web.versions against real nginx sites on loopback (tests/conftest.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from web_fixtures import assert_statuses, case_results

if TYPE_CHECKING:
    from conftest import WebLab


def test_statuses(trust_lab: WebLab) -> None:
    assert_statuses(trust_lab, "web.versions")


def test_disclosures_evidence(trust_lab: WebLab) -> None:
    versions = case_results(trust_lab, "bad_headers")["web.versions"]
    assert versions.status == "warn"
    disclosed = versions.evidence["disclosures"]
    sources = {d["source"].lower(): d for d in disclosed if d["version"]}
    assert sources["server"]["value"].startswith("nginx/1.")
    assert sources["x-powered-by"]["version"] == "7.4.3"
    assert sources["meta generator"]["value"] == "WordPress 6.4.2"
