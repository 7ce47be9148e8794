"""Opt-in exposure scan of the municipality's own addresses, safe by construction.

Layers (each one a plain function, I/O at the edges):
- scope: `parse_entry` validates one entry of `profile.public_addresses` (IPv4/IPv6 address,
  CIDR no wider than /24 or /120 unless `allow_wide_ranges`, RFC 1123 host name) and refuses
  anything else, special-purpose ranges included, before any packet is sent;
- targets: `expand_targets` turns the validated entries into IP addresses (host names resolved
  through the configured nameserver only);
- ports: `load_port_catalogue` / `parse_ports` build the port list from integers;
- scan: `run_scan` runs nmap through python-nmap (imported lazily), chunk by chunk, with fixed
  arguments. nmap only ever receives `str(ipaddress.ip_address(...))` values generated here and a
  port list built from integers: nothing a user typed reaches its command line;
- results: `build_results` turns the scan into `exposure.risky_services` and
  `exposure.open_ports` CheckResults (one pair per declared target).
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from cyberdiag.errors import UserError
from cyberdiag.models import CheckResult, CheckRun, PortCatalogue, PortInfo, Profile, Text

if TYPE_CHECKING:
    from datetime import datetime

    import dns.resolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

RISKY_ID = "exposure.risky_services"
OPEN_ID = "exposure.open_ports"
CHECK_IDS = (RISKY_ID, OPEN_ID)

# Widest ranges accepted without / with `allow_wide_ranges` in the profile.
MAX_PREFIX_V4, MAX_PREFIX_V6 = 24, 120
WIDE_PREFIX_V4, WIDE_PREFIX_V6 = 16, 112

# Addresses handed to one nmap run (progress is reported after each run): 16, or about 1 % of
# the addresses for wide scopes (at most 256), so that starting nmap does not dominate.
CHUNK_SIZE = 16
MAX_CHUNK_SIZE = 256
HOST_TIMEOUT = 120  # seconds, per address (nmap --host-timeout)
HOST_TIMEOUT_VERSIONS = 300  # with --service-versions

# nmap's 100 most frequent TCP ports (nmap-services of nmap 7.93, the `--top-ports 100` list),
# written out so that the list is explicit and stable across nmap versions.
TOP100 = (
    7, 9, 13, 21, 22, 23, 25, 26, 37, 53, 79, 80, 81, 88, 106, 110, 111, 113, 119, 135, 139, 143,
    144, 179, 199, 389, 427, 443, 444, 445, 465, 513, 514, 515, 543, 544, 548, 554, 587, 631, 646,
    873, 990, 993, 995, 1025, 1026, 1027, 1028, 1029, 1110, 1433, 1720, 1723, 1755, 1900, 2000,
    2001, 2049, 2121, 2717, 3000, 3128, 3306, 3389, 3986, 4899, 5000, 5009, 5051, 5060, 5101,
    5190, 5357, 5432, 5631, 5666, 5800, 5900, 6000, 6001, 6646, 7070, 8000, 8008, 8009, 8080,
    8081, 8443, 8888, 9100, 9999, 10000, 32768, 49152, 49153, 49154, 49155, 49156, 49157,
)  # fmt: skip

INSTALL_HINT = Text(
    fr="installez nmap : « apt-get install nmap » (Debian, Ubuntu), « dnf install nmap » "
    "(Fedora, RHEL) ou l'installateur Windows de https://nmap.org/download.html (cochez "
    "Npcap), puis relancez la commande",
    en="install nmap: `apt-get install nmap` (Debian, Ubuntu), `dnf install nmap` (Fedora, "
    "RHEL) or the Windows installer from https://nmap.org/download.html (tick Npcap), then "
    "run the command again",
)

# --------------------------------------------------------------------------------------------
# Scope: what may be scanned
# --------------------------------------------------------------------------------------------

_V4_REFUSED: tuple[tuple[str, str, str], ...] = (
    ("0.0.0.0/8", "réseau « this network » (0.0.0.0/8)", "'this network' range (0.0.0.0/8)"),
    ("10.0.0.0/8", "adresse privée (10.0.0.0/8)", "private address (10.0.0.0/8)"),
    ("100.64.0.0/10", "adresse partagée d'opérateur (100.64.0.0/10)",
     "carrier-grade NAT address (100.64.0.0/10)"),
    ("169.254.0.0/16", "adresse locale au lien (169.254.0.0/16)",
     "link-local address (169.254.0.0/16)"),
    ("172.16.0.0/12", "adresse privée (172.16.0.0/12)", "private address (172.16.0.0/12)"),
    ("192.0.0.0/24", "plage réservée IETF (192.0.0.0/24)", "IETF reserved range (192.0.0.0/24)"),
    ("192.0.2.0/24", "adresse de documentation (192.0.2.0/24)",
     "documentation address (192.0.2.0/24)"),
    ("192.168.0.0/16", "adresse privée (192.168.0.0/16)", "private address (192.168.0.0/16)"),
    ("198.18.0.0/15", "plage de tests de performance (198.18.0.0/15)",
     "benchmarking range (198.18.0.0/15)"),
    ("198.51.100.0/24", "adresse de documentation (198.51.100.0/24)",
     "documentation address (198.51.100.0/24)"),
    ("203.0.113.0/24", "adresse de documentation (203.0.113.0/24)",
     "documentation address (203.0.113.0/24)"),
    ("224.0.0.0/4", "adresse de multidiffusion (224.0.0.0/4)", "multicast address (224.0.0.0/4)"),
    ("240.0.0.0/4", "plage réservée ou diffusion (240.0.0.0/4, 255.255.255.255)",
     "reserved or broadcast range (240.0.0.0/4, 255.255.255.255)"),
)  # fmt: skip
_V6_REFUSED: tuple[tuple[str, str, str], ...] = (
    ("::/128", "adresse non spécifiée (::)", "unspecified address (::)"),
    ("::ffff:0:0/96", "adresse IPv4 transposée (::ffff:0:0/96) : indiquez l'adresse IPv4",
     "IPv4-mapped address (::ffff:0:0/96): give the IPv4 address"),
    ("2001:db8::/32", "adresse de documentation (2001:db8::/32)",
     "documentation address (2001:db8::/32)"),
    ("fc00::/7", "adresse privée (fc00::/7)", "private address (fc00::/7)"),
    ("fe80::/10", "adresse locale au lien (fe80::/10)", "link-local address (fe80::/10)"),
    ("ff00::/8", "adresse de multidiffusion (ff00::/8)", "multicast address (ff00::/8)"),
)  # fmt: skip


@cache
def _refused_networks() -> tuple[tuple[IPNetwork, Text], ...]:
    return tuple(
        (ipaddress.ip_network(net), Text(fr=fr, en=en)) for net, fr, en in _V4_REFUSED + _V6_REFUSED
    )


def refusal(net: IPNetwork) -> Text | None:
    """Why `net` (an address is a /32 or /128) may not be scanned, or None.

    Loopback (127.0.0.0/8, ::1) is allowed: it only reaches the machine running cyberdiag (the
    demo and the tests use it). Private, shared, link-local, documentation, multicast, reserved
    and broadcast ranges are refused: they are not a municipality's public addresses, and scanning
    them from a laptop would probe whatever network the laptop happens to sit on.
    """
    for bad, why in _refused_networks():
        if bad.version == net.version and net.overlaps(bad):
            return why
    return None


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _hostname(text: str) -> str | None:
    """The RFC 1123 host name in ASCII (IDN converted to punycode), or None if not one."""
    name = text.rstrip(".")
    if not name or any(c.isspace() for c in name):
        return None
    try:
        name = name.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        return None
    if labels[-1].isdigit():  # "127.1", "10.0.0.300": malformed addresses, not names
        return None
    return name


@dataclass(frozen=True)
class Entry:
    """One validated entry of the profile's public_addresses."""

    text: str
    kind: Literal["address", "network", "hostname"]
    network: IPNetwork | None = None
    hostname: str | None = None

    def size(self) -> int:
        return self.network.num_addresses if self.network is not None else 0


