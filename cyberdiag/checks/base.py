"""What every check shares: the context it runs in, the NotTested signal, result construction.

A check is a plain function `fn(ctx: CheckContext, target: str) -> CheckResult` registered under
its id in an explicit dict. It may raise NotTested (network trouble: timeout, refused connection,
SERVFAIL from our own resolver) — the runner turns it into a `not_tested` result with the reason.
Any other exception is a bug in the check: the runner also turns it into `not_tested` (with the
error) so that a crashing check never costs the user their diagnostic.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cyberdiag.errors import NotTested
from cyberdiag.models import CheckResult, Profile, Status, Text

if TYPE_CHECKING:
    import dns.message
    import dns.resolver



@dataclass
class CheckContext:
    """Everything a check needs; built once per run and shared by concurrent checks (threads).

    resolver: dnspython resolver from cyberdiag.net.dnsclient.make_resolver (explicit nameservers).
    timeout: seconds for one network operation. profile: the municipality profile, if any.
    memo: per-run cache shared between checks (e.g. MX hosts of a domain), guarded by `lock`.
    """

    resolver: dns.resolver.Resolver
    timeout: float = 5.0
    profile: Profile | None = None
    nameservers: list[str] = field(default_factory=list)
    memo: dict[Any, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def remember(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Compute `key` once per run (other threads wait for the first computation)."""
        with self.lock:
            entry = self.memo.get(key)
            if entry is None:
                entry = _Once(compute)
                self.memo[key] = entry
        return entry.get()

    def known(self, key: Any) -> bool:
        """Has `key` been computed already (remember() would return at once)?"""
        with self.lock:
            entry = self.memo.get(key)
        return entry is not None and entry.done


class _Once:
    def __init__(self, compute: Callable[[], Any]) -> None:
        self._compute = compute
        self._lock = threading.Lock()
        self._done = False
        self._value: Any = None
        self._error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self._done

    def get(self) -> Any:
        with self._lock:
            if not self._done:
                try:
                    self._value = self._compute()
                except BaseException as exc:  # re-raised to every caller
                    self._error = exc
                self._done = True
        if self._error is not None:
            raise self._error
        return self._value


CheckFn = Callable[[CheckContext, str], CheckResult]


def result(
    check_id: str,
    target: str,
    status: Status,
    fr: str,
    en: str,
    evidence: dict[str, Any] | None = None,
    reason: Text | None = None,
) -> CheckResult:
    """Build a CheckResult (duration is filled in by the runner)."""
    return CheckResult(
        id=check_id,
        target=target,
        status=status,
        message=Text(fr=fr, en=en),
        evidence=evidence or {},
        reason=reason,
    )


def not_tested(
    check_id: str, target: str, reason: Text, evidence: dict[str, Any] | None = None
) -> CheckResult:
    """A `not_tested` result: the message is "Non testé : <reason>" / "Not tested: <reason>"."""
    return result(
        check_id,
        target,
        "not_tested",
        "Non testé : " + reason.fr,
        "Not tested: " + reason.en,
        evidence,
        reason,
    )


def not_tested_all(ids: list[str], targets: list[str], reason: Text) -> list[CheckResult]:
    """Every check of `ids` on every target, `not_tested` for the same reason."""
    return [not_tested(cid, target, reason) for target in targets for cid in ids]


def run_one(fn: CheckFn, check_id: str, ctx: CheckContext, target: str) -> CheckResult:
    """Run one check, never raising: NotTested and bugs become `not_tested` results."""
    t0 = time.perf_counter()
    try:
        res = fn(ctx, target)
    except NotTested as exc:
        res = not_tested(check_id, target, exc.reason, exc.evidence)
    except Exception as exc:  # a bug in a check must not cost the diagnostic
        reason = Text(
            fr=f"erreur interne de la vérification ({type(exc).__name__}: {exc})"[:500],
            en=f"internal error in the check ({type(exc).__name__}: {exc})"[:500],
        )
        res = not_tested(check_id, target, reason)
    return res.model_copy(update={"duration": round(time.perf_counter() - t0, 4)})
