"""`territory status`: who has answered in which campaign, and coverage per tier.

This is the store owner's own view (the ISD): it shows names. The anonymised views are the
report and the export. Plain data: the command prints it as tables (cli/territory_view.py) or JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cyberdiag.territory.roster import load_roster
from cyberdiag.territory.store import Store


@dataclass
class Answered:
    """A municipality that answered in the campaign."""

    insee: str
    name: str
    tier: int
    created_at: str
    level: int
    score: float | None


@dataclass
class Status:
    """The store's campaigns, and who answered in one of them."""

    store: str
    schema_version: int
    campaigns: dict[str, dict[str, int]]  # name -> {"diagnostics": n, "checked": n}
    campaign: str | None
    answered: list[Answered] = field(default_factory=list)
    missing: list[tuple[str, str, int]] = field(default_factory=list)  # roster, not answered
    coverage: dict[int, tuple[int | None, int]] = field(default_factory=dict)  # known, imported
    roster_size: int = 0
    # Answered but not on the roster (when one is loaded): counted apart, not in coverage.
    outside: list[tuple[str, str, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The status as JSON-ready data (`territory status --json`)."""
        d = asdict(self)
        d["coverage"] = {
            f"T{t}": {"known": k, "imported": i} for t, (k, i) in sorted(self.coverage.items())
        }
        d["missing"] = [{"insee": a, "name": b, "tier": c} for a, b, c in self.missing]
        d["outside"] = [{"insee": a, "name": b, "tier": c} for a, b, c in self.outside]
        return d


def build_status(store: Store, campaign: str | None) -> Status:
    """Campaigns, who answered in `campaign` (default: the latest), who did not, coverage."""
    names = store.campaigns()
    counts = {
        n: {"diagnostics": store.diagnostic_count(n), "checked": store.check_run_count(n)}
        for n in names
    }
    st = Status(
        store=str(store.path), schema_version=store.version(), campaigns=counts, campaign=None
    )
    roster = load_roster(store)
    st.roster_size = len(roster)
    if not names:
        for e in roster:
            st.missing.append((e.insee, e.name, e.tier))
        return st
    c = store.resolve_campaign(campaign)
    st.campaign = c
    st.answered = [
        Answered(d.insee, d.name, d.tier, d.created_at, d.overall_level, d.overall_score)
        for d in store.campaign_diagnostics(c)
    ]
    done = {a.insee for a in st.answered}
    st.missing = [(e.insee, e.name, e.tier) for e in roster if e.insee not in done]
    if not roster:
        for t in sorted({a.tier for a in st.answered}):
            st.coverage[t] = (None, sum(1 for a in st.answered if a.tier == t))
        return st
    # Coverage over the roster only, each municipality in its roster tier (the list's
    # population); those that answered without being listed are counted apart.
    tier_of = {e.insee: e.tier for e in roster}
    st.outside = [(a.insee, a.name, a.tier) for a in st.answered if a.insee not in tier_of]
    for t in sorted(set(tier_of.values())):
        known = sum(1 for e in roster if e.tier == t)
        st.coverage[t] = (known, sum(1 for a in st.answered if tier_of.get(a.insee) == t))
    return st
