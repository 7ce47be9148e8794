"""Scan: run nmap through python-nmap (imported lazily), chunk by chunk, with fixed arguments.

nmap only ever receives `str(ipaddress.ip_address(...))` values generated here and a port list
built from integers: nothing a user typed reaches its command line. A missing or broken nmap and
Ctrl-C never raise: they are recorded in the ScanOutcome.
"""

from __future__ import annotations

import ipaddress
import shutil
import time
from collections.abc import Callable, Sequence
from typing import Any

from cyberdiag.checks.exposure.outcome import HostOutcome, OpenPort, ScanOutcome
from cyberdiag.checks.exposure.ports import port_spec
from cyberdiag.checks.exposure.targets import Target
from cyberdiag.models import Text

# Addresses handed to one nmap run (progress is reported after each run): 16, or about 1 % of
# the addresses for wide scopes (at most 256), so that starting nmap does not dominate.
CHUNK_SIZE = 16
MAX_CHUNK_SIZE = 256
HOST_TIMEOUT = 120  # seconds, per address (nmap --host-timeout)
HOST_TIMEOUT_VERSIONS = 300  # with --service-versions

INSTALL_HINT = Text(
    fr="installez nmap : « apt-get install nmap » (Debian, Ubuntu), « dnf install nmap » "
    "(Fedora, RHEL) ou l'installateur Windows de https://nmap.org/download.html (cochez "
    "Npcap), puis relancez la commande",
    en="install nmap: `apt-get install nmap` (Debian, Ubuntu), `dnf install nmap` (Fedora, "
    "RHEL) or the Windows installer from https://nmap.org/download.html (tick Npcap), then "
    "run the command again",
)


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
        import nmap  # lazy: python-nmap is only needed to scan

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
