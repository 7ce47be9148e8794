"""Scan: run nmap in its own process group, chunk by chunk, with fixed arguments; read its XML.

nmap only ever receives `str(ipaddress.ip_address(...))` values generated here and a port list
built from integers: nothing a user typed reaches its command line. A missing or broken nmap and
Ctrl-C never raise: they are recorded in the ScanOutcome.

nmap runs in a session of its own (so a Ctrl-C typed on the terminal reaches cyberdiag only) and
cyberdiag ends it whatever way it stops: Ctrl-C, an error, SIGTERM or SIGHUP (the handlers end
nmap's process group, then let the signal take its usual course). A host that nmap gave up on
(`timedout="true"` in its XML: the host timeout was reached) or that is missing from a complete
run is never "scanned": it is `not_tested`, with the reason.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import signal
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
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
_ENDED_BY = (signal.SIGTERM, signal.SIGHUP)  # SIGINT is Python's KeyboardInterrupt
_RUNNING: set[subprocess.Popen[bytes]] = set()

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


def nmap_arguments(service_versions: bool, host_timeout: float, ipv6: bool = False) -> str:
    """The fixed nmap arguments: connect scan, no DNS, no ping, bounded timing."""
    limit = f"{host_timeout:g}s" if host_timeout >= 1 else f"{max(1, round(host_timeout * 1000))}ms"
    args = ["-sT", "-n", "-Pn", "-T4", "--max-retries", "1", "--host-timeout", limit]
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
    host_timeout: float | None = None,
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
    path = nmap_path or find_nmap()
    try:
        scanner, _ = _open_scanner(path, outcome)
        if scanner is None or path is None:
            for ip in all_ips:
                outcome.hosts[ip] = HostOutcome("not_run", reason=outcome.nmap_problem)
        else:
            _scan_targets(
                path,
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
    nmap_path: str,
    targets: Sequence[Target],
    ports: Sequence[int],
    service_versions: bool,
    timeout: float,
    on_progress: ProgressFn | None,
    chunk_size: int,
    outcome: ScanOutcome,
) -> None:
    """Targets in order; IPv4 and IPv6 addresses in separate nmap runs (-6), by chunks."""
    pspec = port_spec(ports)
    with _nmap_ended_on_signals():
        for t in targets:
            t_start = time.perf_counter()
            todo = [ip for ip in dict.fromkeys(t.addresses) if ip not in outcome.hosts]
            by_family = [[ip for ip in todo if ":" not in ip], [ip for ip in todo if ":" in ip]]
            for family, ips in enumerate(by_family):
                args = nmap_arguments(service_versions, timeout, ipv6=family == 1)
                for start in range(0, len(ips), chunk_size):
                    chunk = ips[start : start + chunk_size]
                    _scan_chunk(nmap_path, chunk, pspec, args, timeout, outcome)
                    outcome.durations[t.label] = round(time.perf_counter() - t_start, 4)
                    if on_progress is not None:
                        on_progress(t.label, len(chunk))


def _short(exc: BaseException | str) -> str:
    value = getattr(exc, "value", None)  # python-nmap's errors: str() is a repr of .value
    raw = value if isinstance(value, str) else str(exc)
    text = " ".join(raw.split()) or type(exc).__name__
    return text[:300]


# ---- nmap as a process of its own ------------------------------------------------------------


def _end_group(proc: subprocess.Popen[bytes]) -> None:
    """End nmap and anything it started (its process group): TERM, then KILL after 2 s."""
    for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def end_running_scans() -> None:
    """End every nmap this process started and that still runs."""
    for proc in list(_RUNNING):
        _end_group(proc)


@contextlib.contextmanager
def _nmap_ended_on_signals() -> Iterator[None]:
    """While scanning: SIGTERM and SIGHUP end nmap first, then take their usual course (the
    previous handler, or the default action: the process ends with that signal)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: object) -> None:
        end_running_scans()
        before = previous.get(signum, signal.SIG_DFL)
        signal.signal(signum, before)
        if callable(before):
            before(signum, frame)
        else:
            os.kill(os.getpid(), signum)

    for sig in _ENDED_BY:
        previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)


def _run_nmap(argv: list[str], wall: float) -> tuple[int, bytes, bytes]:
    """Run nmap in its own session; (exit code, stdout, stderr). It is ended on any way out of
    here (timeout, Ctrl-C, an error): never left running behind cyberdiag."""
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    _RUNNING.add(proc)
    try:
        out, err = proc.communicate(timeout=wall)
    except BaseException:
        _end_group(proc)
        raise
    finally:
        _RUNNING.discard(proc)
    return proc.returncode, out, err


