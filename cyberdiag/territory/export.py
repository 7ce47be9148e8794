"""Export one row per municipality and domain, as CSV (LibreOffice/Excel friendly) or JSON.

Each row also says what holds the municipality at its level (territory.causes: a known gap,
answers to be confirmed, or the score alone) and how many of its caps each cause explains.

CSV: UTF-8 with BOM (Excel then reads accents correctly), comma separated with a decimal point,
or with `semicolon=True` semicolon separated with a decimal comma (French locales). Anonymised by
default, like the report: code names drawn for the campaign and tier groups, and nothing that
would single out a municipality inside its group (no target level or gap, which follow the
exact tier; no domain scored for fewer than MIN_GROUP municipalities); `named=True` adds INSEE
code, name, population, tier, target level and gap. Every CSV cell goes through the one helper
that neutralises formulas (cyberdiag/csvsafe.py).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from cyberdiag.csvsafe import csv_text
from cyberdiag.i18n import Lang
from cyberdiag.territory.anonymise import (
    MIN_GROUP,
    code_names,
    group_of,
    refuse_small_export,
    tier_groups,
)
from cyberdiag.territory.causes import cap_counts, held_by
from cyberdiag.territory.store import Store

_SCORE_FIELDS = [
    "domain",
    "domain_name",
    "score",
    "level",
    "level_name",
    "target_level",
    "gap",
    "overall_score",
    "overall_level",
    # What holds the municipality at its level: "gap" (a known gap), "unknown" (answers to be
    # confirmed) or "score" (no critical item); and its caps counted by cause.
    "held_by",
    "caps_gap",
    "caps_unknown",
]
# target_level and gap follow the exact tier: in a merged group ("T2–T4") they would single out
# its members of each tier. Named exports only.
_TIER_FIELDS = ("target_level", "gap")
FIELDS_ANON = [
    "campaign", "municipality", "group", *(f for f in _SCORE_FIELDS if f not in _TIER_FIELDS)
]  # fmt: skip
FIELDS_NAMED = [
    "campaign",
    "insee",
    "municipality",
    "population",
    "tier",
    *_SCORE_FIELDS,
    "created_at",
]


def export_rows(
    store: Store, campaign: str | None, *, named: bool, lang: Lang
) -> list[dict[str, Any]]:
    """One row per municipality and applicable domain; anonymised unless `named`.

    An anonymised export of fewer than MIN_GROUP municipalities is refused (UserError).
    """
    campaign = store.resolve_campaign(campaign)
    diags = store.campaign_diagnostics(campaign)
    if not named:
        refuse_small_export(len(diags), campaign)
    levels = {lv.id: lv.name.get(lang) for lv in store.campaign_levels(campaign)}
    codes = code_names((d.insee for d in diags), store.campaign_salt(campaign))
    groups = tier_groups(Counter(d.tier for d in diags), 1 if named else MIN_GROUP)
    causes = {m.insee: (held_by(m), *cap_counts(m)) for m in store.campaign_rows(campaign)}
    out: list[dict[str, Any]] = []
    for s in store.domain_score_rows(campaign):
        m = s.municipality
        row: dict[str, Any] = {"campaign": campaign}
        if named:
            row.update(insee=m.insee, municipality=m.name, population=m.population, tier=m.tier)
        else:
            row.update(municipality=codes[m.insee], group=group_of(m.tier, groups).label)
        row.update(
            domain=s.domain,
            domain_name=s.name.get(lang),
            score=s.score,
            level=s.level,
            level_name=levels.get(s.level, str(s.level)),
            target_level=s.target_level,
            gap=s.gap,
            overall_score=m.overall_score,
            overall_level=m.overall_level,
        )
        row["held_by"], row["caps_gap"], row["caps_unknown"] = causes[m.insee]
        if named:
            row["created_at"] = m.created_at
        out.append(row)
    if not named:
        out = _anonymised(out)
    return out


def _anonymised(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows safe to share: no tier-bound column, no domain scored for fewer than MIN_GROUP
    municipalities, and not in INSEE order (it would reveal who is who)."""
    per_domain = Counter(r["domain"] for r in rows)
    kept = [
        {k: v for k, v in r.items() if k not in _TIER_FIELDS}
        for r in rows
        if per_domain[r["domain"]] >= MIN_GROUP
    ]
    kept.sort(key=lambda r: str(r["municipality"]))  # stable: grid order within each
    return kept


def _cell(value: Any, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if decimal_comma else text
    return str(value)


# The CSV's column names and the words of `held_by` in French (a spreadsheet is read by people;
# the JSON export, read by programs, keeps the field names).
HEADERS_FR = {
    "campaign": "campagne", "municipality": "commune", "group": "groupe", "insee": "insee",
    "population": "population", "tier": "strate", "domain": "domaine",
    "domain_name": "nom_domaine", "score": "score", "level": "niveau", "level_name": "nom_niveau",
    "target_level": "niveau_cible", "gap": "ecart", "overall_score": "score_global",
    "overall_level": "niveau_global", "held_by": "retenu_par", "caps_gap": "plafonds_ecart",
    "caps_unknown": "plafonds_a_confirmer", "created_at": "date_diagnostic",
}  # fmt: skip
HELD_BY_FR = {"gap": "écart", "unknown": "à confirmer", "score": "score"}


def to_csv(
    rows: list[dict[str, Any]], *, named: bool, semicolon: bool, lang: Lang = "en"
) -> str:
    """CSV text starting with a BOM (written as UTF-8 it opens cleanly in Excel); column names
    and words in `lang`."""
    fields = FIELDS_NAMED if named else FIELDS_ANON
    header = [HEADERS_FR.get(f, f) for f in fields] if lang == "fr" else fields

    def value(row: dict[str, Any], f: str) -> Any:
        v = row.get(f)
        if lang == "fr" and f == "held_by" and isinstance(v, str):
            return HELD_BY_FR.get(v, v)
        return v

    table = [header, *([_cell(value(r, f), semicolon) for f in fields] for r in rows)]
    return csv_text(table, delimiter=";" if semicolon else ",")


def to_json(rows: list[dict[str, Any]], *, campaign: str, named: bool) -> str:
    """The rows as JSON, with the campaign and whether they are anonymised."""
    return (
        json.dumps(
            {"campaign": campaign, "anonymised": not named, "rows": rows},
            ensure_ascii=False,
            indent=1,
        )
        + "\n"
    )
