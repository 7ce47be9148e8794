"""The territory with diagnostics scored by the shipped grid (real question and check ids)."""

from __future__ import annotations

import random
from pathlib import Path

from territory_fixtures import municipalities, real_diagnostic, write_real_diagnostics

from cyberdiag.models import Diagnostic
from cyberdiag.territory import medians_for
from cyberdiag.territory.aggregate import build_view
from cyberdiag.territory.importer import import_files
from cyberdiag.territory.pooling import load_pooling
from cyberdiag.territory.report import render_html
from cyberdiag.territory.store import open_store


def test_real_diagnostics_import_aggregate_and_pool(tmp_path: Path) -> None:
    ms = municipalities(40, seed=31)
    paths = write_real_diagnostics(tmp_path / "in", ms, seed=6)
    diags = [Diagnostic.model_validate_json(p.read_text(encoding="utf-8")) for p in paths]
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        rep = import_files(s, [tmp_path / "in"], "2026")
        assert len(rep.imported) == 40 and not rep.refused
        view = build_view(s)
        rows = s.campaign_rows("2026")
    assert view.n == 40
    assert [d for d, _ in view.domains][:3] == ["gouvernance", "sensibilisation", "inventaire"]
    # Every cap of the real grid has its domain recorded (needed to map it to a service).
    assert all(c.domain for m in rows for c in m.caps)
    props = {p.service: p for p in view.proposals}
    assert "sauv.offline_copy" in props["backup"].refs or "sauv.offline_copy" not in {
        f.ref for d in diags for f in d.findings
    }
    # The estimate, recomputed from the diagnostics themselves: a cap is lifted by the service
    # when its ref is one of the gaps the service answers; a municipality that already shares
    # the service (pooling question answered "oui", pooling.yaml `already`) is left out.
    already = {s.id: set(s.already) for s in load_pooling().services}
    for p in view.proposals:
        expected = 0
        for d in diags:
            if any(a.question_id in already[p.service] and a.option == "oui" for a in d.answers):
                continue
            concerned = any(f.ref in p.refs and f.kind != "delegated" for f in d.findings)
            remaining = [c.level for c in d.overall.capped_by if c.ref not in p.refs]
            if concerned and min([d.overall.uncapped_level, *remaining]) > d.overall.level:
                expected += 1
        assert p.lifted == expected, p.service
    assert sum(p.lifted for p in view.proposals) > 0  # the comparison above is not vacuous
    html = render_html(view, "fr", embed_css=False)
    assert not any(m.name in html for m in ms)
    tiers = {d.tier for d in diags}
    for t in tiers:
        n = sum(1 for d in diags if d.tier == t)
        assert (medians_for(store, t) == {}) == (n < 5)


def test_real_diagnostic_duplicate_newer_wins(tmp_path: Path) -> None:
    m = municipalities(1, seed=4)[0]
    rng = random.Random(3)
    a = real_diagnostic(m, rng, quality=0.2)
    b = real_diagnostic(m, rng, quality=0.9)
    (tmp_path / "a.json").write_text(a.model_dump_json())
    (tmp_path / "b.json").write_text(b.model_dump_json())
    newer = a if a.created_at > b.created_at else b
    with open_store(tmp_path / "t.sqlite") as s:
        import_files(s, [tmp_path], "2026")
        got = s.conn.execute("SELECT overall_score FROM diagnostics").fetchall()
    assert got == [(newer.overall.score,)]
