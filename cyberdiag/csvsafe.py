"""CSV for spreadsheets, never read as formulas: the one helper every CSV writer uses.

A cell starting with = + - @, a tab or a line break (CR, LF) would be evaluated by a spreadsheet
(`=cmd|' /C calc'!A0`, `=HYPERLINK(...)`): such a cell is prefixed with an apostrophe, so the
spreadsheet shows the text as it is. Used by the action plan (report/plan_csv.py) and the
territorial export (territory/export.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: str) -> str:
    """A spreadsheet cell that can never be read as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_text(rows: Iterable[Iterable[str]], *, delimiter: str = ",") -> str:
    """The rows as CSV text (CRLF line ends, a UTF-8 BOM first for spreadsheets), every cell
    neutralised by safe_cell."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return "\ufeff" + out.getvalue()
