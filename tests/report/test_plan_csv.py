"""The action plan as CSV: same order as the PDF, spreadsheet-safe cells."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import pytest
from report_fixtures import T, complete

from cyberdiag.cli import main
from cyberdiag.diagnostic import save
from cyberdiag.models import Explanation
from cyberdiag.report.build import build_view
from cyberdiag.report.plan_csv import plan_csv, safe_cell


def _rows(text: str, delimiter: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 1 23", "'+33 1 23"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Sauvegarde = vitale", "Sauvegarde = vitale"),
        ("", ""),
    ],
)
def test_safe_cell(value: str, expected: str) -> None:
    assert safe_cell(value) == expected


def test_plan_csv_same_order_as_the_pdf_plan() -> None:
    diag = complete()
    rows = _rows(plan_csv(diag, "fr"), ";")
    assert rows[0][:3] == ["#", "Action", "À faire"] and rows[0][-3] == "Échéance prévue"
    view = build_view(diag, "fr")
    assert [r[1] for r in rows[1:]] == [f.title for f in view.findings]
    first = rows[1]
    assert first[5] == "oui" and first[4] == "Critique"
    assert "Action planifiée" in first[11] and "Budget voté pour 2027." in first[11]
    en = _rows(plan_csv(diag, "en"), ",")
    assert en[0][1] == "Action" and en[0][-3] == "Planned date"


def test_plan_csv_neutralises_formulas_from_user_text() -> None:
    diag = complete()
    f0 = diag.findings[0].model_copy(
        update={
            "title": T('=HYPERLINK("http://127.0.0.1:9/x","clic")'),
            "explanation": Explanation(kind="accepted_risk", text="x"),
            "target": "@evil",
        }
    )
    rows = _rows(plan_csv(diag.model_copy(update={"findings": [f0]}), "fr"), ";")
    assert rows[1][1].startswith("'=HYPERLINK")
    assert rows[1][9] == "'@evil"


def test_cli_csv_from_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "diagnostic.json"
    save(complete(), path)
    assert main(["report", str(path), "-o", str(tmp_path / "plan.csv")]) == 0
    out = tmp_path / "plan.csv"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(_rows(out.read_text(encoding="utf-8"), ";")) == 1 + len(complete().findings)
    assert "Plan d'action écrit" in capsys.readouterr().out
    assert main(["report", str(path), "--format", "csv", "--lang", "en"]) == 0
    assert (tmp_path / "action-plan.csv").exists()
