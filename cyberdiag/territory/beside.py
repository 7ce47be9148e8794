"""The latest `check-all` results beside the self-assessment, and diagnostics too old to trust.

For each municipality of the campaign, its most recent check-all run (any campaign, with its
date) is set beside the checks its own diagnostic recorded: per check, the worst status over its
domains. Named views get one row per municipality (what fails now, what failed in the
diagnostic and passes now, what passed then and fails now); anonymised views get per check the
number of municipalities failing or warning, now and in the diagnostics, and only for checks
concerning at least MIN_GROUP of them. A diagnostic made more than STALE_MONTHS months before
the report is flagged (named: which; anonymised: how many).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from cyberdiag.models import Text
from cyberdiag.report.catalogue import check_catalogue
from cyberdiag.territory.store import LatestRun, MuniRow

STALE_MONTHS = 18
_RANK = {"fail": 4, "warn": 3, "pass": 2, "not_tested": 1, "not_applicable": 0}
_BAD = ("fail", "warn")


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the last day of a shorter month)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(y, m + 1, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists


def worst(results: list[tuple[str, str]]) -> dict[str, str]:
    """(check id, status) pairs -> check id -> its worst status."""
    out: dict[str, str] = {}
    for cid, status in results:
        if _RANK.get(status, 0) > _RANK.get(out.get(cid, ""), -1):
            out[cid] = status
    return out


@dataclass
class CheckSide:
    """One check: municipalities failing or warning now (check-all) and in their diagnostic."""

    id: str
    title: Text | None
    now_fail: int = 0
    now_warn: int = 0
    now_tested: int = 0  # municipalities where check-all could run it
    own_fail: int = 0
    own_warn: int = 0
    own_tested: int = 0

    def add(self, status: str, *, now: bool) -> None:
        """Count one municipality's worst status of this check (check-all's, or its own)."""
        tested, fail, warn = status in ("pass", *_BAD), status == "fail", status == "warn"
        if now:
            self.now_tested += tested
            self.now_fail += fail
            self.now_warn += warn
        else:
            self.own_tested += tested
            self.own_fail += fail
            self.own_warn += warn


@dataclass
class CommuneChecks:
    """Named views: one municipality's self-assessment beside its latest check-all run."""

    label: str
    insee: str
    level: int
    created: str  # date of the diagnostic
    stale: bool
    run_date: str | None  # date of its latest check-all run (None: never checked)
    run_campaign: str | None
    fail: int = 0
    warn: int = 0
    passed: int = 0
    not_tested: int = 0
    failing: list[str] = field(default_factory=list)  # checks failing or warning now
    worse: list[str] = field(default_factory=list)  # passed in the diagnostic, failing now
    better: list[str] = field(default_factory=list)  # failed in the diagnostic, passing now


@dataclass
class Beside:
    """check-all beside the self-assessment, and the diagnostics' age."""

    checked: int  # municipalities of the campaign with a check-all run
    first_run: str | None
    last_run: str | None
    checks: list[CheckSide]
    communes: list[CommuneChecks]
    stale_before: str  # diagnostics made before this date are flagged
    stale: int
    stale_communes: list[tuple[str, str]] = field(default_factory=list)  # named: (name, date)


def beside(
    rows: list[MuniRow],
    own_checks: list[tuple[str, str, str]],
    runs: dict[str, LatestRun],
    *,
    labels: dict[str, str] | None,
    min_n: int,
    today: date,
) -> Beside:
    """The comparison for `rows`; `labels` (INSEE -> name) only for a named view."""
    limit = months_before(today, STALE_MONTHS).isoformat()
    own_pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for insee, cid, status in own_checks:
        own_pairs[insee].append((cid, status))
    own = {i: worst(p) for i, p in own_pairs.items()}
    now = {i: worst([(r.id, r.status) for r in run.run.results]) for i, run in runs.items()}
    sides: dict[str, CheckSide] = {}
    titles = {k: v.title for k, v in check_catalogue().items()}

    def side(cid: str) -> CheckSide:
        return sides.setdefault(cid, CheckSide(cid, titles.get(cid)))

    for statuses, is_now in ((now, True), (own, False)):
        for per in statuses.values():
            for cid, status in per.items():
                side(cid).add(status, now=is_now)
    shown = [
        s
        for s in sides.values()
        if max(s.now_fail + s.now_warn, s.own_fail + s.own_warn) >= max(1, min_n)
    ]
    shown.sort(key=lambda s: (-(s.now_fail + s.now_warn), -s.now_fail, -s.own_fail, s.id))
    dates = sorted(r.finished_at[:10] for r in runs.values())
    stale = [m for m in rows if m.created_at[:10] < limit]
    return Beside(
        checked=len(runs),
        first_run=dates[0] if dates else None,
        last_run=dates[-1] if dates else None,
        checks=shown,
        communes=[] if labels is None else _communes(rows, own, now, runs, labels, limit),
        stale_before=limit,
        stale=len(stale),
        stale_communes=[]
        if labels is None
        else sorted((labels.get(m.insee, m.insee), m.created_at[:10]) for m in stale),
    )


def _communes(
    rows: list[MuniRow],
    own: dict[str, dict[str, str]],
    now: dict[str, dict[str, str]],
    runs: dict[str, LatestRun],
    labels: dict[str, str],
    limit: str,
) -> list[CommuneChecks]:
    out = []
    for m in rows:
        run = runs.get(m.insee)
        c = CommuneChecks(
            label=labels.get(m.insee, m.insee),
            insee=m.insee,
            level=m.overall_level,
            created=m.created_at[:10],
            stale=m.created_at[:10] < limit,
            run_date=run.finished_at[:10] if run else None,
            run_campaign=run.campaign if run else None,
        )
        mine, then = now.get(m.insee, {}), own.get(m.insee, {})
        for cid, status in sorted(mine.items()):
            if status == "fail":
                c.fail += 1
            elif status == "warn":
                c.warn += 1
            elif status == "pass":
                c.passed += 1
            elif status == "not_tested":
                c.not_tested += 1
            if status in _BAD:
                c.failing.append(cid)
                if then.get(cid) == "pass":
                    c.worse.append(cid)
            elif status == "pass" and then.get(cid) in _BAD:
                c.better.append(cid)
        out.append(c)
    out.sort(key=lambda c: (c.run_date is None, -(c.fail + c.warn), c.label))
    return out
