"""`cyberdiag report`: files, formats, languages, errors (one clear line, exit 1)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from report_fixtures import complete, sparse

from cyberdiag.cli import main
from cyberdiag.diagnostic import save


@pytest.fixture
def diag_file(tmp_path: Path) -> Path:
    path = tmp_path / "diagnostic.json"
    save(sparse(), path)
    return path


def test_report_pdf_default_name_next_to_the_diagnostic(
    diag_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(diag_file)]) == 0
    out = diag_file.parent / "rapport.pdf"
    assert out.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "Rapport écrit" in capsys.readouterr().out


def test_report_html_english_from_suffix(
    diag_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sub" / "report.html"
    assert main(["report", str(diag_file), "-o", str(out), "--lang", "en"]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'lang="en"' in html
    assert "Summary for elected officials" in html
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "Report written" in capsys.readouterr().out


def test_report_explicit_format(diag_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.out"
    assert main(["report", str(diag_file), "-o", str(out), "--format", "html"]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "introuvable"),
        ("", "diagnostic"),
        ("{not json", "diagnostic"),
        ('{"schema_version": "1.0"}', "diagnostic"),
        ("\x00\xff", "diagnostic"),
    ],
)
def test_bad_diagnostic_file_is_a_clear_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    path = tmp_path / "diagnostic.json"
    if content is not None:
        path.write_text(content, encoding="latin-1")
    assert main(["report", str(path), "-o", str(tmp_path / "r.pdf")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ") and expected in err
    assert "Traceback" not in err
    assert not (tmp_path / "r.pdf").exists()


def test_bad_format_and_missing_store(
    diag_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(diag_file), "--format", "docx"]) == 1
    assert "Format inconnu « docx »" in capsys.readouterr().err
    assert main(["report", str(diag_file), "--territory", str(tmp_path / "none.db")]) == 1
    assert "Base territoriale introuvable" in capsys.readouterr().err
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_text("not a database")
    assert main(["report", str(diag_file), "--territory", str(garbage)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ") and "Traceback" not in err


def test_output_is_a_directory(diag_file: Path, tmp_path: Path) -> None:
    assert main(["report", str(diag_file), "-o", str(tmp_path), "--format", "html"]) == 1


def test_complete_diagnostic_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "diagnostic.json"
    save(complete(), path)
    out = tmp_path / "r.html"
    assert main(["report", str(path), "-o", str(out)]) == 0
    assert "Saint-Exupéry-lès-Lille" in out.read_text(encoding="utf-8")


def test_territory_median_from_a_real_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Six municipalities of the same tier imported into a real territorial store: the report
    shows their median (and never another municipality's name)."""
    from cyberdiag.territory.importer import import_files
    from cyberdiag.territory.store import open_store

    base = complete()
    files = []
    for k in range(6):
        domains = [
            d.model_copy(update={"score": (d.score or 0) + 10 * k}) if d.score is not None else d
            for d in base.domains
        ]
        profile = base.profile.model_copy(
            update={"name": f"Commune-Paire-{k}", "insee": f"5910{k}"}
        )
        diag = base.model_copy(update={"domains": domains, "profile": profile})
        path = tmp_path / f"d{k}.json"
        save(diag, path)
        files.append(path)
    store_path = tmp_path / "territoire.db"
    with open_store(store_path) as store:
        report = import_files(store, files, "2026")
    assert len(report.imported) == 6
    out = tmp_path / "r.html"
    assert main(["report", str(files[0]), "-o", str(out), "--territory", str(store_path)]) == 0
    html = out.read_text(encoding="utf-8")
    # Sauvegardes: 18.75 + 10k for k = 0..5 -> median 43.75 -> "44 / 100".
    assert 'class="median"' in html and "44 / 100" in html
    for k in range(1, 6):
        assert f"Commune-Paire-{k}" not in html


def test_unknown_extension_and_answers_file_refused(
    diag_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docx = tmp_path / "rapport.docx"
    assert main(["report", str(diag_file), "-o", str(docx)]) == 1
    err = capsys.readouterr().err
    assert "Extension inconnue « .docx »" in err and ".pdf, .html ou .csv" in err
    assert not docx.exists()
    assert main(["report", str(diag_file), "-o", str(tmp_path / "r.pdf"), "-f", "html"]) == 1
    assert "ne correspond pas au format html" in capsys.readouterr().err
    answers = tmp_path / "answers.yaml"
    answers.write_text("answers: {}\n", encoding="utf-8")
    assert main(["report", str(answers)]) == 1
    err = capsys.readouterr().err
    assert "pas un diagnostic" in err and "cyberdiag score" in err
    assert main(["report", str(answers), "--lang", "en"]) == 1
    assert "first score with cyberdiag score" in capsys.readouterr().err
