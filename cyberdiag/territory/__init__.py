"""The territory: the municipalities' diagnostics, campaign after campaign, and their views.

Modules: store (SQLite: every SQL statement), importer (plain or sealed files), roster
(municipalities.csv), aggregate (the report's view, from medians, pooling, trend, checkstats, and
insights: targets, gaprates, mutual, beside), anonymise, report (PDF, HTML dashboard), export and
summary, status, checkall. `medians_for` is the entry point used by `cyberdiag report --territory`.
"""

from __future__ import annotations

from cyberdiag.territory.medians import medians_for

__all__ = ["medians_for"]
