"""The territorial store: diagnostics of a territory's municipalities, campaign after campaign.

Modules: store (SQLite, migrations), importer, aggregate, anonymise, report, export, roster,
status, checkall. `medians_for` is the entry point used by `cyberdiag report --territory`.
"""

from __future__ import annotations

from pathlib import Path


def medians_for(store: Path, tier: int, campaign: str | None = None) -> dict[str, float]:
    """Domain id -> median score of the tier's municipalities (see aggregate.medians_for)."""
    from cyberdiag.territory.aggregate import medians_for as _medians_for

    return _medians_for(store, tier, campaign)


__all__ = ["medians_for"]
