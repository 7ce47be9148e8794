"""Memoised DNS lookups shared by the checks of one run (through ctx.remember).

Every check asks here instead of calling cyberdiag.net.dnsclient directly, so that the MX hosts, the
SPF includes or the addresses of a host are looked up once per run whatever the number of
checks that need them. Errors (NotTested) are remembered too: every check sees the same trouble.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cyberdiag.checks.base import CheckContext
from cyberdiag.errors import NotTested
from cyberdiag.net import budget, dnsclient

MAX_MX = 10
MAX_ADDRESSES = 4


def lookup(
    ctx: CheckContext, name: str, rdtype: str, *, dnssec: bool = False, cd: bool = True
) -> dnsclient.DnsAnswer:
    key = ("dns", name.lower().rstrip("."), rdtype, dnssec, cd)
    ans: dnsclient.DnsAnswer = ctx.remember(
        key, lambda: dnsclient.lookup(ctx.resolver, name, rdtype, ctx.timeout, dnssec=dnssec, cd=cd)
    )
    return ans


def txt(ctx: CheckContext, name: str) -> dnsclient.DnsAnswer:
    return lookup(ctx, name, "TXT")


def addresses(ctx: CheckContext, host: str) -> list[str]:
    """IPv4 then IPv6 addresses of a host name through our resolver (memoised)."""

    def compute() -> list[str]:
        answers = parallel(ctx, lambda t: lookup(ctx, host, t), ["A", "AAAA"])
        out: list[str] = []
        for ans in answers:
            if isinstance(ans, Exception):
                raise ans
            out.extend(ans.records)
        return out

    result: list[str] = ctx.remember(("addr", host.lower().rstrip(".")), compute)
    return result


def mx_hosts(ctx: CheckContext, domain: str) -> tuple[dnsclient.DnsAnswer, list[tuple[int, str]]]:
    """MX answer and its (preference, host) pairs sorted by preference (null MX kept as '.')."""
    ans = lookup(ctx, domain, "MX")
    rdatas = list(ans.rrset)[: dnsclient.MAX_RECORDS] if ans.rrset is not None else []
    pairs = sorted((int(r.preference), r.exchange.to_text().lower()) for r in rdatas)
    return ans, pairs


def is_null_mx(pairs: list[tuple[int, str]]) -> bool:
    return len(pairs) == 1 and pairs[0][1] == "."


def parallel(ctx: CheckContext, fn: Any, items: list[Any], workers: int = 8) -> list[Any]:
    """Run fn(item) concurrently (fan-out of independent lookups); results in input order.

    Exceptions are returned in place of results (the caller decides)."""
    if not items:
        return []

    def safe(item: Any) -> Any:
        try:
            return fn(item)
        except Exception as exc:  # noqa: BLE001 - returned to the caller
            return exc

    if len(items) == 1:
        return [safe(items[0])]
    state = budget.inherit_budget()

    def with_budget(item: Any) -> Any:
        budget.adopt_budget(state)
        return safe(item)

    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(with_budget, items))


def first_not_tested(values: list[Any]) -> NotTested | None:
    return next((v for v in values if isinstance(v, NotTested)), None)