def _refuse(entry: str, fr: str, en: str) -> UserError:
    return UserError(
        f"Cible refusée « {entry} » : {fr}. Rien n'a été envoyé.",
        f"Target refused '{entry}': {en}. Nothing was sent.",
    )


def parse_entry(raw: object, allow_wide_ranges: bool = False) -> Entry:
    """Validate one declared target; raise UserError (before any packet) if it is refused."""
    if not isinstance(raw, str):
        raise _refuse(str(raw), "ce n'est pas du texte", "not a text value")
    text = raw.strip()
    shown = "".join(c if c.isprintable() else "?" for c in text[:80])
    if not text:
        raise _refuse(shown, "valeur vide", "empty value")
    if "%" in text:
        raise _refuse(shown, "identifiant de zone IPv6 (%…) refusé", "IPv6 zone id (%…) refused")
    if "/" in text:
        try:
            net = ipaddress.ip_network(text, strict=True)
        except ValueError as exc:
            hint_fr, hint_en = "notation CIDR invalide", "invalid CIDR notation"
            if "host bits set" in str(exc):
                base = ipaddress.ip_network(text, strict=False)
                hint_fr = f"des bits d'hôte sont positionnés : vouliez-vous dire {base} ?"
                hint_en = f"host bits are set: did you mean {base}?"
            raise _refuse(shown, hint_fr, hint_en) from None
        narrowest, widest = (
            (MAX_PREFIX_V4, WIDE_PREFIX_V4) if net.version == 4 else (MAX_PREFIX_V6, WIDE_PREFIX_V6)
        )
        limit = widest if allow_wide_ranges else narrowest
        if net.prefixlen < limit:
            if allow_wide_ranges or net.prefixlen < widest:
                raise _refuse(
                    shown,
                    f"plage trop large (/{net.prefixlen}) : au plus /{widest}, même avec "
                    "allow_wide_ranges",
                    f"range too wide (/{net.prefixlen}): at most /{widest}, even with "
                    "allow_wide_ranges",
                )
            raise _refuse(
                shown,
                f"plage trop large (/{net.prefixlen}) : au plus /{narrowest}, sauf si le profil "
                "indique allow_wide_ranges: true",
                f"range too wide (/{net.prefixlen}): at most /{narrowest} unless the profile "
                "sets allow_wide_ranges: true",
            )
        why = refusal(net)
        if why is not None:
            raise _refuse(shown, why.fr, why.en)
        return Entry(text=text, kind="network", network=net)
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        addr = None
    if addr is not None:
        net = ipaddress.ip_network(addr)
        why = refusal(net)
        if why is not None:
            raise _refuse(shown, why.fr, why.en)
        return Entry(text=text, kind="address", network=net)
    name = _hostname(text)
    if name is None:
        raise _refuse(
            shown,
            "ce n'est ni une adresse IPv4/IPv6, ni une plage CIDR, ni un nom d'hôte valide "
            "(lettres, chiffres, tirets et points seulement)",
            "neither an IPv4/IPv6 address, a CIDR range nor a valid host name (letters, digits, "
            "hyphens and dots only)",
        )
    return Entry(text=text, kind="hostname", hostname=name)


