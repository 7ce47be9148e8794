"""`territory status`: who has answered in which campaign, and coverage per tier.

This is the store owner's own view (the ISD): it shows names. The anonymised views are the
report and the export.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cyberdiag.territory.roster import load_roster
from cyberdiag.territory.store import Store


@dataclass
class Answered:
    insee: str
    name: str
    tier: int
    created_at: str
    level: int
    score: float | None


@dataclass
class Status:
    store: str
    schema_version: int
    campaigns: dict[str, dict[str, int]]  # name -> {"diagnostics": n, "checked": n}
    campaign: str | None
    answered: list[Answered] = field(default_factory=list)
    missing: list[tuple[str, str, int]] = field(default_factory=list)  # roster, not answered
    coverage: dict[int, tuple[int | None, int]] = field(default_factory=dict)  # known, imported
    roster_size: int = 0

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["coverage"] = {
            f"T{t}": {"known": k, "imported": i} for t, (k, i) in sorted(self.coverage.items())
        }
        d["missing"] = [{"insee": a, "name": b, "tier": c} for a, b, c in self.missing]
        return d


def build_status(store: Store, campaign: str | None) -> Status:
    names = store.campaigns()
    counts: dict[str, dict[str, int]] = {}
    for n in names:
        diags = store.conn.execute(
            "SELECT COUNT(*) FROM diagnostics WHERE campaign=?", (n,)
        ).fetchone()[0]
        runs = store.conn.execute(
            "SELECT COUNT(*) FROM check_runs WHERE campaign=?", (n,)
        ).fetchone()[0]
        counts[n] = {"diagnostics": int(diags), "checked": int(runs)}
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
        Answered(r[0], r[1], int(r[2]), str(r[3]), int(r[4]), r[5])
        for r in store.conn.execute(
            """SELECT insee, name, tier, created_at, overall_level, overall_score
               FROM diagnostics WHERE campaign=? ORDER BY name""",
            (c,),
        )
    ]
    done = {a.insee for a in st.answered}
    st.missing = [(e.insee, e.name, e.tier) for e in roster if e.insee not in done]
    tiers = sorted({a.tier for a in st.answered} | {e.tier for e in roster})
    for t in tiers:
        known = sum(1 for e in roster if e.tier == t) if roster else None
        st.coverage[t] = (known, sum(1 for a in st.answered if a.tier == t))
    return st


def print_status(st: Status) -> None:
    from rich.console import Console
    from rich.table import Table

    from cyberdiag.i18n import tr

    con = Console(highlight=False)
    con.print(
        tr(
            f"Base : {st.store} (schéma {st.schema_version})",
            f"Store: {st.store} (schema {st.schema_version})",
        )
    )
    if not st.campaigns:
        con.print(tr("Aucune campagne importée.", "No campaign imported yet."))
    else:
        t = Table(title=tr("Campagnes", "Campaigns"))
        t.add_column(tr("Campagne", "Campaign"))
        t.add_column(tr("Diagnostics", "Diagnostics"), justify="right")
        t.add_column(tr("Communes vérifiées (check-all)", "Checked (check-all)"), justify="right")
        for name, c in st.campaigns.items():
            t.add_row(name, str(c["diagnostics"]), str(c["checked"]))
        con.print(t)
    if st.campaign is not None:
        cov = Table(
            title=tr(f"Couverture par strate — {st.campaign}", f"Coverage per tier — {st.campaign}")
        )
        cov.add_column(tr("Strate", "Tier"))
        cov.add_column(tr("Connues", "Known"), justify="right")
        cov.add_column(tr("Ont répondu", "Answered"), justify="right")
        cov.add_column("%", justify="right")
        for tier, (known, imported) in sorted(st.coverage.items()):
            pct = f"{100 * imported / known:.0f} %" if known else "–"
            cov.add_row(f"T{tier}", "–" if known is None else str(known), str(imported), pct)
        con.print(cov)
        ans = Table(title=tr("Ont répondu", "Have answered"))
        for col in (
            "INSEE",
            tr("Commune", "Municipality"),
            tr("Strate", "Tier"),
            tr("Date", "Date"),
            tr("Niveau", "Level"),
            tr("Score", "Score"),
        ):
            ans.add_column(col)
        for a in st.answered:
            ans.add_row(
                a.insee,
                a.name,
                f"T{a.tier}",
                a.created_at[:10],
                str(a.level),
                "–" if a.score is None else f"{a.score:.0f}",
            )
        con.print(ans)
    if st.missing:
        con.print(
            tr(
                f"N'ont pas répondu ({len(st.missing)}) :",
                f"Have not answered ({len(st.missing)}):",
            )
        )
        con.print(", ".join(f"{n} ({i})" for i, n, _ in st.missing))
    elif not st.roster_size:
        con.print(
            tr(
                "Liste des communes non chargée : --municipalities communes.csv pour la "
                "couverture.",
                "List of municipalities not loaded: --municipalities municipalities.csv for "
                "coverage.",
            )
        )
