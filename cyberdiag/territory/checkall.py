"""`territory check-all`: the passive checks of every municipality's domains, resumable.

Politeness: at most `concurrency` municipalities at a time (each with a few check threads), and a
token bucket per nameserver: each municipality is given a primary nameserver (round robin, the
others follow as fallbacks) and may start only when that nameserver's bucket allows `rate`
domains per second. Checkpoint: a municipality's results and its "done" mark are one row of
`check_runs`, written in one transaction as soon as it finishes. Killed or interrupted, a rerun
skips every municipality already stored and loses nothing; a crash of one municipality's run is
reported and left undone (retried next time), never recorded as a result.

No terminal code here: progress goes to a `progress(label, total)` context manager yielding
`step(label, n)` (cli.terminal.progress fits), and each line for the user to `say(text)`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cyberdiag.checks import runner as check_runner
from cyberdiag.errors import UserError
from cyberdiag.i18n import one_or_many, plural, tr
from cyberdiag.models import CheckResult
from cyberdiag.net.dnsclient import parse_nameserver
from cyberdiag.territory.roster import RosterEntry, read_roster, save_roster
from cyberdiag.territory.store import Store, open_store

# Threads of the check runner per municipality (the runner runs check × domain pairs).
WORKERS_PER_MUNICIPALITY = 8

RunChecks = Callable[..., list[CheckResult]]
Step = Callable[[str, int], None]
Say = Callable[[str], None]
Progress = Callable[[str, int], AbstractContextManager[Step]]


@contextmanager
def no_progress(label: str, total: int) -> Iterator[Step]:
    """A progress callback that shows nothing (the default)."""

    def step(what: str, n: int = 1) -> None:
        pass

    yield step


def _silent(text: str) -> None:
    pass


class RateLimiter:
    """Token bucket without burst: `acquire(n)` waits until n more units fit in `rate`/s."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self, n: int = 1, stop: threading.Event | None = None) -> None:
        """Wait for n units (returns early when `stop` is set)."""
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
    """One municipality's run: its results, or the error that left it undone."""

    entry: RosterEntry
    nameservers: list[str]
    started_at: datetime
    results: list[CheckResult] = field(default_factory=list)
    error: str | None = None


@dataclass
class Summary:
    """What one check-all did (INSEE codes)."""

    campaign: str
    total: int
    skipped_done: int = 0
    no_domain: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)  # nothing could be tested
    errors: list[tuple[str, str]] = field(default_factory=list)


def unreachable(results: list[CheckResult]) -> bool:
    """Nothing could be tested: no pass/warn/fail, at least one not_tested."""
    tested = any(r.status in ("pass", "warn", "fail") for r in results)
    return not tested and any(r.status == "not_tested" for r in results)


def save_outcome(store: Store, campaign: str, out: Outcome) -> None:
    """Results and checkpoint of one municipality, in one transaction."""
    run = check_runner.make_check_run(
        out.results, nameservers=out.nameservers, started_at=out.started_at
    )
    store.record_check_run(campaign, out.entry.insee, run)


class Checker:
    """Runs one municipality's checks: picks its nameservers, waits for their rate limit."""

    def __init__(
        self, nameservers: list[str], rate: float, timeout: float, run_checks: RunChecks
    ) -> None:
        self.nameservers = nameservers
        self.buckets = {ns: RateLimiter(rate) for ns in nameservers}
        self.timeout = timeout
        self.run_checks = run_checks
        self.stop = threading.Event()  # set when interrupted: waiting municipalities give up

    def check(self, entry: RosterEntry, index: int) -> Outcome:
        """The `index`-th municipality's outcome (never raises for an ordinary error)."""
        k = index % len(self.nameservers)
        order = self.nameservers[k:] + self.nameservers[:k]
        out = Outcome(entry, order, datetime.now(UTC))
        self.buckets[order[0]].acquire(len(entry.domains), self.stop)
        if self.stop.is_set():
            out.error = "interrupted"
            return out
        try:
            out.results = self.run_checks(
                list(entry.domains),
                nameservers=order,
                timeout=self.timeout,
                max_workers=WORKERS_PER_MUNICIPALITY,
            )
        except UserError as exc:
            out.error = exc.message("fr") + " / " + exc.message("en")
        except Exception as exc:  # a bug must not cost the other municipalities
            out.error = f"{type(exc).__name__}: {exc}"
        return out


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
    progress: Progress = no_progress,
    say: Say = _silent,
) -> Summary:
    """Check every municipality of `roster_csv` not yet checked in `campaign`.

    Raises UserError when some could not be checked (after storing the others)."""
    _check_options(nameservers, concurrency, rate)
    entries = read_roster(roster_csv)
    checker = Checker(nameservers, rate, timeout, run_checks or check_runner.run_checks)
    with open_store(store_path, write=True) as store:
        todo, summary = _plan(store, entries, campaign, retry_not_tested)
        with progress(tr("Vérifications", "Checks"), summary.total) as step:
            if summary.skipped_done or summary.no_domain:
                step("", summary.skipped_done + len(summary.no_domain))
            if summary.skipped_done:
                say(_resuming(summary.skipped_done, campaign))

            def record(out: Outcome) -> None:
                _record(store, summary, out, say)
                step(f"{out.entry.name} ({out.entry.insee})", 1)

            _check_concurrently(checker, todo, concurrency, record, summary, say)
    for line in summary_lines(summary):
        say(line)
    if summary.errors:
        k = len(summary.errors)
        raise UserError(
            one_or_many(k, "1 commune n'a pas pu être vérifiée (voir ci-dessus) ; relancer la "
                        "commande pour la reprendre.",
                        f"{k} communes n'ont pas pu être vérifiées (voir ci-dessus) ; relancer "
                        "la commande pour les reprendre."),
            one_or_many(k, "1 municipality could not be checked (see above); run the command "
                        "again to retry it.",
                        f"{k} municipalities could not be checked (see above); run the command "
                        "again to retry them."),
        )
    return summary