def _scan_chunk(
    nmap_path: str,
    chunk: list[str],
    pspec: str,
    args: str,
    host_timeout: float,
    outcome: ScanOutcome,
) -> None:
    # Every value below was generated by this module: validated IP addresses re-serialised by
    # ipaddress, a port list built from ints, fixed arguments.
    hosts = [str(ipaddress.ip_address(ip)) for ip in chunk]
    argv = [nmap_path, "-oX", "-", *args.split(), "-p", pspec, *hosts]
    try:
        code, out, err = _run_nmap(argv, host_timeout * 2 + 60)
    except subprocess.TimeoutExpired:
        code, out, err = -1, b"", b"no answer from nmap within its time limit"
    except OSError as exc:
        code, out, err = -1, b"", str(exc).encode()
    found = parse_xml(out)
    if found is None:  # no usable XML: nmap failed
        why = Text(
            fr=f"échec de nmap : {_problem(err, code)}", en=f"nmap failed: {_problem(err, code)}"
        )
        for ip in chunk:
            outcome.hosts[ip] = HostOutcome("error", reason=why)
        return
    late = _timed_out(host_timeout)
    for ip, shown in zip(chunk, hosts, strict=True):
        outcome.hosts[ip] = found.get(shown) or HostOutcome("timeout", reason=late)


def _problem(err: bytes, code: int) -> str:
    """What nmap said on stderr (warnings left out), or its exit code."""
    lines = [
        line.strip()
        for line in err.decode("utf-8", "replace").splitlines()
        if line.strip() and not line.lstrip().lower().startswith("warning")
    ]
    return _short(" ".join(lines)) if lines else f"exit code {code}"


def _timed_out(host_timeout: float) -> Text:
    return Text(
        fr=f"pas de réponse complète dans le délai imparti ({host_timeout:g} s par adresse) : "
        "scan inachevé pour cette adresse (timedout)",
        en=f"no complete answer within the time limit ({host_timeout:g} s per address): scan "
        "not finished for this address (timedout)",
    )


def parse_xml(xml: bytes) -> dict[str, HostOutcome] | None:
    """nmap's XML → address (as ipaddress writes it) → outcome; None when it is not nmap XML.

    A host nmap gave up on (`timedout="true"`) is a `timeout`, whatever ports it lists."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return None
    if root.tag != "nmaprun":
        return None
    found: dict[str, HostOutcome] = {}
    for host in root.iter("host"):
        ip = _address(host)
        if ip is None:
            continue
        if host.get("timedout") == "true":
            limit = _seconds(root.get("args", ""))
            found[ip] = HostOutcome("timeout", reason=_timed_out(limit))
            continue
        found[ip] = HostOutcome("scanned", open_ports=_open_ports(host, ip))
    return found


def _address(host: ET.Element) -> str | None:
    for addr in host.iter("address"):
        if addr.get("addrtype") in ("ipv4", "ipv6"):
            try:
                return str(ipaddress.ip_address(addr.get("addr", "")))
            except ValueError:
                return None
    return None


def _seconds(args: str) -> float:
    """The --host-timeout of nmap's own command line (for the reason), in seconds."""
    parts = args.split()
    if "--host-timeout" in parts[:-1]:
        raw = parts[parts.index("--host-timeout") + 1]
        with contextlib.suppress(ValueError):
            if raw.endswith("ms"):
                return float(raw[:-2]) / 1000
            return float(raw.rstrip("s"))
    return float(HOST_TIMEOUT)


def _open_ports(host: ET.Element, ip: str) -> list[OpenPort]:
    found: list[OpenPort] = []
    for port in host.iter("port"):
        state = port.find("state")
        if port.get("protocol") != "tcp" or state is None or state.get("state") != "open":
            continue
        service = port.find("service")
        info = service.attrib if service is not None else {}
        found.append(
            OpenPort(
                ip=ip,
                port=int(port.get("portid", "0")),
                nmap_service=str(info.get("name") or ""),
                product=str(info.get("product") or ""),
                version=str(info.get("version") or ""),
                extrainfo=str(info.get("extrainfo") or ""),
            )
        )
    return sorted(found, key=lambda op: op.port)
