"""The only place that talks to DNS for the product: resolvers built from an explicit nameserver.

socket.getaddrinfo is never used: every name is resolved by us, through the nameserver(s) given
with --nameserver (or CYBERDIAG_NAMESERVER), else through the resolver the computer is
configured with (/etc/resolv.conf, read by dnspython: `choose_nameservers`), and connections are
made to IP addresses.

Network trouble (timeout, refused connection, SERVFAIL/REFUSED from our own resolver) is retried
once, then raised as `NotTested`: it is never reported as a failure of the checked domain.
Every lookup is bounded in time: by `timeout` per attempt and by the per-check budget that the
runner sets for the current thread (`budget`).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cyberdiag.errors import NotTested, UserError
from cyberdiag.net.budget import remaining
from cyberdiag.net.text import clean

if TYPE_CHECKING:  # dnspython is imported lazily (startup time)
    import dns.message
    import dns.resolver
    import dns.rrset

DEFAULT_TIMEOUT = 5.0
# DNS answers are content from strangers: cap what we keep of them.
MAX_RECORDS = 100
MAX_TEXT = 4096

NAMESERVER_ENV = "CYBERDIAG_NAMESERVER"


def nameservers_or_env(options: list[str] | None) -> list[str]:
    """The --nameserver values given, or else those of CYBERDIAG_NAMESERVER (comma or space
    separated); not validated (see parse_nameserver)."""
    servers = list(options or [])
    if not servers and os.environ.get(NAMESERVER_ENV):
        servers = [s for s in os.environ[NAMESERVER_ENV].replace(",", " ").split() if s]
    return servers


RESOLV_CONF = "/etc/resolv.conf"
RESOLV_CONF_ENV = "CYBERDIAG_RESOLV_CONF"  # another resolver configuration file (tests, containers)
SOURCE_OPTION, SOURCE_ENV, SOURCE_SYSTEM = "option", "env", "system"


def choose_nameservers(options: list[str] | None) -> tuple[list[str], str]:
    """(nameservers, where they come from): --nameserver, else CYBERDIAG_NAMESERVER, else the
    resolver this computer is configured with ("system"; empty when it has none). Still one
    resolver built by us (make_resolver), and connections to IP addresses."""
    if options:
        return list(options), SOURCE_OPTION
    servers = nameservers_or_env(None)
    if servers:
        return servers, SOURCE_ENV
    return system_nameservers(), SOURCE_SYSTEM


def system_nameservers() -> list[str]:
    """The resolvers of this computer's configuration (/etc/resolv.conf, read by dnspython),
    as IP[:PORT]; empty when there is none."""
    # lazy: start-up time (dnspython)
    import dns.resolver

    path = os.environ.get(RESOLV_CONF_ENV) or RESOLV_CONF
    try:
        configured = dns.resolver.Resolver(filename=path, configure=True).nameservers
    except (dns.resolver.NoResolverConfiguration, OSError, ValueError):
        return []
    out: list[str] = []
    for ns in configured:
        address, port = str(getattr(ns, "address", ns)), int(getattr(ns, "port", 53))
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:  # not an address: left out
            continue
        if port == 53:
            out.append(str(ip))
        else:
            out.append(f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}")
    return out


def resolver_label(nameservers: list[str], source: str, lang: str) -> str:
    """« résolveur du poste : 192.168.1.1 » / « serveur DNS indiqué : 9.9.9.9 » (empty when
    there is none)."""
    if not nameservers:
        return ""
    servers = ", ".join(nameservers)
    if source == SOURCE_SYSTEM:
        return f"system resolver: {servers}" if lang == "en" else f"résolveur du poste : {servers}"
    return f"DNS server given: {servers}" if lang == "en" else f"serveur DNS indiqué : {servers}"


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
    # lazy: start-up time (dnspython)
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
    """A and AAAA addresses of a host name through `resolver` (empty list if none).

    Raises dnspython's DNSException on trouble (callers such as the exposure scan rely on it).
    The checks use `lookup` (one retry, NotTested) through cyberdiag.checks.lookups instead."""
    # lazy: start-up time (dnspython)
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


def txt_string(rdata: Any) -> str:
    """The strings of one TXT record joined (RFC 7208 §3.3), decoded leniently."""
    raw = b"".join(rdata.strings)
    return raw.decode("utf-8", errors="replace")


def txt_texts(rdatas: list[Any]) -> list[str]:
    """The texts of a TXT RRset, at most MAX_RECORDS of them, records that start with "v="
    (SPF, DMARC, MTA-STS, TLS-RPT...) first: a name with hundreds of TXT records (site
    verifications) still shows its policy records. Memory stays bounded by the DNS message
    (64 KiB at most), which holds every record already."""
    texts = [txt_string(r) for r in rdatas]
    if len(texts) <= MAX_RECORDS:
        return texts
    tagged = [t for t in texts if t[:2].lower() == "v="]
    others = [t for t in texts if t[:2].lower() != "v="]
    return (tagged + others)[:MAX_RECORDS]


# ------------------------------------------------------------------------------------------
# DNS lookups
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DnsAnswer:
    """The outcome of one lookup through our resolver.

    status: "ok" (records present), "nodata" (name exists, no record of that type),
    "nxdomain", or "invalid" (a name that cannot be queried: too long, empty label).
    records: text of each record (TXT: strings joined, decoded), at most MAX_RECORDS.
    rrset: the dnspython RRset (None unless ok). ad: the resolver said the answer was
    validated (DNSSEC). rrsigs: RRSIG RRset covering the answer when asked with dnssec=True.
    """

    name: str
    rdtype: str
    status: str
    records: tuple[str, ...] = ()
    rrset: Any = None
    ad: bool = False
    rrsigs: Any = None
    canonical: str = ""
    truncated_count: int = 0
    authority: tuple[Any, ...] = field(default_factory=tuple)

    @property
    def void(self) -> bool:
        return self.status != "ok"


def _servers(resolver: dns.resolver.Resolver) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for ns in resolver.nameservers:
        if isinstance(ns, str):
            out.append((ns, 53))
        else:
            out.append((str(getattr(ns, "address", ns)), int(getattr(ns, "port", 53))))
    return out


def _trouble(name: str, rdtype: str, what_fr: str, what_en: str, server: str) -> NotTested:
    return NotTested(
        f"le serveur DNS {server} n'a pas répondu correctement pour {clean(name, 200)} "
        f"{rdtype} ({what_fr})",
        f"the DNS server {server} did not answer properly for {clean(name, 200)} {rdtype} "
        f"({what_en})",
        {"query": f"{clean(name, 200)} {rdtype}", "server": server, "error": what_en},
    )


def valid_query_name(name: str) -> bool:
    """Can `name` be put in a DNS query (≤ 255 bytes on the wire, labels 1..63 bytes)?"""
    # lazy: start-up time (dnspython)
    import dns.exception
    import dns.name

    try:
        dns.name.from_text(name)
    except (dns.exception.DNSException, ValueError, UnicodeError):
        return False
    return True


def query(
    servers: list[tuple[str, int]],
    name: str,
    rdtype: str,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    rd: bool = True,
    cd: bool = True,
    dnssec: bool = False,
    accept_refused: bool = False,
) -> dns.message.Message:
    """Send one query (UDP, TCP on truncation) to the servers in turn, with ONE retry.

    Returns the response for NOERROR and NXDOMAIN; raises NotTested on timeout, network error,
    SERVFAIL (and REFUSED unless accept_refused) from every server, twice.
    """
    # lazy: start-up time (dnspython)
    import dns.exception
    import dns.flags
    import dns.message
    import dns.query
    import dns.rcode

    try:
        q = dns.message.make_query(name, rdtype, want_dnssec=dnssec)
    except (dns.exception.DNSException, ValueError) as exc:
        raise NotTested(
            f"nom impossible à interroger : {clean(name, 200)}",
            f"name cannot be queried: {clean(name, 200)} ({exc})",
        ) from None
    q.flags = dns.flags.Flag(0)
    if rd:
        q.flags |= dns.flags.RD
    if cd:
        q.flags |= dns.flags.CD
    else:
        q.flags |= dns.flags.AD  # ask the resolver to tell us whether it validated (RFC 6840)
    last: NotTested | None = None
    for _attempt in range(2):
        for ip, port in servers:
            server = f"{ip}:{port}" if port != 53 else ip
            try:
                wait = remaining(timeout)
                resp, _tcp = dns.query.udp_with_fallback(q, ip, timeout=wait, port=port)
            except NotTested:
                raise
            except dns.exception.Timeout:
                last = _trouble(name, rdtype, "délai dépassé", "timeout", server)
                continue
            except (EOFError, ConnectionResetError):  # TCP closed (e.g. after a truncated answer)
                last = _trouble(name, rdtype, "connexion fermée", "connection closed", server)
                continue
            except (OSError, dns.exception.DNSException, ValueError) as exc:
                last = _trouble(
                    name, rdtype, f"erreur {type(exc).__name__}", type(exc).__name__, server
                )
                continue
            rcode = resp.rcode()
            if rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
                return resp
            if rcode == dns.rcode.REFUSED and accept_refused:
                return resp
            text = dns.rcode.to_text(rcode)
            last = _trouble(name, rdtype, f"réponse {text}", f"answer {text}", server)
    assert last is not None
    raise last


def lookup(
    resolver: dns.resolver.Resolver,
    name: str,
    rdtype: str,
    timeout: float | None = None,
    *,
    dnssec: bool = False,
    cd: bool = True,
) -> DnsAnswer:
    """Look `name`/`rdtype` up through our resolver (following CNAMEs as the resolver did).

    cd=True (default) asks the resolver not to withhold data that fails DNSSEC validation: the
    other checks still see the records; dns.dnssec judges validation itself.
    """
    # lazy: start-up time (dnspython)
    import dns.flags
    import dns.rcode
    import dns.rdatatype

    t = resolver.timeout if timeout is None else timeout
    if not valid_query_name(name):
        # A name that cannot exist (too long, empty label: hostile data) has no records.
        return DnsAnswer(name=name, rdtype=rdtype, status="invalid", canonical=name)
    resp = query(_servers(resolver), name, rdtype, t, cd=cd, dnssec=dnssec)
    ad = bool(resp.flags & dns.flags.AD)
    qtype = dns.rdatatype.from_text(rdtype)
    target = _final_name(resp, name, qtype)
    rrset = None
    for rr in resp.answer:
        if rr.name == target and rr.rdtype == qtype:
            rrset = rr
            break
    sigs = None
    if dnssec:
        for rr in resp.answer:
            if rr.name == target and rr.rdtype == dns.rdatatype.RRSIG and rr.covers == qtype:
                sigs = rr
                break
    if rrset is None:
        status = "nxdomain" if resp.rcode() == dns.rcode.NXDOMAIN else "nodata"
        return DnsAnswer(
            name=name,
            rdtype=rdtype,
            status=status,
            ad=ad,
            canonical=target.to_text(),
            authority=tuple(resp.authority),
        )
    items = list(rrset)
    if qtype == dns.rdatatype.TXT:
        texts = txt_texts(items)
    else:
        texts = [r.to_text() for r in items[:MAX_RECORDS]]
    return DnsAnswer(
        name=name,
        rdtype=rdtype,
        status="ok",
        records=tuple(texts),
        rrset=rrset,
        ad=ad,
        rrsigs=sigs,
        canonical=target.to_text(),
        truncated_count=max(0, len(items) - MAX_RECORDS),
    )



def _final_name(resp: dns.message.Message, name: str, qtype: Any) -> Any:
    """The name the answer is about: `name`, after the CNAME chain of the answer section
    (bounded; not followed when CNAME itself is asked)."""
    # lazy: start-up time (dnspython)
    import dns.name
    import dns.rdatatype

    try:
        target = dns.name.from_text(name)
    except Exception:  # noqa: BLE001 - validated by make_query already
        target = dns.name.root
    if qtype != dns.rdatatype.CNAME:
        for _ in range(16):
            nxt = next(
                (
                    rr[0].target
                    for rr in resp.answer
                    if rr.name == target and rr.rdtype == dns.rdatatype.CNAME and len(rr)
                ),
                None,
            )
            if nxt is None:
                break
            target = nxt
    return target

def direct_query(
    ip: str,
    name: str,
    rdtype: str,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    port: int = 53,
) -> dns.message.Message:
    """Ask one authoritative server directly (RD=0). Raises NotTested on network trouble;
    returns REFUSED/SERVFAIL answers too (an authoritative server's answer is data)."""
    # lazy: start-up time (dnspython)
    import dns.exception
    import dns.flags
    import dns.message
    import dns.query

    q = dns.message.make_query(name, rdtype)
    q.flags = dns.flags.Flag(0)
    last: NotTested | None = None
    for _attempt in range(2):
        try:
            resp, _tcp = dns.query.udp_with_fallback(q, ip, timeout=remaining(timeout), port=port)
            return resp
        except NotTested:
            raise
        except dns.exception.Timeout:
            last = _trouble(name, rdtype, "délai dépassé", "timeout", ip)
        except (EOFError, ConnectionResetError):  # TCP closed (e.g. after a truncated answer)
            last = _trouble(name, rdtype, "connexion fermée", "connection closed", ip)
        except (OSError, dns.exception.DNSException, ValueError) as exc:
            last = _trouble(name, rdtype, f"erreur {type(exc).__name__}", type(exc).__name__, ip)
    assert last is not None
    raise last


def try_axfr(ip: str, zone: str, timeout: float = DEFAULT_TIMEOUT, *, port: int = 53) -> int:
    """Ask `ip` for a zone transfer; returns the number of records in the first message
    (> 0: the transfer is open), 0 if refused. Reads one message only (bounded).
    Raises NotTested on network trouble."""
    # lazy: start-up time (dnspython)
    import dns.exception
    import dns.message
    import dns.query
    import dns.rcode

    q = dns.message.make_query(zone, "AXFR")
    wait = remaining(timeout)
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(wait)
            sock.connect((ip, port))
            dns.query.send_tcp(sock, q, expiration=time.time() + wait)
            resp, _ = dns.query.receive_tcp(sock, expiration=time.time() + wait)
    except dns.exception.Timeout:
        raise _trouble(zone, "AXFR", "délai dépassé", "timeout", ip) from None
    except (ConnectionResetError, EOFError):
        return 0  # the server hung up: transfer refused
    except (OSError, dns.exception.DNSException) as exc:
        raise _trouble(
            zone, "AXFR", f"erreur {type(exc).__name__}", type(exc).__name__, ip
        ) from None
    if resp.rcode() != dns.rcode.NOERROR:
        return 0
    return sum(len(rr) for rr in resp.answer)


