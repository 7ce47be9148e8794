"""Run the passive checks: every (check, domain) pair concurrently, through one resolver.

Checks share per-run memoised lookups (ctx.remember): the MX hosts, SPF includes or addresses
of a domain are asked once whatever the number of checks that need them. Every network
operation is bounded by `timeout`, and every check by a time budget (a few timeouts), so a
hostile or dead server can slow a run down but never hang it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path

from cyberdiag import __version__
from cyberdiag.checks.base import CheckContext, run_one
from cyberdiag.checks.registry import CHECKS, PROFILE_CHECKS
from cyberdiag.errors import UserError
from cyberdiag.fileio import write_private
from cyberdiag.i18n import one_or_many
from cyberdiag.models import CheckResult, CheckRun, Profile
from cyberdiag.net import dnsclient
from cyberdiag.net.budget import budget

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def normalise_domain(name: str) -> str:
    """Lower-case, IDNA-encoded domain name, or UserError with a clear message."""
    raw = name.strip()
    text = raw.lower().rstrip(".")
    try:
        if not text.isascii():
            text = text.encode("idna").decode("ascii")
    except UnicodeError:
        text = "\x00"
    labels = text.split(".")
    ok = (
        0 < len(text) <= 253
        and len(labels) >= 2
        and all(_LABEL.match(lab) for lab in labels)
        and not labels[-1].isdigit()
    )
    if not ok:
        shown = raw[:80].encode("unicode_escape").decode("ascii")
        raise UserError(
            f"Nom de domaine invalide « {shown} » : attendu un nom comme "
            "mairie-exemple.fr (lettres, chiffres, tirets, séparés par des points).",
            f"Invalid domain name '{shown}': expected a name like mairie-exemple.fr "
            "(letters, digits, hyphens, separated by dots).",
        )
    return text


def check_budget(timeout: float) -> float:
    """Total time one check may spend on the network (several lookups and handshakes)."""
    return timeout * 4 + 1.0


def run_checks(
    domains: list[str],
    *,
    nameservers: list[str],
    timeout: float = 5.0,
    profile: Profile | None = None,
    only: list[str] | None = None,
    progress: Callable[[CheckResult], None] | None = None,
    max_workers: int = 32,
) -> list[CheckResult]:
    """Run the passive checks on each domain; results ordered by domain, then check id order.

    Raises UserError for an invalid domain, an unknown check id, a bad nameserver or a
    non-positive timeout. `progress` is called (in the calling thread) after each result.
    Profile-scoped checks (mail.free_provider) run once, on the profile's official address.
    """
    # lazy: start-up time (dnspython); imported once here, not under the import lock of 32
    # threads
    import dns.dnssec  # noqa: F401
    import dns.resolver  # noqa: F401

    if not timeout > 0 or timeout > 300:
        raise UserError(
            "Délai invalide : indiquer un nombre de secondes entre 0 et 300.",
            "Invalid timeout: give a number of seconds between 0 and 300.",
        )
    names = list(dict.fromkeys(normalise_domain(d) for d in domains))
    ids = _selected(only)
    resolver = dnsclient.make_resolver(nameservers, timeout)
    ctx = CheckContext(resolver=resolver, timeout=timeout, profile=profile,
                       nameservers=list(nameservers))
    tasks = _tasks(ids, names, profile)
    order = {d: i for i, d in enumerate(names)}
    rank = {c: i for i, c in enumerate(ids)}
    results: list[CheckResult] = []
    if not tasks:
        return results
    results = _run_concurrently(ctx, tasks, check_budget(timeout), progress, max_workers)
    results.sort(key=lambda r: (order.get(r.target, len(order)), rank.get(r.id, 0)))
    return results


def _selected(only: list[str] | None) -> list[str]:
    """The check ids to run, in registry order (all of them without `only`)."""
    ids = list(CHECKS)
    if only:
        unknown = [i for i in only if i not in CHECKS]
        if unknown:
            n = len(unknown)
            raise UserError(
                one_or_many(n, "Vérification inconnue", "Vérifications inconnues")
                + f" : {', '.join(unknown)}. Connues : {', '.join(CHECKS)}.",
                one_or_many(n, "Unknown check", "Unknown checks")
                + f": {', '.join(unknown)}. Known: {', '.join(CHECKS)}.",
            )
        ids = [i for i in ids if i in only]
    return ids


def _tasks(ids: list[str], names: list[str], profile: Profile | None) -> list[tuple[str, str]]:
    """(check id, target) pairs: every domain check on every domain, then the profile checks
    once, on the official address (else the first domain)."""
    tasks: list[tuple[str, str]] = []
    for cid in ids:
        if cid in PROFILE_CHECKS:
            continue
        tasks.extend((cid, d) for d in names)
    profile_target = (profile.official_email if profile and profile.official_email
                      else (names[0] if names else None))
    if profile_target:
        tasks.extend((cid, profile_target) for cid in ids if cid in PROFILE_CHECKS)
    return tasks


def _run_concurrently(ctx: CheckContext, tasks: list[tuple[str, str]], seconds: float,
                      progress: Callable[[CheckResult], None] | None,
                      max_workers: int) -> list[CheckResult]:
    """Run the tasks on a thread pool, each within its time budget; results as they come."""
    cancel = threading.Event()

    def run(task: tuple[str, str]) -> CheckResult:
        cid, target = task
        with budget(seconds, cancel):
            return run_one(CHECKS[cid], cid, ctx, target)

    results: list[CheckResult] = []
    pool = ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(tasks))),
                              thread_name_prefix="check")
    try:
        pending: set[Future[CheckResult]] = {pool.submit(run, t) for t in tasks}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                res = fut.result()
                results.append(res)
                if progress is not None:
                    progress(res)
    except BaseException:
        # Ctrl-C: drop the checks not started; those running give up at their next network
        # operation (at most one timeout later).
        cancel.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results


def make_check_run(
    results: list[CheckResult],
    *,
    nameservers: list[str],
    started_at: datetime | None = None,
    interrupted: bool = False,
    nameserver_source: str = "",
) -> CheckRun:
    """The record of one run of the checks (what `cyberdiag check -o` writes)."""
    return CheckRun(
        kind="checks",
        tool_version=__version__,
        started_at=started_at or datetime.now(UTC),
        nameservers=list(nameservers),
        nameserver_source=nameserver_source,
        results=results,
        interrupted=interrupted,
    )


def write_check_run(path: Path | str, run: CheckRun) -> None:
    """Write a CheckRun as JSON (atomic, mode 0600: it maps the municipality's weaknesses)."""
    write_private(path, run.model_dump_json(indent=2) + "\n")