def declared_scope(profile: Profile) -> list[Entry]:
    """Every entry of profile.public_addresses, validated; all mistakes reported at once."""
    if not profile.public_addresses:
        raise UserError(
            "Le profil ne déclare aucune adresse publique (public_addresses) : rien à scanner.",
            "The profile declares no public address (public_addresses): nothing to scan.",
        )
    entries: list[Entry] = []
    errors: list[UserError] = []
    seen: set[object] = set()
    for raw in profile.public_addresses:
        try:
            entry = parse_entry(raw, profile.allow_wide_ranges)
        except UserError as exc:
            errors.append(exc)
            continue
        key = entry.network if entry.network is not None else entry.hostname
        if key not in seen:  # the same address written twice is scanned and reported once
            seen.add(key)
            entries.append(entry)
    if errors:
        if len(errors) == 1:
            raise errors[0]
        raise UserError(
            f"{len(errors)} cibles refusées dans public_addresses. Rien n'a été envoyé.",
            f"{len(errors)} targets refused in public_addresses. Nothing was sent.",
            lines=[f"{e.fr} / {e.en}" for e in errors],
        )
    return entries


def restrict_scope(entries: Sequence[Entry], wanted: Iterable[str]) -> list[Entry]:
    """Keep only the parts of the declared scope named by `wanted` (the --target option).

    Each wanted value must be a declared host name, or an address/range inside a declared
    address or range; anything else is out of scope and refused before any packet.
    """
    kept: list[Entry] = []
    for raw in wanted:
        want = parse_entry(raw, allow_wide_ranges=True)
        match: Entry | None = None
        for e in entries:
            if want.kind == "hostname" and e.kind == "hostname" and e.hostname == want.hostname:
                match = e
            elif (
                want.network is not None
                and e.network is not None
                and want.network.version == e.network.version
                and want.network.subnet_of(e.network)  # type: ignore[arg-type]
            ):
                match = want if want.network != e.network else e
            if match is not None:
                break
        if match is None:
            shown = raw.strip()[:80]
            raise UserError(
                f"Cible hors périmètre « {shown} » : elle ne figure pas dans les adresses "
                "publiques déclarées par le profil (public_addresses). Rien n'a été envoyé.",
                f"Out-of-scope target '{shown}': it is not among the public addresses declared "
                "in the profile (public_addresses). Nothing was sent.",
            )
        if match not in kept:
            kept.append(match)
    return kept


