"""The territory's list of municipalities and check-all's runs in the store.

A row of `check_runs` is check-all's checkpoint: a municipality's results and its "done" mark,
written in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from cyberdiag.models import CheckRun
from cyberdiag.territory.store.base import StoreBase, now_iso
from cyberdiag.territory.store.rows import RosterRow

_COUNTED = ("pass", "warn", "fail", "not_tested")


class RosterAndCheckRuns(StoreBase):
    """The tables roster (municipalities.csv) and check_runs (check-all)."""

    # -- roster ------------------------------------------------------------------------------

    def replace_roster(self, rows: Iterable[RosterRow]) -> None:
        """Replace the list of known municipalities (one transaction)."""
        stamp = now_iso()
        with self.transaction():
            self.conn.execute("DELETE FROM roster")
            self.conn.executemany(
                "INSERT INTO roster VALUES (?, ?, ?, ?, ?, ?)",
                [(r.insee, r.name, r.population, r.tier, " ".join(r.domains), stamp) for r in rows],
            )

    def roster_rows(self) -> list[RosterRow]:
        """The known municipalities, by INSEE code."""
        return [
            RosterRow(str(r[0]), str(r[1]), int(r[2]), int(r[3]), tuple(str(r[4]).split()))
            for r in self.conn.execute(
                "SELECT insee, name, population, tier, domains FROM roster ORDER BY insee"
            )
        ]

    def roster_tier_counts(self) -> dict[int, int]:
        """Tier -> how many known municipalities ({} when no list was loaded)."""
        rows = self.conn.execute("SELECT tier, COUNT(*) FROM roster GROUP BY tier").fetchall()
        return {int(t): int(n) for t, n in rows}

    # -- check-all ---------------------------------------------------------------------------

    def checked_insees(self, campaign: str, *, retry_not_tested: bool = False) -> set[str]:
        """Municipalities already checked in `campaign` (optionally not counting the unreachable:
        no pass/warn/fail, at least one not_tested)."""
        sql = "SELECT insee FROM check_runs WHERE campaign=?"
        if retry_not_tested:
            sql += " AND NOT (n_not_tested > 0 AND n_pass + n_warn + n_fail = 0)"
        return {str(r[0]) for r in self.conn.execute(sql, (campaign,))}

    def record_check_run(self, campaign: str, insee: str, run: CheckRun) -> None:
        """Results and checkpoint of one municipality, in one transaction."""
        count = dict.fromkeys(_COUNTED, 0)
        other = 0
        for r in run.results:
            if r.status in count:
                count[r.status] += 1
            else:
                other += 1
        with self.transaction():
            self.ensure_campaign(campaign)
            self.conn.execute(
                "INSERT OR REPLACE INTO check_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    campaign,
                    insee,
                    run.started_at.isoformat(),
                    datetime.now(UTC).isoformat(),
                    " ".join(run.nameservers),
                    *(count[s] for s in _COUNTED),
                    other,
                    run.model_dump_json(),
                ),
            )

    def check_run_count(self, campaign: str) -> int:
        """How many municipalities check-all has stored in `campaign`."""
        row = self.conn.execute(
            "SELECT COUNT(*) FROM check_runs WHERE campaign=?", (campaign,)
        ).fetchone()
        return int(row[0])

    def check_runs(self, campaign: str) -> list[tuple[str, CheckRun]]:
        """(INSEE code, its run) for every municipality check-all has stored in `campaign`."""
        return [
            (str(insee), CheckRun.model_validate_json(raw))
            for insee, raw in self.conn.execute(
                "SELECT insee, results_json FROM check_runs WHERE campaign=?", (campaign,)
            )
        ]
