"""`territory check-all`: the passive checks of every municipality's domains, resumable.

Politeness: at most `concurrency` municipalities at a time (each with a few check threads), and a
token bucket per nameserver: each municipality is given a primary nameserver (round robin, the
others follow as fallbacks) and may start only when that nameserver's bucket allows `rate`
domains per second. Checkpoint: a municipality's results and its "done" mark are one row of
`check_runs`, written in one transaction as soon as it finishes. Killed or interrupted, a rerun
skips every municipality already stored and loses nothing; a crash of one municipality's run is
reported and left undone (retried next time), never recorded as a result.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cyberdiag.errors import UserError
from cyberdiag.models import CheckResult
from cyberdiag.territory.roster import RosterEntry, read_roster, save_roster
from cyberdiag.territory.store import Store, open_store

if TYPE_CHECKING:
    from rich.progress import Progress

# Threads of the check runner per municipality (the runner runs check × domain pairs).
WORKERS_PER_MUNICIPALITY = 8

RunChecks = Callable[..., list[CheckResult]]


class RateLimiter:
    """Token bucket without burst: `acquire(n)` waits until n more units fit in `rate`/s."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self, n: int = 1, stop: threading.Event | None = None) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + n * self.interval
        delay = start - time.monotonic()
        if delay > 0:
            if stop is not None:
                stop.wait(delay)
            else:
                time.sleep(delay)


@dataclass
class Outcome:
    entry: RosterEntry
    nameservers: list[str]
    started_at: datetime
    results: list[CheckResult] = field(default_factory=list)
    error: str | None = None


@dataclass
class Summary:
    campaign: str
    total: int
    skipped_done: int = 0
    no_domain: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)  # nothing could be tested
    errors: list[tuple[str, str]] = field(default_factory=list)


def done_insees(store: Store, campaign: str, *, retry_not_tested: bool = False) -> set[str]:
    """Municipalities already checked in `campaign` (optionally not counting the unreachable)."""
    sql = "SELECT insee FROM check_runs WHERE campaign=?"
    if retry_not_tested:
        sql += " AND NOT (n_not_tested > 0 AND n_pass + n_warn + n_fail = 0)"
    return {str(r[0]) for r in store.conn.execute(sql, (campaign,))}


def unreachable(results: list[CheckResult]) -> bool:
    """Nothing could be tested: no pass/warn/fail, at least one not_tested."""
    tested = any(r.status in ("pass", "warn", "fail") for r in results)
    return not tested and any(r.status == "not_tested" for r in results)


def save_outcome(store: Store, campaign: str, out: Outcome) -> None:
    """Results and checkpoint of one municipality, in one transaction."""
    from cyberdiag.checks.runner import make_check_run

    run = make_check_run(out.results, nameservers=out.nameservers, started_at=out.started_at)
    count = dict.fromkeys(("pass", "warn", "fail", "not_tested"), 0)
    other = 0
    for r in out.results:
        if r.status in count:
            count[r.status] += 1
        else:
            other += 1
    with store.transaction() as c:
        store.ensure_campaign(c, campaign)
        c.execute(
            "INSERT OR REPLACE INTO check_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                campaign,
                out.entry.insee,
                out.started_at.isoformat(),
                datetime.now(UTC).isoformat(),
                " ".join(out.nameservers),
                count["pass"],
                count["warn"],
                count["fail"],
                count["not_tested"],
                other,
                run.model_dump_json(),
            ),
        )