# --------------------------------------------------------------------------------------------
# Targets: declared entries -> IP addresses
# --------------------------------------------------------------------------------------------


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
    import dns.exception

    from cyberdiag.net import resolve_addresses

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


# --------------------------------------------------------------------------------------------
# Ports
# --------------------------------------------------------------------------------------------


def load_port_catalogue() -> PortCatalogue:
    """checks/ports.yaml, validated (unique ports, known categories)."""
    import yaml
    from pydantic import ValidationError

    from cyberdiag.resources import data_file

    path = data_file("checks", "ports.yaml")
    try:
        with open(path, encoding="utf-8") as fh:
            cat = PortCatalogue.model_validate(yaml.safe_load(fh))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise UserError(
            f"Catalogue des ports illisible ({path}) : {exc}",
            f"Unreadable port catalogue ({path}): {exc}",
        ) from None
    seen: set[int] = set()
    for p in cat.ports:
        if p.port in seen:
            raise UserError(
                f"{path} › port {p.port} : en double.", f"{path} › port {p.port}: duplicated."
            )
        seen.add(p.port)
        if cat.categories and p.category not in cat.categories:
            raise UserError(
                f"{path} › port {p.port} › category : « {p.category} » inconnue.",
                f"{path} › port {p.port} › category: unknown '{p.category}'.",
            )
    return cat


_PORT_TOKEN = re.compile(r"^(\d{1,5})(?:-(\d{1,5}))?$")


def parse_ports(spec: str, catalogue: PortCatalogue) -> list[int]:
    """'risky', 'top100' or a comma-separated list of ports and ranges (may mix the keywords).

    top100 = the risky ports of the catalogue + nmap's 100 most frequent TCP ports.
    """
    ports: set[int] = set()
    risky = {p.port for p in catalogue.ports if p.risky}
    for token in (t.strip().lower() for t in spec.split(",")):
        if token == "risky":
            ports |= risky
            continue
        if token == "top100":
            ports |= risky | set(TOP100)
            continue
        m = _PORT_TOKEN.match(token)
        lo = int(m.group(1)) if m else 0
        hi = int(m.group(2) or lo) if m else 0
        if not m or not 1 <= lo <= hi <= 65535:
            raise UserError(
                f"Ports invalides « {spec[:80]} » : attendu risky, top100 ou une liste de ports "
                "et de plages entre 1 et 65535 séparés par des virgules (ex. 22,80,8000-8010).",
                f"Invalid ports '{spec[:80]}': expected risky, top100 or a comma-separated list "
                "of ports and ranges between 1 and 65535 (e.g. 22,80,8000-8010).",
            )
        ports.update(range(lo, hi + 1))
    return sorted(ports)


def port_spec(ports: Sequence[int]) -> str:
    """Integers -> nmap's compact syntax ('21-23,80'), built only from ints."""
    out: list[str] = []
    values = sorted({int(p) for p in ports})
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        out.append(str(values[i]) if i == j else f"{values[i]}-{values[j]}")
        i = j + 1
    return ",".join(out)


# --------------------------------------------------------------------------------------------
# Scan
# --------------------------------------------------------------------------------------------


@dataclass
class OpenPort:
    ip: str
    port: int
    nmap_service: str = ""
    product: str = ""
    version: str = ""
    extrainfo: str = ""


@dataclass
class HostOutcome:
    """What happened to one address."""

    state: Literal["scanned", "timeout", "error", "interrupted", "not_run"]
    open_ports: list[OpenPort] = field(default_factory=list)
    reason: Text | None = None


@dataclass
class ScanOutcome:
    hosts: dict[str, HostOutcome] = field(default_factory=dict)
    interrupted: bool = False
    # Set when nmap could not be run at all (missing, broken): every address is not_tested.
    nmap_problem: Text | None = None
    nmap_version: str = ""
    arguments: str = ""
    duration: float = 0.0
    # Seconds spent scanning each target (by label).
    durations: dict[str, float] = field(default_factory=dict)


def find_nmap() -> str | None:
    """Path of the nmap executable on PATH, or None (python-nmap's own fallback list of
    absolute paths is not used: the user's PATH decides)."""
    return shutil.which("nmap")


