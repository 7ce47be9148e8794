"""The registry: every check id in checks/*.yaml has its function, in the catalogue's order, and
the web checks are their cores wrapped (a check id is the same everywhere)."""

from __future__ import annotations

import yaml
from web_fixtures import IDS as WEB_IDS

from cyberdiag.checks.registry import (
    CHECKS,
    DNS_CHECKS,
    MAIL_CHECKS,
    PROFILE_CHECKS,
    WEB_CHECKS,
    WEB_CORES,
)
from cyberdiag.models import CheckCatalogue
from cyberdiag.resources import data_dir, data_file


def test_web_checks_are_their_cores() -> None:
    assert list(WEB_CHECKS) == list(WEB_CORES) == WEB_IDS
    assert all(fn.__name__ == "check_" + cid.split(".")[1] for cid, fn in WEB_CHECKS.items())


def test_families_and_profile_checks() -> None:
    assert list(CHECKS) == [*DNS_CHECKS, *MAIL_CHECKS, *WEB_CHECKS]
    assert set(PROFILE_CHECKS) <= set(MAIL_CHECKS)


def test_catalogue_matches_checks() -> None:
    raw = yaml.safe_load(data_file("checks", "web.yaml").read_text(encoding="utf-8"))
    cat = CheckCatalogue.model_validate(raw)
    assert cat.id == "web"
    assert [c.id for c in cat.checks] == WEB_IDS
    for c in cat.checks:
        assert c.domain == "exposition"
        assert c.references.model_dump(exclude_defaults=True), c.id


def test_every_catalogued_check_is_registered() -> None:
    ids: list[str] = []
    for path in sorted(data_dir("checks").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if raw.get("kind") == "checks" and raw.get("id") in ("dns", "mail", "web"):
            ids += [c["id"] for c in raw["checks"]]
    assert sorted(ids) == sorted(CHECKS)
