"""The territorial store: one SQLite file holding every imported diagnostic, campaign by campaign.

Every SQL statement of the territory lives in this package: `schema` (the tables, migrations),
`base` (opening, transactions, campaigns), `diagnostics` (imported diagnostics, written and read),
`checkruns` (the list of municipalities and check-all's runs), `details` (what is read from the
stored records: answers, own checks, providers; the latest check-all runs); `rows` holds the
records they hand out. The other territory modules call Store methods and never write SQL.
"""

from __future__ import annotations

from pathlib import Path

from cyberdiag.territory.store.base import STORE_FILENAME, default_store_path, now_iso
from cyberdiag.territory.store.checkruns import RosterAndCheckRuns
from cyberdiag.territory.store.details import AnswerState, AnswerText, DetailTables, LatestRun
from cyberdiag.territory.store.diagnostics import DiagnosticTables
from cyberdiag.territory.store.rows import (
    CapRow,
    DiagnosticSummary,
    DomainScoreRow,
    FindingRow,
    MuniRow,
    RosterRow,
    StoredDiagnostic,
)
from cyberdiag.territory.store.schema import MIGRATIONS, SCHEMA_VERSION


class Store(DiagnosticTables, RosterAndCheckRuns, DetailTables):
    """An open territorial store. Use as a context manager, or call close()."""


def open_store(path: Path | None, *, create: bool = True, write: bool = False) -> Store:
    """Open (and create or migrate) the store at `path`, default default_store_path().
    `write=True`: hold the store's lock while it is open (one writer at a time)."""
    return Store(path or default_store_path(), create=create, write=write)


__all__ = [
    "MIGRATIONS",
    "AnswerState",
    "AnswerText",
    "LatestRun",
    "SCHEMA_VERSION",
    "STORE_FILENAME",
    "CapRow",
    "DiagnosticSummary",
    "DomainScoreRow",
    "FindingRow",
    "MuniRow",
    "RosterRow",
    "Store",
    "StoredDiagnostic",
    "default_store_path",
    "now_iso",
    "open_store",
]
