"""Territorial store: import, status, aggregates, pooling estimate, anonymisation, export."""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
import stat
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from territory_fixtures import (
    Muni,
    make_diagnostic,
    municipalities,
    tier_of,
    write_diagnostics,
    write_roster,
)

from cyberdiag.cli import main
from cyberdiag.errors import UserError
from cyberdiag.models import Cap, Diagnostic
from cyberdiag.territory import medians_for
from cyberdiag.territory.aggregate import build_view, load_pooling, load_rows, proposals
from cyberdiag.territory.anonymise import MIN_GROUP, code_names, tier_groups
from cyberdiag.territory.importer import import_files
from cyberdiag.territory.store import SCHEMA_VERSION, Store, open_store


@pytest.fixture
def munis() -> list[Muni]:
    return municipalities(30, seed=3)


@pytest.fixture
def diag_dir(tmp_path: Path, munis: list[Muni]) -> Path:
    write_diagnostics(tmp_path / "in", munis, seed=5)
    return tmp_path / "in"


def _load(p: Path) -> Diagnostic:
    return Diagnostic.model_validate_json(p.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# Store
# --------------------------------------------------------------------------------------------


def test_store_created_private_with_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "t.sqlite"
    with open_store(path) as s:
        assert s.version() == SCHEMA_VERSION
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_store_from_newer_cyberdiag_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    open_store(path).close()
    with sqlite3.connect(path) as c:
        c.execute("INSERT INTO schema_version VALUES (?, 'x')", (SCHEMA_VERSION + 1,))
    with pytest.raises(UserError, match="plus récente"):
        open_store(path)


def test_migration_from_version_1_keeps_data(tmp_path: Path, diag_dir: Path) -> None:
    path = tmp_path / "t.sqlite"
    with open_store(path) as s:
        import_files(s, [diag_dir], "2026")
    # Turn it into a version-1 store (as an older cyberdiag wrote it).
    with sqlite3.connect(path) as c:
        c.execute("DROP TABLE roster")
        c.execute("DROP TABLE check_runs")
        c.execute("DELETE FROM schema_version WHERE version > 1")
    with Store(path) as s:
        assert s.version() == SCHEMA_VERSION
        assert s.conn.execute("SELECT COUNT(*) FROM diagnostics").fetchone()[0] == 30
        assert s.conn.execute("SELECT COUNT(*) FROM check_runs").fetchone()[0] == 0


def test_not_a_store_is_a_user_error(tmp_path: Path) -> None:
    p = tmp_path / "x.sqlite"
    p.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError):
        open_store(p)


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


def test_import_good_files_fills_normalised_tables(tmp_path: Path, diag_dir: Path) -> None:
    with open_store(tmp_path / "t.sqlite") as s:
        rep = import_files(s, [diag_dir], "2026")
        assert len(rep.imported) == 30 and not rep.refused and not rep.superseded
        c = s.conn
        one = _load(diag_dir / "diagnostic-59004.json")
        row = c.execute(
            "SELECT name, tier, overall_level, overall_score, json FROM diagnostics "
            "WHERE insee='59004'"
        ).fetchone()
        assert row[:4] == (one.profile.name, one.tier, one.overall.level, one.overall.score)
        assert Diagnostic.model_validate_json(row[4]) == one
        n_dom = c.execute(
            "SELECT COUNT(*) FROM domain_scores s JOIN diagnostics d ON d.id=s.diagnostic_id "
            "WHERE d.insee='59004'"
        ).fetchone()[0]
        assert n_dom == len(one.domains)
        refs = sorted(
            r[0]
            for r in c.execute(
                "SELECT f.ref FROM findings f JOIN diagnostics d ON d.id=f.diagnostic_id "
                "WHERE d.insee='59004'"
            )
        )
        assert refs == sorted(f.ref for f in one.findings)
        caps = c.execute(
            "SELECT COUNT(*) FROM caps c JOIN diagnostics d ON d.id=c.diagnostic_id "
            "WHERE d.insee='59004'"
        ).fetchone()[0]
        assert caps == len(one.overall.capped_by)


def test_duplicate_keeps_newer_and_says_so(tmp_path: Path, munis: list[Muni]) -> None:
    rng = random.Random(1)
    m = munis[0]
    old = make_diagnostic(m, rng, created_at=datetime(2026, 2, 1, tzinfo=UTC))
    new = make_diagnostic(m, rng, created_at=datetime(2026, 3, 1, tzinfo=UTC))
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "old.json").write_text(old.model_dump_json())
    (tmp_path / "a" / "new.json").write_text(new.model_dump_json())
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        rep = import_files(s, [tmp_path / "a"], "2026")
        assert len(rep.imported) == 1 and len(rep.superseded) == 1
        sup = rep.superseded[0]
        assert sup.kept.endswith("new.json") and sup.dropped.endswith("old.json")
        # Importing the older one again later does not replace the newer one.
        rep2 = import_files(s, [tmp_path / "a" / "old.json"], "2026")
        assert rep2.imported == [] and rep2.superseded[0].kept == "(base)"
        created = s.conn.execute("SELECT created_at FROM diagnostics").fetchall()
        assert created == [(new.created_at.isoformat(),)]
        # The same diagnostic in another campaign is a separate record.
        import_files(s, [tmp_path / "a" / "old.json"], "2025")
        assert s.conn.execute("SELECT COUNT(*) FROM diagnostics").fetchone()[0] == 2


