"""Targets: validated scope entries -> the IP addresses to scan for each of them.

Host names are resolved through the configured nameserver only (never the system resolver);
addresses a name points to are filtered by the same refused ranges as declared addresses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cyberdiag.checks.exposure.scope import Entry, IPNetwork, refusal
from cyberdiag.errors import UserError
from cyberdiag.models import Text
from cyberdiag.net.dnsclient import resolve_addresses

if TYPE_CHECKING:
    import dns.resolver


@dataclass
class Target:
    """A declared target and the addresses that will be scanned for it."""

    label: str
    kind: str
    addresses: list[str] = field(default_factory=list)
    # Addresses found but not scanned (e.g. a name resolving to a private address), with why.
    skipped: list[dict[str, str]] = field(default_factory=list)
    # Why nothing can be scanned for this target (DNS failure, no address...), if so.
    problem: Text | None = None


def _hosts(net: IPNetwork) -> list[str]:
    """The addresses of a validated network, serialised by ipaddress (a /32 is its address)."""
    return [str(h) for h in net.hosts()]


def expand_targets(
    entries: Sequence[Entry], resolver: dns.resolver.Resolver | None = None
) -> list[Target]:
    """Addresses to scan for each entry. Names are resolved through `resolver` only."""
    targets: list[Target] = []
    for e in entries:
        t = Target(label=e.text, kind=e.kind)
        if e.network is not None:
            t.addresses = _hosts(e.network)
        else:
            assert e.hostname is not None
            if resolver is None:
                raise UserError(
                    f"Le profil contient le nom « {e.text} » : indiquez le serveur DNS à "
                    "utiliser avec --nameserver IP[:PORT] (le résolveur du système n'est "
                    "jamais utilisé).",
                    f"The profile contains the name '{e.text}': give the DNS server to use with "
                    "--nameserver IP[:PORT] (the system resolver is never used).",
                )
            _resolve_into(t, e.hostname, resolver)
        targets.append(t)
    return targets


def _resolve_into(t: Target, name: str, resolver: dns.resolver.Resolver) -> None:
    import dns.exception  # lazy: dnspython costs start-up time

    try:
        found = resolve_addresses(name, resolver)
    except dns.exception.DNSException as exc:
        t.problem = Text(
            fr=f"le nom {name} n'a pas pu être résolu ({type(exc).__name__})",
            en=f"the name {name} could not be resolved ({type(exc).__name__})",
        )
        return
    for raw in found:
        try:
            addr = ipaddress.ip_address(raw)
        except ValueError:
            continue
        why = refusal(ipaddress.ip_network(addr))
        if why is not None:
            t.skipped.append({"ip": str(addr), "reason_fr": why.fr, "reason_en": why.en})
            continue
        ip = str(addr)
        if ip not in t.addresses:
            t.addresses.append(ip)
    if not t.addresses:
        if t.skipped:
            t.problem = Text(
                fr=f"le nom {name} ne pointe que vers des adresses qui ne peuvent pas être "
                f"scannées ({', '.join(s['ip'] for s in t.skipped)})",
                en=f"the name {name} only points to addresses that cannot be scanned "
                f"({', '.join(s['ip'] for s in t.skipped)})",
            )
        else:
            t.problem = Text(
                fr=f"le nom {name} n'a aucune adresse (A ou AAAA)",
                en=f"the name {name} has no address (A or AAAA)",
            )