def _check_options(nameservers: list[str], concurrency: int, rate: float) -> None:
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


def _plan(
    store: Store, entries: list[RosterEntry], campaign: str, retry_not_tested: bool
) -> tuple[list[RosterEntry], Summary]:
    """Record the roster and the campaign; what is left to check, and what is skipped."""
    summary = Summary(campaign=campaign, total=len(entries))
    save_roster(store, entries)
    with store.transaction():
        store.ensure_campaign(campaign)
    already = store.checked_insees(campaign, retry_not_tested=retry_not_tested)
    todo: list[RosterEntry] = []
    for e in entries:
        if e.insee in already:
            summary.skipped_done += 1
        elif not e.domains:
            summary.no_domain.append(e.insee)
        else:
            todo.append(e)
    return todo, summary


def _record(store: Store, summary: Summary, out: Outcome, say: Say) -> None:
    """Store a finished municipality (or note its error) and tell the user."""
    label = f"{out.entry.name} ({out.entry.insee})"
    if out.error is not None:
        summary.errors.append((out.entry.insee, out.error))
        say(
            tr(
                f"{label} : erreur, à refaire — {out.error}",
                f"{label}: error, to be redone — {out.error}",
            )
        )
        return
    save_outcome(store, summary.campaign, out)
    summary.done.append(out.entry.insee)
    say(_line(label, out.results))
    if unreachable(out.results):
        summary.unreachable.append(out.entry.insee)


def _check_concurrently(
    checker: Checker,
    todo: list[RosterEntry],
    concurrency: int,
    record: Callable[[Outcome], None],
    summary: Summary,
    say: Say,
) -> None:
    """Run `todo` on `concurrency` threads, recording each outcome as it finishes. Interrupted,
    what finished meanwhile is still recorded: nothing is lost."""
    pool = ThreadPoolExecutor(max_workers=concurrency)
    futures = [pool.submit(checker.check, e, i) for i, e in enumerate(todo)]
    handled: set[Future[Outcome]] = set()

    def handle(fut: Future[Outcome]) -> None:
        handled.add(fut)
        record(fut.result())

    try:
        pending: set[Future[Outcome]] = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            # Successful ones first: an exception must not cost a finished result.
            for fut in sorted(finished, key=lambda f: f.exception() is not None):
                handle(fut)
    except BaseException:
        checker.stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        for fut in futures:  # store what finished meanwhile: nothing is lost
            if (
                fut not in handled
                and fut.done()
                and not fut.cancelled()
                and fut.exception() is None
            ):
                handle(fut)
        say(
            tr(
                "Interrompu : "
                f"{plural(len(summary.done), 'commune enregistrée', 'communes enregistrées', 'fr')}"
                " pendant cette exécution ; relancer la même commande pour reprendre.",
                "Interrupted: "
                f"{plural(len(summary.done), 'municipality', 'municipalities', 'en')} stored "
                "during this run; run the same command again to resume.",
            )
        )
        raise
    pool.shutdown(wait=True)


def _resuming(done: int, campaign: str) -> str:
    """« Reprise : 3 communes déjà vérifiées dans la campagne … » (French and English)."""
    return tr(
        f"Reprise : {plural(done, 'commune déjà vérifiée', 'communes déjà vérifiées', 'fr')} "
        f"dans la campagne {campaign}, {one_or_many(done, 'non refaite', 'non refaites')}.",
        f"Resuming: {plural(done, 'municipality', 'municipalities', 'en')} already checked in "
        f"campaign {campaign}, not redone.",
    )


def _line(label: str, results: list[CheckResult]) -> str:
    n = {s: sum(1 for r in results if r.status == s) for s in ("fail", "warn", "not_tested")}
    # The status words of every command (cyberdiag/cli/terminal.py STATUS).
    return tr(
        f"{label} : {plural(len(results), 'vérification', 'vérifications', 'fr')}, "
        f"{n['fail']} en échec, {n['warn']} à améliorer, "
        f"{plural(n['not_tested'], 'non testée', 'non testées', 'fr')}",
        f"{label}: {plural(len(results), 'check', 'checks', 'en')}, {n['fail']} failed, "
        f"{n['warn']} to improve, {n['not_tested']} not tested",
    )


def summary_lines(s: Summary) -> list[str]:
    """The closing report: how many were checked now, the unreachable, those without domain."""
    lines = [
        tr(
            f"Campagne {s.campaign} : "
            f"{plural(len(s.done), 'commune vérifiée', 'communes vérifiées', 'fr')} maintenant, "
            f"{plural(s.skipped_done, 'déjà faite', 'déjà faites', 'fr')}, sur {s.total}.",
            f"Campaign {s.campaign}: "
            f"{plural(len(s.done), 'municipality', 'municipalities', 'en')} checked now, "
            f"{s.skipped_done} already done, out of {s.total}.",
        )
    ]
    if s.unreachable:
        lines.append(
            tr(
                one_or_many(len(s.unreachable), "Injoignable", "Injoignables")
                + f" (rien n'a pu être testé) : {', '.join(s.unreachable)} — "
                "relancer avec --retry-not-tested.",
                f"Unreachable (nothing could be tested): {', '.join(s.unreachable)} — run again "
                "with --retry-not-tested.",
            )
        )
    if s.no_domain:
        lines.append(
            tr(
                f"Sans domaine dans la liste : {', '.join(s.no_domain)}.",
                f"No domain in the list: {', '.join(s.no_domain)}.",
            )
        )
    return lines