def test_import_cli_refuses_corrupted_and_future_but_imports_good(
    tmp_path: Path, diag_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = sorted(diag_dir.glob("*.json"))
    truncated = diag_dir / "truncated.json"
    truncated.write_text(good[0].read_text()[:500])
    future = diag_dir / "future.json"
    data = json.loads(good[1].read_text())
    data["schema_version"] = "9.0"
    future.write_text(json.dumps(data))
    invalid = diag_dir / "invalid.json"
    data = json.loads(good[2].read_text())
    data["overall"]["level"] = "high"
    invalid.write_text(json.dumps(data))
    store = tmp_path / "t.sqlite"
    code = main(["territory", "import", str(diag_dir), "--campaign", "2026", "--store", str(store)])
    out, err = capsys.readouterr()
    assert code == 1
    for name in ("truncated.json", "future.json", "invalid.json"):
        assert name in err
    assert "9.0" in err and "JSON" in err
    assert "30 diagnostic(s) importé(s)" in out
    with open_store(store) as s:
        assert s.conn.execute("SELECT COUNT(*) FROM diagnostics").fetchone()[0] == 30


def test_import_cli_duplicate_message_english(
    tmp_path: Path, munis: list[Muni], capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(2)
    for i, day in enumerate((1, 9)):
        d = make_diagnostic(munis[3], rng, created_at=datetime(2026, 1, day, tzinfo=UTC))
        (tmp_path / f"d{i}.json").write_text(d.model_dump_json())
    code = main(
        [
            "territory",
            "import",
            str(tmp_path / "d0.json"),
            str(tmp_path / "d1.json"),
            "-c",
            "2026",
            "--store",
            str(tmp_path / "t.sqlite"),
            "--lang",
            "en",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert munis[3].name in out and "kept the newer" in out and "d0.json" in out


def test_import_missing_path_is_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["territory", "import", str(tmp_path / "nope"), "--store", str(tmp_path / "t.sqlite")]
    )
    assert code == 1
    assert "nope" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# Status
# --------------------------------------------------------------------------------------------


def test_status_coverage_per_tier(
    tmp_path: Path, munis: list[Muni], diag_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = municipalities(34, seed=3)  # the same 30 first, plus 4 that did not answer
    assert extra[:30] == munis
    roster = write_roster(tmp_path / "communes.csv", extra, sep=";")
    store = tmp_path / "t.sqlite"
    assert main(["territory", "import", str(diag_dir), "-c", "2026", "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["territory", "status", "--store", str(store), "-m", str(roster), "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["campaign"] == "2026"
    assert st["campaigns"] == {"2026": {"diagnostics": 30, "checked": 0}}
    for t in range(1, 5):
        known = sum(1 for m in extra if tier_of(m.population) == t)
        imported = sum(1 for m in munis if tier_of(m.population) == t)
        if known:
            assert st["coverage"][f"T{t}"] == {"known": known, "imported": imported}
    assert sorted(x["insee"] for x in st["missing"]) == sorted(m.insee for m in extra[30:])
    # The human view lists who answered and who did not.
    assert main(["territory", "status", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert munis[0].name in out and extra[31].name in out


def test_status_on_missing_store_is_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["territory", "status", "--store", str(tmp_path / "none.sqlite")]) == 1
    assert "introuvable" in capsys.readouterr().err


def test_roster_errors_name_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "c.csv"
    p.write_text(
        "insee,name,domains,population\n59001,A,a.test,100\n5900X,B,b.test,10\n"
        "59003,C,bad_domain!,12\n",
        encoding="utf-8",
    )
    assert main(["territory", "status", "--store", str(tmp_path / "t.sqlite"), "-m", str(p)]) == 1
    err = capsys.readouterr().err
    assert "c.csv:3" in err and "c.csv:4" in err


# --------------------------------------------------------------------------------------------
# Aggregates and pooling
# --------------------------------------------------------------------------------------------


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
        props = {p.service: p for p in proposals(load_rows(s, "2026"), load_pooling())}
    backup = props["backup"]
    assert (backup.count, backup.lifted, backup.lifted_from_zero) == (4, 2, 2)
    assert backup.top_ref == bk and backup.top_count == 4
    assert (props["mfa"].count, props["mfa"].lifted) == (2, 0)  # B still capped by backup
    assert (props["incident"].count, props["incident"].lifted) == (1, 0)  # C stays at 0


def test_medians_and_distribution_match_the_diagnostics(tmp_path: Path) -> None:
    ms = municipalities(60, seed=21)
    paths = write_diagnostics(tmp_path / "in", ms, seed=4)
    diags = [_load(p) for p in paths]
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        import_files(s, [tmp_path / "in"], "2026")
        view = build_view(s)
    assert view.n == 60
    assert view.distribution == {
        lv: sum(1 for d in diags if d.overall.level == lv)
        for lv in {d.overall.level for d in diags}
    }
    for tier in range(1, 5):
        in_tier = [d for d in diags if d.tier == tier]
        got = medians_for(store, tier)
        for dom in ("gouvernance", "sauvegardes", "equipements"):
            vals = [
                ds.score
                for d in in_tier
                for ds in d.domains
                if ds.id == dom and ds.applicable and ds.score is not None
            ]
            if len(vals) >= MIN_GROUP:
                assert got[dom] == pytest.approx(statistics.median(vals), abs=0.05)
            else:
                assert dom not in got
    assert medians_for(tmp_path / "absent.sqlite", 2) == {}
    assert medians_for(store, 2, campaign="1999") == {}


def test_trend_since_previous_campaign(tmp_path: Path) -> None:
    ms = municipalities(40, seed=5)
    rng = random.Random(3)
    store = tmp_path / "t.sqlite"
    before, after = tmp_path / "2025", tmp_path / "2026"
    before.mkdir()
    after.mkdir()
    levels: dict[str, tuple[int, int]] = {}
    for m in ms:
        a = make_diagnostic(m, rng, created_at=datetime(2025, 3, 1, tzinfo=UTC), quality=0.3)
        b = make_diagnostic(m, rng, created_at=datetime(2026, 3, 1, tzinfo=UTC), quality=0.7)
        (before / f"{m.insee}.json").write_text(a.model_dump_json())
        (after / f"{m.insee}.json").write_text(b.model_dump_json())
        levels[m.insee] = (a.overall.level, b.overall.level)
    with open_store(store) as s:
        import_files(s, [after], "2026")  # imported first, but it is the later campaign
        import_files(s, [before], "2025")
        assert s.campaigns() == ["2025", "2026"]
        view = build_view(s)
    assert view.campaign == "2026" and view.trend is not None
    t = view.trend
    assert t.previous == "2025" and t.n_common == 40
    assert t.improved == sum(1 for a, b in levels.values() if b > a)
    assert t.worse == sum(1 for a, b in levels.values() if b < a)
    assert t.overall_median_after is not None and t.overall_median_before is not None
    assert t.overall_median_after > t.overall_median_before


# --------------------------------------------------------------------------------------------
# Anonymisation
# --------------------------------------------------------------------------------------------


def test_tier_groups_merge_small_tiers() -> None:
    assert [g.label for g in tier_groups({1: 20, 2: 50, 3: 10, 4: 6})] == ["T1", "T2", "T3", "T4"]
    assert [g.label for g in tier_groups({1: 20, 2: 50, 3: 10, 4: 2})] == ["T1", "T2", "T3–T4"]
    assert [g.label for g in tier_groups({1: 3, 2: 50, 3: 1, 4: 2})] == ["T1–T4"]
    assert [g.label for g in tier_groups({1: 6, 2: 50, 3: 1, 4: 4})] == ["T1", "T2", "T3–T4"]
    assert [g.label for g in tier_groups({1: 2, 2: 50, 3: 9, 4: 0})] == ["T1–T2", "T3"]
    assert [g.label for g in tier_groups({2: 3})] == ["T2"]  # callers suppress it


def test_code_names_stable_unique_and_keyed() -> None:
    insees = [f"59{i:03d}" for i in range(1, 200)]
    a = code_names(insees, "salt-1")
    assert len(set(a.values())) == len(insees)
    assert a == code_names(reversed(insees), "salt-1")
    b = code_names(insees, "salt-2")
    assert sum(a[i] == b[i] for i in insees) < 5


def _territory_with_small_tier(tmp_path: Path) -> tuple[Path, list[Muni]]:
    """25 municipalities, only 2 of them in T4 (a group that must never be shown alone)."""
    ms = [m for m in municipalities(200, seed=12) if tier_of(m.population) in (1, 2, 3)][:23]
    ms += [m for m in municipalities(200, seed=12) if tier_of(m.population) == 4][:2]
    write_diagnostics(tmp_path / "in", ms, seed=8)
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        import_files(s, [tmp_path / "in"], "2026")
    return store, ms


def _pdftext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_default_report_reveals_no_name_nor_small_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, ms = _territory_with_small_tier(tmp_path)
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    assert main(["territory", "report", "--store", str(store), "-o", str(html)]) == 0
    assert main(["territory", "report", "--store", str(store), "-o", str(pdf)]) == 0
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    text_html = html.read_text(encoding="utf-8")
    text_pdf = _pdftext(pdf)
    for text in (text_html, text_pdf):
        for m in ms:
            assert m.name not in text
            assert m.insee not in text
        assert "Propositions de mutualisation" in text
    # The two T4 municipalities only appear merged with T3.
    assert ">T4<" not in text_html and "T3–T4" in text_html
    assert medians_for(store, 4) == {}
    assert medians_for(store, 2) != {}
    # Named report (ISD internal use) does show them: the assertion above can fail.
    named = tmp_path / "n.html"
    assert main(["territory", "report", "--store", str(store), "-o", str(named), "--named"]) == 0
    text_named = named.read_text(encoding="utf-8")
    assert all(m.name in text_named for m in ms)
    assert ">T4<" in text_named


def test_report_for_tiny_territory_shows_totals_only(tmp_path: Path) -> None:
    ms = municipalities(MIN_GROUP - 1, seed=2)
    write_diagnostics(tmp_path / "in", ms, seed=1)
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        import_files(s, [tmp_path / "in"], "2026")
        codes = code_names([m.insee for m in ms], s.salt())
    out = tmp_path / "r.html"
    assert main(["territory", "report", "--store", str(store), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Détail masqué" in text
    assert not any(c in text for c in codes.values())
    assert main(["territory", "export", "--store", str(store)]) == 1  # anonymised export refused


def test_report_english_and_bad_extension(
    tmp_path: Path, diag_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        import_files(s, [diag_dir], "2026")
    out = tmp_path / "r.html"
    assert main(["territory", "report", "--store", str(store), "-o", str(out), "--lang", "en"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Pooling proposals" in text and "Propositions" not in text
    assert main(["territory", "report", "--store", str(store), "-o", str(tmp_path / "r.docx")]) == 1
    assert ".docx" in capsys.readouterr().err
    assert main(["territory", "report", "--store", str(store), "-c", "1999", "-o", str(out)]) == 1


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def test_export_csv_opens_cleanly(tmp_path: Path, diag_dir: Path, munis: list[Muni]) -> None:
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        import_files(s, [diag_dir], "2026")
    diags = [_load(p) for p in sorted(diag_dir.glob("*.json"))]
    n_rows = sum(1 for d in diags for ds in d.domains if ds.applicable)
    out = tmp_path / "e.csv"
    assert main(["territory", "export", "--store", str(store), "-o", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == n_rows
    assert "insee" not in rows[0] and rows[0]["municipality"].startswith("C-")
    text = raw.decode("utf-8-sig")
    assert not any(m.name in text for m in munis)
    assert any("." in r["score"] for r in rows)
    # French spreadsheets: semicolons and decimal commas.
    out2 = tmp_path / "e2.csv"
    assert (
        main(
            [
                "territory",
                "export",
                "--store",
                str(store),
                "-o",
                str(out2),
                "--semicolon",
                "--named",
            ]
        )
        == 0
    )
    text2 = out2.read_bytes().decode("utf-8-sig")
    rows2 = list(csv.DictReader(io.StringIO(text2), delimiter=";"))
    assert len(rows2) == n_rows
    by_key = {(r["insee"], r["domain"]): r for r in rows2}
    d0 = diags[0]
    ds = next(x for x in d0.domains if x.score is not None and x.score != int(x.score))
    assert by_key[(d0.profile.insee, ds.id)]["score"] == f"{ds.score:.1f}".replace(".", ",")
    assert by_key[(d0.profile.insee, ds.id)]["municipality"] == d0.profile.name


def test_export_json(tmp_path: Path, diag_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        import_files(s, [diag_dir], "2026")
    capsys.readouterr()
    assert main(["territory", "export", "--store", str(store), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["anonymised"] is True and data["campaign"] == "2026"
    assert {"municipality", "group", "domain", "score", "level"} <= set(data["rows"][0])
    assert main(["territory", "export", "--store", str(store), "--format", "xls"]) == 1


def test_import_of_nothing_creates_no_campaign(tmp_path: Path, diag_dir: Path) -> None:
    (tmp_path / "empty").mkdir()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.json").write_text("{}")
    with open_store(tmp_path / "t.sqlite") as s:
        with pytest.raises(UserError, match="Aucun fichier"):
            import_files(s, [tmp_path / "empty"], "2027")
        rep = import_files(s, [bad], "2027")
        assert len(rep.refused) == 1 and rep.imported == []
        assert s.campaigns() == []
        import_files(s, [diag_dir], "2026")
        assert s.campaigns() == ["2026"]
