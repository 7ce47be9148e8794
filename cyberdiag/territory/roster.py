"""municipalities.csv: the territory's municipalities (insee, name, domains, population).

Read with the encoding and separator LibreOffice/Excel produce (UTF-8 with or without BOM;
comma, semicolon or tab). Every mistake is reported with its line number, all at once.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from cyberdiag.errors import UserError, ValidationFailed
from cyberdiag.fileio import read_limited
from cyberdiag.i18n import one_or_many
from cyberdiag.models import TierRules
from cyberdiag.territory.store import RosterRow, Store

MAX_ROSTER_BYTES = 20_000_000  # France has ~35,000 communes: a full list is about 3 MB
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_ALIASES = {
    "insee": ("insee", "code_insee", "code insee"),
    "name": ("name", "nom", "commune"),
    "domains": ("domains", "domaines", "domain", "domaine"),
    "population": ("population", "habitants"),
}


@dataclass(frozen=True)
class RosterEntry:
    """One municipality of the list: its INSEE code, name, population and domains."""

    insee: str
    name: str
    population: int
    domains: tuple[str, ...]

    @property
    def tier(self) -> int:
        """Size tier from the population (see tier_for)."""
        return tier_for(self.population)


def tier_for(population: int, rules: TierRules | None = None) -> int:
    """Size tier from the population alone (the grid's default thresholds)."""
    r = rules or TierRules()
    if population < r.small_below:
        return 1
    if population <= r.medium_up_to:
        return 2
    if population <= r.large_above:
        return 3
    return 4


def read_roster(path: Path) -> list[RosterEntry]:
    """Read municipalities.csv; every mistake is reported with its line, all at once."""
    try:
        text = read_limited(path, MAX_ROSTER_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(
            f"{path} n'est pas en UTF-8 : l'enregistrer en « CSV UTF-8 » depuis le tableur.",
            f"{path} is not UTF-8: save it as “CSV UTF-8” from the spreadsheet.",
        ) from None
    first = text.splitlines()[0] if text.strip() else ""
    delim = max(",;\t", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise UserError(
            f"{path}:{reader.line_num} : CSV illisible ({exc}).",
            f"{path}:{reader.line_num}: unreadable CSV ({exc}).",
        ) from None
    if not rows:
        raise UserError(f"{path} est vide.", f"{path} is empty.")
    header = [h.strip().lower() for h in rows[0]]
    cols: dict[str, int] = {}
    for key, names in _ALIASES.items():
        for i, h in enumerate(header):
            if h in names:
                cols[key] = i
                break
    missing = [k for k in _ALIASES if k not in cols]
    if missing:
        n = len(missing)
        raise UserError(
            f"{path} : {one_or_many(n, 'colonne manquante', 'colonnes manquantes')} : "
            f"{', '.join(missing)} (attendu au moins insee, name, domains, population).",
            f"{path}: {one_or_many(n, 'missing column', 'missing columns')}: "
            f"{', '.join(missing)} (expected at least insee, name, domains, population).",
        )
    errors: list[str] = []
    out: list[RosterEntry] = []
    seen: set[str] = set()
    for lineno, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue

        def cell(key: str, row: list[str] = row) -> str:
            i = cols[key]
            return row[i].strip() if i < len(row) else ""

        insee, name = cell("insee"), cell("name")
        where = f"{path.name}:{lineno}"
        if not _INSEE.match(insee):
            errors.append(f"{where} : code INSEE invalide « {insee} » / invalid INSEE code")
            continue
        if insee in seen:
            errors.append(f"{where} : code INSEE {insee} en double / duplicate INSEE code")
            continue
        seen.add(insee)
        if not name:
            errors.append(f"{where} : nom vide / empty name")
        pop_text = re.sub(r"[\s\u00a0\u202f]", "", cell("population"))
        if not pop_text.isdigit():
            errors.append(
                f"{where} : population invalide « {cell('population')} » / invalid population"
            )
            continue
        domains = tuple(d.lower().rstrip(".") for d in re.split(r"[\s,;]+", cell("domains")) if d)
        bad = [d for d in domains if not _HOST.match(d)]
        if bad:
            errors.append(f"{where} : domaine invalide « {bad[0]} » / invalid domain")
            continue
        out.append(RosterEntry(insee, name, int(pop_text), domains))
    if errors:
        raise ValidationFailed(errors)
    return out


def save_roster(store: Store, entries: list[RosterEntry]) -> None:
    """Replace the store's list of known municipalities (one transaction)."""
    store.replace_roster(
        RosterRow(e.insee, e.name, e.population, e.tier, e.domains) for e in entries
    )


def load_roster(store: Store) -> list[RosterEntry]:
    """The list of known municipalities kept in the store, by INSEE code."""
    return [RosterEntry(r.insee, r.name, r.population, r.domains) for r in store.roster_rows()]
