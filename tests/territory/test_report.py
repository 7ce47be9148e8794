"""The territorial report (HTML, PDF): anonymised by default, named on request."""

from __future__ import annotations

import re
import stat
import subprocess
from html import unescape
from pathlib import Path

import pytest
from territory_fixtures import Muni, municipalities, tier_of, write_diagnostics, write_sample

from cyberdiag.cli import main
from cyberdiag.territory import medians_for
from cyberdiag.territory.anonymise import MIN_GROUP, code_names
from cyberdiag.territory.importer import import_files
from cyberdiag.territory.store import open_store


@pytest.fixture
def diag_dir(tmp_path: Path) -> Path:
    return write_sample(tmp_path)


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
    assert main(["territory", "report", "--store", str(store), "--campaign", "1999", "-o",
                 str(out)]) == 1


def test_report_counts_known_gaps_and_answers_to_confirm_apart(tmp_path: Path) -> None:
    """Hand-chosen caps (territory_fixtures.CAUSE_TABLE, one group T2 of 10): at level 0, 2
    known gaps, 3 to confirm, 1 by the score alone; capped at any level, 3 and 4. Named, the
    counts are exact; anonymised, a count under MIN_GROUP is written « < 5 » (count_text)."""
    from territory_fixtures import write_cause_sample

    from cyberdiag.territory.report import count_text

    munis = write_cause_sample(tmp_path / "in")
    store = tmp_path / "t.sqlite"
    with open_store(store) as s:
        import_files(s, [tmp_path / "in"], "2026")
    for named, lang in [(False, "fr"), (True, "fr"), (True, "en")]:

        def k(n: int) -> str:
            text = count_text(n, lang, named=named, min_group=MIN_GROUP)  # noqa: B023
            return text.replace("\u00a0", "")  # « <5 »: pdftotext drops that space

        texts = []
        for suffix in ("pdf", "html"):
            out = tmp_path / f"r-{named}-{lang}.{suffix}"
            args = ["territory", "report", "--store", str(store), "-o", str(out), "--lang", lang]
            assert main(args + (["--named"] if named else [])) == 0
            raw = _pdftext(out) if suffix == "pdf" else re.sub(r"<[^>]+>", " ", out.read_text())
            text = unescape(raw).replace("\u00a0", " ").replace("\u202f", " ")
            texts.append(" ".join(text.split()).replace("< ", "<"))
        pdf, html = texts
        if lang == "fr":
            assert "Écarts connus ou réponses à confirmer" in pdf
            assert f"6 au niveau « Exposé » dont {k(2)} par un écart connu, {k(3)} à" in html
        else:
            assert "Known gaps or answers to confirm" in pdf
            assert f"6 at level « Exposed » of which {k(2)} by a known gap, {k(3)} to be" in html
        # the table's rows: group, n, level 0 (gap, to confirm, score), capped (gap, to confirm)
        cells = " ".join(k(n) for n in (2, 3, 1, 3, 4))
        assert f"T2 10 {cells}" in pdf
        assert ("Territory" if lang == "en" else "Territoire") + f" 10 {cells}" in pdf
        assert all((m.name in pdf) == named for m in munis)
        if named:
            assert "T2 10 2 3 1 3 4" in pdf  # the hand-computed counts themselves
