"""The latest check-all results beside the self-assessment, and diagnostics over 18 months old.

check-all runs through its real orchestration with campaign_fixtures.CheckRunner (DMARC fails
for even INSEE codes, HSTS warns for multiples of three); the diagnostics carry their own HSTS
result, so that some municipalities got worse or better since their self-assessment.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from campaign_fixtures import build_store, read_campaign

from cyberdiag.cli import main
from cyberdiag.territory.aggregate import build_view
from cyberdiag.territory.beside import months_before
from cyberdiag.territory.store import open_store


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("beside")
    build_store(tmp, 40, previous=0, checks=True)
    return tmp


def test_months_before() -> None:
    assert months_before(date(2026, 11, 25), 18) == date(2025, 5, 25)
    assert months_before(date(2026, 8, 31), 18) == date(2025, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


def test_named_view_sets_each_municipality_beside_its_latest_check_all(campaign: Path) -> None:
    diags = read_campaign(campaign / "2026")
    own = {d.profile.insee: {c.id: c.status for c in d.checks} for d in diags}
    with open_store(campaign / "t.sqlite", create=False) as s:
        view = build_view(s, "2026", named=True)
    assert view.insights is not None
    b = view.insights.beside
    assert b.checked == 40 and b.first_run == b.last_run == datetime.now(UTC).date().isoformat()
    per = {c.insee: c for c in b.communes}
    for insee, c in per.items():
        n = int(insee)
        dmarc_fails, hsts_warns = n % 2 == 0, n % 3 == 0
        assert c.fail == dmarc_fails and c.warn == hsts_warns
        assert c.passed == 3 - dmarc_fails - hsts_warns
        assert ("web.hsts" in c.worse) == (hsts_warns and own[insee]["web.hsts"] == "pass")
        assert ("web.hsts" in c.better) == (not hsts_warns and own[insee]["web.hsts"] == "fail")
    sides = {s.id: s for s in b.checks}
    assert sides["mail.dmarc"].now_fail == sum(int(i) % 2 == 0 for i in per)
    assert sides["web.hsts"].now_warn == sum(int(i) % 3 == 0 for i in per)
    assert sides["web.hsts"].own_fail == sum(o["web.hsts"] == "fail" for o in own.values())
    # Three diagnostics are 600 days old: flagged, by name.
    assert b.stale == 3 and len(b.stale_communes) == 3


def test_anonymised_view_aggregates_only(campaign: Path, tmp_path: Path) -> None:
    with open_store(campaign / "t.sqlite", create=False) as s:
        view = build_view(s, "2026")
    assert view.insights is not None
    b = view.insights.beside
    assert b.communes == [] and b.stale_communes == [] and b.stale == 3
    for c in b.checks:
        assert max(c.now_fail + c.now_warn, c.own_fail + c.own_warn) >= 5
    out = tmp_path / "r.html"
    assert main(["territory", "report", "--store", str(campaign / "t.sqlite"), "-o", str(out)]) == 0
    text = " ".join(out.read_text(encoding="utf-8").replace("\u00a0", " ").split())
    assert "Vérifications passives (check-all) et auto-diagnostic" in text
    assert "Diagnostics de plus de 18 mois" in text and "&lt; 5 diagnostics faits avant le" in text
    named = tmp_path / "n.pdf"
    assert main(["territory", "report", "--named", "--store", str(campaign / "t.sqlite"),
                 "-o", str(named)]) == 0  # fmt: skip
    pdf = subprocess.run(["pdftotext", str(named), "-"], capture_output=True, text=True).stdout
    pdf = " ".join(pdf.replace("\u00a0", " ").split())
    assert "plus de 18 mois" in pdf and "Corrigées depuis" in pdf
