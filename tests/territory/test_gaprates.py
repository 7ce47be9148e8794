"""Each gap over the municipalities to which it applies (and which answered), and who has it.

Expected figures come from the diagnostic files: a question asked only of some tiers or
profiles is measured over those that could answer it, not over the whole territory.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from campaign_fixtures import build_store, read_campaign

from cyberdiag.cli import main
from cyberdiag.territory.aggregate import build_view
from cyberdiag.territory.store import open_store


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("gaps")
    build_store(tmp, 40, previous=0, checks=False)
    return tmp


def _expected(folder: Path) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, str]]:
    """ref -> INSEE codes with the known gap; ref -> INSEE codes it applies to with a known
    answer (or where the check ran); INSEE -> name."""
    gap: dict[str, set[str]] = defaultdict(set)
    base: dict[str, set[str]] = defaultdict(set)
    names = {}
    for d in read_campaign(folder):
        i = d.profile.insee
        names[i] = d.profile.name
        for f in d.findings:
            if f.kind in ("gap", "check"):
                gap[f.ref].add(i)
        for a in d.answers:
            if a.applicable and a.kind == "answer":
                base[a.question_id].add(i)
        for c in d.checks:
            if c.status in ("pass", "warn", "fail"):
                base[c.id].add(i)
    return gap, base, names


def test_named_rates_use_the_municipalities_the_item_applies_to(campaign: Path) -> None:
    gap, base, names = _expected(campaign / "2026")
    with open_store(campaign / "t.sqlite", create=False) as s:
        view = build_view(s, "2026", named=True)
    assert view.insights is not None
    rates = {g.ref: g for g in view.insights.gaps}
    assert set(rates) == set(gap)
    for ref, who in gap.items():
        g = rates[ref]
        assert g.count == len(who)
        assert g.base == len(base[ref] | who)
        assert g.communes == sorted(names[i] for i in who)
    # A level-3 question is not asked of tier 1, and remote maintenance only of municipalities
    # with connected equipment: their base is smaller than the territory.
    narrow = [g for g in rates.values() if g.source == "question" and g.base < 36]
    assert narrow, "expected questions that do not apply everywhere"
    checks = [g for g in rates.values() if g.source == "check"]
    assert checks and all(g.base == 40 for g in checks)


def test_anonymised_rates_keep_gaps_of_five_or_more_and_name_no_one(campaign: Path) -> None:
    gap, _, _ = _expected(campaign / "2026")
    with open_store(campaign / "t.sqlite", create=False) as s:
        view = build_view(s, "2026")
    assert view.insights is not None
    refs = {g.ref for g in view.insights.gaps}
    assert refs == {r for r, who in gap.items() if len(who) >= 5}
    assert all(g.communes == [] for g in view.insights.gaps)


def test_named_report_lists_who_has_each_gap(campaign: Path, tmp_path: Path) -> None:
    gap, base, names = _expected(campaign / "2026")
    ref = max(gap, key=lambda r: len(gap[r]))
    for fmt in ("html", "pdf"):
        out = tmp_path / f"n.{fmt}"
        assert main(["territory", "report", "--named", "--store", str(campaign / "t.sqlite"),
                     "-o", str(out)]) == 0  # fmt: skip
    html = out.with_suffix(".html").read_text(encoding="utf-8")
    row = html[html.index(f'data-gaps="{ref}"') :]
    row = row[: row.index("</tr>")]
    assert ", ".join(sorted(names[i] for i in gap[ref])) in row
    assert f'data-v="{len(gap[ref])}"' in row and f'data-v="{len(base[ref] | gap[ref])}"' in row
