"""The only place that talks to DNS for the product: resolvers built from an explicit nameserver.

The system resolver (/etc/resolv.conf, socket.getaddrinfo) is never used: every name is resolved
through the nameserver(s) given with --nameserver, and connections are made to IP addresses.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from cyberdiag.errors import UserError

if TYPE_CHECKING:  # dnspython is imported lazily (startup time)
    import dns.resolver

DEFAULT_TIMEOUT = 5.0


def parse_nameserver(spec: str) -> tuple[str, int]:
    """'IP', 'IP:PORT', '[IPv6]:PORT' or 'IPv6' -> (ip, port). Names are refused."""
    s = spec.strip()
    host, port = s, 53
    if s.startswith("["):
        end = s.find("]")
        if end < 0:
            raise _bad_ns(spec)
        host, rest = s[1:end], s[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise _bad_ns(spec)
            port = _port(rest[1:], spec)
    elif s.count(":") == 1:
        host, p = s.split(":")
        port = _port(p, spec)
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise _bad_ns(spec) from None
    return str(ip), port


def _port(text: str, spec: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise _bad_ns(spec)
    return int(text)


def _bad_ns(spec: str) -> UserError:
    return UserError(
        f"Serveur DNS invalide « {spec} » : attendu une adresse IP, éventuellement suivie de "
        ":PORT (ex. 127.0.0.1:5353).",
        f"Invalid nameserver '{spec}': expected an IP address, optionally followed by :PORT "
        "(e.g. 127.0.0.1:5353).",
    )


def make_resolver(
    nameservers: list[str], timeout: float = DEFAULT_TIMEOUT
) -> dns.resolver.Resolver:
    """A dnspython resolver that only asks the given nameservers (never /etc/resolv.conf)."""
    import dns.nameserver
    import dns.resolver

    if not nameservers:
        raise UserError(
            "Aucun serveur DNS indiqué : utilisez --nameserver IP[:PORT].",
            "No nameserver given: use --nameserver IP[:PORT].",
        )
    res = dns.resolver.Resolver(configure=False)
    res.nameservers = [
        dns.nameserver.Do53Nameserver(ip, port)
        for ip, port in (parse_nameserver(n) for n in nameservers)
    ]
    res.timeout = timeout
    res.lifetime = timeout
    res.cache = None
    return res


def resolve_addresses(name: str, resolver: dns.resolver.Resolver) -> list[str]:
    """A and AAAA addresses of a host name through `resolver` (empty list if none)."""
    import dns.exception
    import dns.resolver

    out: list[str] = []
    for rdtype in ("A", "AAAA"):
        try:
            answer = resolver.resolve(name, rdtype)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            continue
        except dns.exception.DNSException:
            raise
        out.extend(r.to_text() for r in answer)
    return out