def run_check_all(
    roster_csv: Path,
    *,
    nameservers: list[str],
    campaign: str,
    store_path: Path | None,
    concurrency: int = 4,
    rate: float = 2.0,
    timeout: float = 5.0,
    retry_not_tested: bool = False,
    run_checks: RunChecks | None = None,
    show_progress: bool = True,
) -> Summary:
    from cyberdiag.i18n import tr
    from cyberdiag.net.dnsclient import parse_nameserver

    if not nameservers:
        raise UserError(
            "Aucun serveur DNS indiqué : utilisez --nameserver IP[:PORT] (cyberdiag n'utilise "
            "jamais le résolveur du système).",
            "No nameserver given: use --nameserver IP[:PORT] (cyberdiag never uses the "
            "system resolver).",
        )
    for ns in nameservers:
        parse_nameserver(ns)
    if concurrency < 1 or not rate > 0:
        raise UserError(
            "--concurrency et --rate doivent être positifs.",
            "--concurrency and --rate must be positive.",
        )
    if run_checks is None:
        from cyberdiag.checks.runner import run_checks as _run_checks

        run_checks = _run_checks
    entries = read_roster(roster_csv)
    summary = Summary(campaign=campaign, total=len(entries))
    buckets = {ns: RateLimiter(rate) for ns in nameservers}
    stop = threading.Event()

    with open_store(store_path) as store:
        save_roster(store, entries)
        with store.transaction() as c:
            store.ensure_campaign(c, campaign)
        already = done_insees(store, campaign, retry_not_tested=retry_not_tested)
        todo: list[RosterEntry] = []
        for e in entries:
            if e.insee in already:
                summary.skipped_done += 1
            elif not e.domains:
                summary.no_domain.append(e.insee)
            else:
                todo.append(e)

        def work(entry: RosterEntry, index: int) -> Outcome:
            k = index % len(nameservers)
            order = nameservers[k:] + nameservers[:k]
            out = Outcome(entry, order, datetime.now(UTC))
            buckets[order[0]].acquire(len(entry.domains), stop)
            if stop.is_set():
                out.error = "interrupted"
                return out
            try:
                out.results = run_checks(
                    list(entry.domains),
                    nameservers=order,
                    timeout=timeout,
                    max_workers=WORKERS_PER_MUNICIPALITY,
                )
            except UserError as exc:
                out.error = exc.message("fr") + " / " + exc.message("en")
            except Exception as exc:  # a bug must not cost the other municipalities
                out.error = f"{type(exc).__name__}: {exc}"
            return out

        with _progress(show_progress) as progress:
            task = progress.add_task(
                tr("Vérifications", "Checks"),
                total=len(entries),
                completed=summary.skipped_done + len(summary.no_domain),
            )
            if summary.skipped_done:
                progress.console.print(
                    tr(
                        f"Reprise : {summary.skipped_done} commune(s) déjà vérifiée(s) dans la "
                        f"campagne {campaign}, non refaite(s).",
                        f"Resuming: {summary.skipped_done} municipality(ies) already checked in "
                        f"campaign {campaign}, not redone.",
                    )
                )
            pool = ThreadPoolExecutor(max_workers=concurrency)
            futures = [pool.submit(work, e, i) for i, e in enumerate(todo)]
            handled: set[Future[Outcome]] = set()

            def handle(fut: Future[Outcome]) -> None:
                handled.add(fut)
                out = fut.result()
                label = f"{out.entry.name} ({out.entry.insee})"
                if out.error is not None:
                    summary.errors.append((out.entry.insee, out.error))
                    progress.console.print(
                        tr(
                            f"{label} : erreur, à refaire — {out.error}",
                            f"{label}: error, to be redone — {out.error}",
                        )
                    )
                else:
                    save_outcome(store, campaign, out)
                    summary.done.append(out.entry.insee)
                    progress.console.print(_line(label, out.results))
                    if unreachable(out.results):
                        summary.unreachable.append(out.entry.insee)
                progress.advance(task)

            try:
                pending: set[Future[Outcome]] = set(futures)
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    # Successful ones first: an exception must not cost a finished result.
                    for fut in sorted(finished, key=lambda f: f.exception() is not None):
                        handle(fut)
            except BaseException:
                stop.set()
                pool.shutdown(wait=False, cancel_futures=True)
                for fut in futures:  # store what finished meanwhile: nothing is lost
                    if (
                        fut not in handled
                        and fut.done()
                        and not fut.cancelled()
                        and fut.exception() is None
                    ):
                        handle(fut)
                progress.console.print(
                    tr(
                        f"Interrompu : {len(summary.done)} commune(s) enregistrée(s) pendant cette "
                        "exécution ; relancer la même commande pour reprendre.",
                        f"Interrupted: {len(summary.done)} municipality(ies) stored during this "
                        "run; run the same command again to resume.",
                    )
                )
                raise
            pool.shutdown(wait=True)
    _print_summary(summary)
    if summary.errors:
        raise UserError(
            f"{len(summary.errors)} commune(s) n'ont pas pu être vérifiées (voir ci-dessus) ; "
            "relancer la commande pour les reprendre.",
            f"{len(summary.errors)} municipality(ies) could not be checked (see above); run "
            "the command again to retry them.",
        )
    return summary


def _line(label: str, results: list[CheckResult]) -> str:
    from cyberdiag.i18n import tr

    n = {s: sum(1 for r in results if r.status == s) for s in ("fail", "warn", "not_tested")}
    return tr(
        f"{label} : {len(results)} vérifications, {n['fail']} en échec, {n['warn']} "
        f"avertissement(s), {n['not_tested']} non testée(s)",
        f"{label}: {len(results)} checks, {n['fail']} failed, {n['warn']} warning(s), "
        f"{n['not_tested']} not tested",
    )


def _print_summary(s: Summary) -> None:
    import sys

    from cyberdiag.i18n import tr

    w = sys.stdout.write
    w(
        tr(
            f"Campagne {s.campaign} : {len(s.done)} commune(s) vérifiée(s) maintenant, "
            f"{s.skipped_done} déjà faite(s), sur {s.total}.\n",
            f"Campaign {s.campaign}: {len(s.done)} municipality(ies) checked now, "
            f"{s.skipped_done} already done, out of {s.total}.\n",
        )
    )
    if s.unreachable:
        w(
            tr(
                f"Injoignable(s) (rien n'a pu être testé) : {', '.join(s.unreachable)} — "
                "relancer avec --retry-not-tested.\n",
                f"Unreachable (nothing could be tested): {', '.join(s.unreachable)} — run again "
                "with --retry-not-tested.\n",
            )
        )
    if s.no_domain:
        w(
            tr(
                f"Sans domaine dans la liste : {', '.join(s.no_domain)}.\n",
                f"No domain in the list: {', '.join(s.no_domain)}.\n",
            )
        )


def _progress(enabled: bool) -> Progress:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(highlight=False)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not enabled or not console.is_terminal,
    )
