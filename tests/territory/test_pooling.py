"""Pooling proposals: the honest estimate of municipalities a service would lift."""

from __future__ import annotations

import random
from pathlib import Path

from territory_fixtures import Muni, make_diagnostic, municipalities

from cyberdiag.models import Cap, Diagnostic
from cyberdiag.territory.importer import import_files
from cyberdiag.territory.pooling import load_pooling, proposals
from cyberdiag.territory.store import open_store


def _with_caps(
    m: Muni, caps: list[tuple[str, int]], uncapped: int, refs: list[str], seed: int
) -> Diagnostic:
    base = make_diagnostic(m, random.Random(seed))
    findings = [f for f in base.findings if f.ref in refs]
    have = {f.ref for f in findings}
    assert have == set(refs), "fixture: pick refs this diagnostic has"
    cap_objs = [
        Cap(item="crit." + r, label=findings[0].title, level=lv, source="question", ref=r)
        for r, lv in caps
    ]
    level = min([uncapped] + [lv for _, lv in caps])
    overall = base.overall.model_copy(
        update={"capped_by": cap_objs, "uncapped_level": uncapped, "level": level}
    )
    return base.model_copy(update={"findings": findings, "overall": overall})


def _find_seed(m: Muni, refs: list[str]) -> int:
    for seed in range(2000):
        d = make_diagnostic(m, random.Random(seed))
        if set(refs) <= {f.ref for f in d.findings}:
            return seed
    raise AssertionError(refs)


def test_pooling_estimate_counts_only_municipalities_the_service_would_lift(
    tmp_path: Path,
) -> None:
    ms = municipalities(5, seed=9)
    bk, mfa, inc = "sauvegardes.hors_ligne", "acces.mfa", "incidents.fiche_reflexe"
    specs = [
        ([(bk, 0)], 2, [bk]),  # A: only capped by the backup -> lifted above 0
        ([(bk, 0), (mfa, 0)], 2, [bk, mfa]),  # B: also capped by MFA -> not lifted
        ([(bk, 0), (inc, 1)], 3, [bk, inc]),  # C: backup lifted -> level 1: above "Exposé"
        ([], 2, [bk]),  # D: backup gap but no cap -> concerned, nothing to lift
        ([], 3, [mfa]),  # E: no backup gap
    ]
    diags = []
    for m, (caps, unc, refs) in zip(ms, specs, strict=True):
        diags.append(_with_caps(m, caps, unc, refs, _find_seed(m, refs)))
    folder = tmp_path / "in"
    folder.mkdir()
    for d in diags:
        (folder / f"{d.profile.insee}.json").write_text(d.model_dump_json())
    with open_store(tmp_path / "t.sqlite") as s:
        import_files(s, [folder], "2026")
        props = {p.service: p for p in proposals(s.campaign_rows("2026"), load_pooling())}
    backup = props["backup"]
    assert (backup.count, backup.lifted, backup.lifted_from_zero) == (4, 2, 2)
    assert backup.top_ref == bk and backup.top_count == 4
    assert (props["mfa"].count, props["mfa"].lifted) == (2, 0)  # B still capped by backup
    assert (props["incident"].count, props["incident"].lifted) == (1, 0)  # C stays at 0
