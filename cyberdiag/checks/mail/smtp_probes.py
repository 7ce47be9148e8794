"""The SMTP probes of a domain's mail servers, once per run and MX address (ctx.remember), shared
by mail.starttls and mail.dane. The protocol itself is cyberdiag.net.smtp."""

from __future__ import annotations

from typing import Any

from cyberdiag.checks import lookups as lk
from cyberdiag.checks.base import CheckContext
from cyberdiag.net import smtp

MAX_STARTTLS_TARGETS = 10


def smtp_targets(ctx: CheckContext, hosts: list[str]) -> list[tuple[str, str]]:
    """(host, ip) pairs to probe: up to two IPv4 addresses and one IPv6 address per MX (other
    mail servers deliver over both families), at most MAX_STARTTLS_TARGETS. Raises NotTested
    only if no MX could be resolved."""
    lists = lk.parallel(ctx, lambda h: lk.addresses(ctx, h), hosts)
    nt = lk.first_not_tested(lists)
    if nt is not None and all(isinstance(x, Exception) for x in lists):
        raise nt
    targets: list[tuple[str, str]] = []
    for host, addrs in zip(hosts, lists, strict=True):
        if isinstance(addrs, Exception):
            continue
        v4 = [a for a in addrs if ":" not in a][:2]
        v6 = [a for a in addrs if ":" in a][:1]
        targets.extend((host, ip) for ip in v4 + v6)
    return targets[:MAX_STARTTLS_TARGETS]


def smtp_probe(ctx: CheckContext, host: str, ip: str) -> dict[str, Any]:
    """Banner/EHLO, then a verified STARTTLS handshake (cyberdiag.net.smtp.probe), memoised.
    Raises NotTested on network trouble."""
    probe: dict[str, Any] = ctx.remember(("smtp", host, ip),
                                         lambda: smtp.probe(ip, host, ctx.timeout))
    return probe


def smtp_chain(ctx: CheckContext, host: str, ip: str) -> list[bytes]:
    """The certificate chain (DER, leaf first) the MX presents after STARTTLS, unverified
    (for DANE), memoised; [] without a TLS session. Raises NotTested."""

    def compute() -> list[bytes]:
        probe = smtp_probe(ctx, host, ip)
        if not probe.get("starttls") or not probe.get("tls", {}).get("version"):
            return []
        return smtp.certificate_chain(ip, host, ctx.timeout)

    ders: list[bytes] = ctx.remember(("smtp_ders", host, ip), compute)
    return ders