def nmap_arguments(service_versions: bool, host_timeout: int, ipv6: bool = False) -> str:
    """The fixed nmap arguments: connect scan, no DNS, no ping, bounded timing."""
    args = ["-sT", "-n", "-Pn", "-T4", "--max-retries", "1", "--host-timeout", f"{host_timeout}s"]
    if service_versions:
        args.append("-sV")
    if ipv6:
        args.append("-6")
    return " ".join(args)


ProgressFn = Callable[[str, int], None]
"""Called after each nmap run with (target label, number of addresses just done)."""


def run_scan(
    targets: Sequence[Target],
    ports: Sequence[int],
    *,
    service_versions: bool = False,
    host_timeout: int | None = None,
    on_progress: ProgressFn | None = None,
    nmap_path: str | None = None,
    chunk_size: int | None = None,
) -> ScanOutcome:
    """Scan every target's addresses, chunk by chunk, in order. Never raises for nmap trouble.

    Ctrl-C (KeyboardInterrupt, also when raised by `on_progress`) stops the scan: what was
    scanned is kept, the rest is marked 'interrupted', and `outcome.interrupted` is set.
    """
    t0 = time.perf_counter()
    outcome = ScanOutcome()
    timeout = host_timeout or (HOST_TIMEOUT_VERSIONS if service_versions else HOST_TIMEOUT)
    outcome.arguments = nmap_arguments(service_versions, timeout)
    all_ips = [ip for t in targets for ip in t.addresses]
    if chunk_size is None:
        chunk_size = min(MAX_CHUNK_SIZE, max(CHUNK_SIZE, len(set(all_ips)) // 100))
    try:
        scanner, nmap_mod = _open_scanner(nmap_path or find_nmap(), outcome)
        if scanner is None:
            for ip in all_ips:
                outcome.hosts[ip] = HostOutcome("not_run", reason=outcome.nmap_problem)
        else:
            _scan_targets(
                scanner,
                nmap_mod,
                targets,
                ports,
                service_versions,
                timeout,
                on_progress,
                chunk_size,
                outcome,
            )
    except KeyboardInterrupt:
        outcome.interrupted = True
        why = Text(
            fr="scan interrompu avant cette adresse (interrupted)",
            en="scan interrupted before this address (interrupted)",
        )
        for ip in all_ips:
            if ip not in outcome.hosts:
                outcome.hosts[ip] = HostOutcome("interrupted", reason=why)
    outcome.duration = round(time.perf_counter() - t0, 3)
    return outcome


def _open_scanner(path: str | None, outcome: ScanOutcome) -> tuple[Any, Any]:
    """(PortScanner bound to `path`, the nmap module), or (None, None) with nmap_problem set."""
    if path is None:
        outcome.nmap_problem = Text(
            fr="nmap est introuvable (absent du PATH) : " + INSTALL_HINT.fr,
            en="nmap was not found (not on PATH): " + INSTALL_HINT.en,
        )
        return None, None
    try:
        import nmap

        scanner = nmap.PortScanner(nmap_search_path=(path,))
        major, minor = scanner.nmap_version()
        outcome.nmap_version = f"{major}.{minor}"
        return scanner, nmap
    except ImportError:
        outcome.nmap_problem = Text(
            fr="le module Python python-nmap est absent : pip install python-nmap",
            en="the python-nmap Python module is missing: pip install python-nmap",
        )
    except Exception as exc:  # nmap.PortScannerError, OSError: a broken nmap
        outcome.nmap_problem = Text(
            fr=f"nmap ne fonctionne pas ({_short(exc)}) : " + INSTALL_HINT.fr,
            en=f"nmap does not work ({_short(exc)}): " + INSTALL_HINT.en,
        )
    return None, None


def _scan_targets(
    scanner: Any,
    nmap_mod: Any,
    targets: Sequence[Target],
    ports: Sequence[int],
    service_versions: bool,
    timeout: int,
    on_progress: ProgressFn | None,
    chunk_size: int,
    outcome: ScanOutcome,
) -> None:
    """Targets in order; IPv4 and IPv6 addresses in separate nmap runs (-6), by chunks."""
    pspec = port_spec(ports)
    for t in targets:
        t_start = time.perf_counter()
        todo = [ip for ip in dict.fromkeys(t.addresses) if ip not in outcome.hosts]
        by_family = [[ip for ip in todo if ":" not in ip], [ip for ip in todo if ":" in ip]]
        for family, ips in enumerate(by_family):
            args = nmap_arguments(service_versions, timeout, ipv6=family == 1)
            for start in range(0, len(ips), chunk_size):
                chunk = ips[start : start + chunk_size]
                _scan_chunk(scanner, nmap_mod, chunk, pspec, args, timeout, outcome)
                outcome.durations[t.label] = round(time.perf_counter() - t_start, 4)
                if on_progress is not None:
                    on_progress(t.label, len(chunk))


def _short(exc: BaseException) -> str:
    value = getattr(exc, "value", None)  # python-nmap's errors: str() is a repr of .value
    raw = value if isinstance(value, str) else str(exc)
    text = " ".join(raw.split()) or type(exc).__name__
    return text[:300]


def _scan_chunk(
    scanner: Any,
    nmap_mod: Any,
    chunk: list[str],
    pspec: str,
    args: str,
    host_timeout: int,
    outcome: ScanOutcome,
) -> None:
    # Every value below was generated by this module: validated IP addresses re-serialised by
    # ipaddress, a port list built from ints, fixed arguments.
    hosts = " ".join(str(ipaddress.ip_address(ip)) for ip in chunk)
    wall = host_timeout * 2 + 60
    try:
        data = scanner.scan(hosts=hosts, ports=pspec, arguments=args, timeout=wall)
    except nmap_mod.PortScannerError as exc:
        why = Text(fr=f"échec de nmap : {_short(exc)}", en=f"nmap failed: {_short(exc)}")
        for ip in chunk:
            outcome.hosts[ip] = HostOutcome("error", reason=why)
        return
    scan = data.get("scan", {}) if isinstance(data, dict) else {}
    for ip in chunk:
        host = scan.get(ip)
        if not isinstance(host, dict):
            outcome.hosts[ip] = HostOutcome(
                "timeout",
                reason=Text(
                    fr=f"pas de réponse complète dans le délai imparti ({host_timeout} s)",
                    en=f"no complete answer within the time limit ({host_timeout} s)",
                ),
            )
            continue
        found: list[OpenPort] = []
        for port, info in sorted((host.get("tcp") or {}).items()):
            if not isinstance(info, dict) or info.get("state") != "open":
                continue
            found.append(
                OpenPort(
                    ip=ip,
                    port=int(port),
                    nmap_service=str(info.get("name") or ""),
                    product=str(info.get("product") or ""),
                    version=str(info.get("version") or ""),
                    extrainfo=str(info.get("extrainfo") or ""),
                )
            )
        outcome.hosts[ip] = HostOutcome("scanned", open_ports=found)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------

FAIL_SEVERITIES = ("high", "critical")


def _service_evidence(op: OpenPort, info: PortInfo | None, versions: bool) -> dict[str, Any]:
    ev: dict[str, Any] = {"ip": op.ip, "port": op.port}
    if info is not None:
        ev.update(
            service=info.service,
            category=info.category,
            severity=info.severity,
            risky=info.risky,
            title=info.title.model_dump(),
        )
    else:
        ev.update(service=op.nmap_service or "unknown", category=None, risky=False)
    if versions:
        ev.update(product=op.product, version=op.version, extrainfo=op.extrainfo)
    return ev


def _where(op: OpenPort) -> str:
    return f"[{op.ip}]:{op.port}" if ":" in op.ip else f"{op.ip}:{op.port}"


def _listing(fr_items: list[str], en_items: list[str], limit: int = 6) -> tuple[str, str]:
    """'a ; b ; et 3 autre(s)' / 'a; b; and 3 more'."""
    rest = len(fr_items) - limit
    fr = " ; ".join(fr_items[:limit]) + (f" ; et {rest} autre(s)" if rest > 0 else "")
    en = "; ".join(en_items[:limit]) + (f"; and {rest} more" if rest > 0 else "")
    return fr, en


def build_results(
    targets: Sequence[Target],
    outcome: ScanOutcome,
    catalogue: PortCatalogue,
    ports: Sequence[int],
    service_versions: bool = False,
) -> list[CheckResult]:
    """Two results per declared target: exposure.risky_services and exposure.open_ports."""
    by_port = {p.port: p for p in catalogue.ports}
    results: list[CheckResult] = []
    for t in targets:
        base: dict[str, Any] = {"target": t.label, "addresses": list(t.addresses)}
        if t.skipped:
            base["skipped"] = list(t.skipped)
        if t.problem is not None:
            results.extend(_not_tested(t.label, t.problem, base))
            continue
        states = {ip: outcome.hosts.get(ip, HostOutcome("not_run")) for ip in t.addresses}
        done = [ip for ip, h in states.items() if h.state == "scanned"]
        missing = [
            {
                "ip": ip,
                "state": h.state,
                "reason_fr": h.reason.fr if h.reason else "",
                "reason_en": h.reason.en if h.reason else "",
            }
            for ip, h in states.items()
            if h.state != "scanned"
        ]
        base.update(
            ports_scanned=len(ports),
            ports=port_spec(ports),
            scanned=len(done),
            nmap={"version": outcome.nmap_version, "arguments": outcome.arguments},
        )
        if missing:
            base["not_scanned"] = missing
        if not done:
            first = next((h.reason for h in states.values() if h.reason is not None), None)
            why = first or Text(fr="aucune adresse scannée", en="no address scanned")
            results.extend(_not_tested(t.label, why, base))
            continue
        opened = [op for ip in done for op in states[ip].open_ports]
        risky = [op for op in opened if op.port in by_port and by_port[op.port].risky]
        others = [op for op in opened if op not in risky]
        incomplete = bool(missing)
        partial = _partial_reason(missing, len(t.addresses))
        duration = outcome.durations.get(t.label, 0.0)
        results.append(
            _risky_result(t.label, risky, by_port, base, service_versions, partial).model_copy(
                update={"duration": duration}
            )
        )
        results.append(
            _open_result(
                t.label, others, by_port, base, service_versions, partial, incomplete
            ).model_copy(update={"duration": duration})
        )
    return results


def _s(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _partial_reason(missing: list[dict[str, str]], total: int) -> Text | None:
    if not missing:
        return None
    first_fr = missing[0]["reason_fr"] or missing[0]["state"]
    first_en = missing[0]["reason_en"] or missing[0]["state"]
    return Text(
        fr=f"{len(missing)} {_s(len(missing), 'adresse', 'adresses')} sur {total} "
        f"{_s(len(missing), 'non scannée', 'non scannées')} : {first_fr}",
        en=f"{len(missing)} of {total} {_s(total, 'address', 'addresses')} not scanned: {first_en}",
    )


def _not_tested(label: str, why: Text, evidence: dict[str, Any]) -> list[CheckResult]:
    return [
        CheckResult(
            id=cid,
            target=label,
            status="not_tested",
            message=Text(fr="Non testé : " + why.fr, en="Not tested: " + why.en),
            evidence=dict(evidence),
            reason=why,
        )
        for cid in CHECK_IDS
    ]


def _risky_result(
    label: str,
    risky: list[OpenPort],
    by_port: dict[int, PortInfo],
    base: dict[str, Any],
    versions: bool,
    partial: Text | None,
) -> CheckResult:
    evidence = dict(
        base, services=[_service_evidence(op, by_port[op.port], versions) for op in risky]
    )
    if not risky:
        if partial is not None:  # nothing found, but not everything was looked at
            return CheckResult(
                id=RISKY_ID,
                target=label,
                status="not_tested",
                message=Text(fr="Non testé : " + partial.fr, en="Not tested: " + partial.en),
                evidence=evidence,
                reason=partial,
            )
        return CheckResult(
            id=RISKY_ID,
            target=label,
            status="pass",
            message=Text(
                fr="Aucun service à risque accessible (bureau à distance, partage de fichiers, "
                "base de données, administration…) sur les ports scannés.",
                en="No risky service reachable (remote desktop, file sharing, database, "
                "administration…) on the scanned ports.",
            ),
            evidence=evidence,
        )
    severe = any(by_port[op.port].severity in FAIL_SEVERITIES for op in risky)
    fr_list, en_list = _listing(
        [f"{by_port[op.port].title.fr} sur {_where(op)}" for op in risky],
        [f"{by_port[op.port].title.en} on {_where(op)}" for op in risky],
    )
    n = len(risky)
    svc_fr, acc = _s(n, "service", "services"), _s(n, "accessible", "accessibles")
    svc_en = _s(n, "service", "services")
    fr = (
        f"{n} {svc_fr} à risque {acc} depuis Internet : {fr_list}."
        if severe
        else f"{n} {svc_fr} d'administration {acc} depuis Internet, à restreindre : {fr_list}."
    )
    en = (
        f"{n} risky {svc_en} reachable from the Internet: {en_list}."
        if severe
        else f"{n} administration {svc_en} reachable from the Internet, to be restricted: "
        f"{en_list}."
    )
    if partial is not None:
        fr += f" (Scan incomplet : {partial.fr}.)"
        en += f" (Incomplete scan: {partial.en}.)"
        evidence["incomplete"] = True
    return CheckResult(
        id=RISKY_ID,
        target=label,
        status="fail" if severe else "warn",
        message=Text(fr=fr, en=en),
        evidence=evidence,
    )


def _open_result(
    label: str,
    others: list[OpenPort],
    by_port: dict[int, PortInfo],
    base: dict[str, Any],
    versions: bool,
    partial: Text | None,
    incomplete: bool,
) -> CheckResult:
    evidence = dict(
        base, open_ports=[_service_evidence(op, by_port.get(op.port), versions) for op in others]
    )
    unknown = [op for op in others if op.port not in by_port]
    known = [op for op in others if op.port in by_port]
    if not unknown and partial is not None:  # nothing to warn about, but not all was seen
        return CheckResult(
            id=OPEN_ID,
            target=label,
            status="not_tested",
            message=Text(fr="Non testé : " + partial.fr, en="Not tested: " + partial.en),
            evidence=evidence,
            reason=partial,
        )
    if not others:
        fr = "Aucun autre port ouvert parmi les ports scannés."
        en = "No other open port among the scanned ports."
    elif not unknown:
        fr_l, en_l = _listing(
            [f"{by_port[op.port].title.fr} ({_where(op)})" for op in known],
            [f"{by_port[op.port].title.en} ({_where(op)})" for op in known],
        )
        fr = f"Services habituels ouverts : {fr_l}. Vérifiez qu'ils sont voulus et à jour."
        en = f"Usual services open: {en_l}. Check that they are intended and up to date."
    else:
        items = [
            _where(op) + (f" ({op.nmap_service})" if op.nmap_service else "") for op in unknown
        ]
        fr_l, en_l = _listing(items, items)
        n = len(unknown)
        fr = (
            f"{n} {_s(n, 'port ouvert non répertorié', 'ports ouverts non répertoriés')} : "
            f"{fr_l}. Chacun doit être connu et voulu par la commune et son prestataire."
        )
        en = (
            f"{n} open {_s(n, 'port', 'ports')} not in the catalogue: {en_l}. Each one must be "
            "known and intended by the municipality and its IT provider."
        )
    if incomplete and partial is not None:
        fr += f" (Scan incomplet : {partial.fr}.)"
        en += f" (Incomplete scan: {partial.en}.)"
        evidence["incomplete"] = True
    return CheckResult(
        id=OPEN_ID,
        target=label,
        status="warn" if unknown else "pass",
        message=Text(fr=fr, en=en),
        evidence=evidence,
    )


# --------------------------------------------------------------------------------------------
# Whole run
# --------------------------------------------------------------------------------------------


def make_run(
    results: list[CheckResult],
    outcome: ScanOutcome,
    started: datetime,
    nameservers: Sequence[str] = (),
) -> CheckRun:
    """The file `cyberdiag scan -o` writes (read by `cyberdiag score --checks`)."""
    from cyberdiag import __version__

    return CheckRun(
        kind="scan",
        tool_version=__version__,
        started_at=started,
        nameservers=list(nameservers),
        results=results,
        interrupted=outcome.interrupted,
    )


def scan_profile(
    profile: Profile,
    ports: str = "risky",
    *,
    nameservers: Sequence[str] = (),
    service_versions: bool = False,
    on_progress: ProgressFn | None = None,
) -> tuple[CheckRun, ScanOutcome]:
    """Programmatic scan of a profile's declared scope (demo, lab, workshops): validate, resolve,
    scan, build the results. Raises UserError for a refused scope before anything is sent.

    The caller is responsible for the authorisation: the `scan` command asks for it.
    """
    from datetime import UTC, datetime

    from cyberdiag.net import make_resolver

    catalogue = load_port_catalogue()
    port_list = parse_ports(ports, catalogue)
    entries = declared_scope(profile)
    resolver = make_resolver(list(nameservers)) if nameservers else None
    targets = expand_targets(entries, resolver)
    started = datetime.now(UTC)
    outcome = run_scan(
        targets, port_list, service_versions=service_versions, on_progress=on_progress
    )
    results = build_results(targets, outcome, catalogue, port_list, service_versions)
    return make_run(results, outcome, started, nameservers), outcome
