"""Opt-in exposure scan of the municipality's own addresses, safe by construction.

Layers (one module each, plain functions, I/O at the edges):
- scope: `parse_entry` validates one entry of `profile.public_addresses` (IPv4/IPv6 address,
  CIDR no wider than /24 or /120 unless `allow_wide_ranges`, RFC 1123 host name) and refuses
  anything else, special-purpose ranges included, before any packet is sent;
- targets: `expand_targets` turns the validated entries into IP addresses (host names resolved
  through the configured nameserver only);
- ports: `load_port_catalogue` / `parse_ports` build the port list from integers;
- nmaprun: `run_scan` runs nmap through python-nmap (imported lazily), chunk by chunk, with fixed
  arguments, into a ScanOutcome (outcome). nmap only ever receives
  `str(ipaddress.ip_address(...))` values generated here and a port list built from integers:
  nothing a user typed reaches its command line;
- results / verdicts: `build_results` turns the scan into `exposure.risky_services` and
  `exposure.open_ports` CheckResults (one pair per declared target); `make_run` the CheckRun;
- plan: the scan in one place for `cyberdiag scan` and the journey: `scan_scope` (validate),
  `plan_scan` (resolve), `execute` (scan, with the owner's authorisation).

python-nmap and dnspython are imported inside the functions that use them.
"""

from cyberdiag.checks.exposure.nmaprun import (
    CHUNK_SIZE,
    HOST_TIMEOUT,
    HOST_TIMEOUT_VERSIONS,
    INSTALL_HINT,
    MAX_CHUNK_SIZE,
    ProgressFn,
    find_nmap,
    nmap_arguments,
    run_scan,
)
from cyberdiag.checks.exposure.outcome import HostOutcome, OpenPort, ScanOutcome
from cyberdiag.checks.exposure.plan import (
    ScanPlan,
    ScanScope,
    execute,
    not_tested_run,
    plan_scan,
    scan_scope,
)
from cyberdiag.checks.exposure.ports import TOP100, load_port_catalogue, parse_ports, port_spec
from cyberdiag.checks.exposure.results import build_results, make_run
from cyberdiag.checks.exposure.scope import (
    MAX_PREFIX_V4,
    MAX_PREFIX_V6,
    WIDE_PREFIX_V4,
    WIDE_PREFIX_V6,
    Entry,
    IPAddress,
    IPNetwork,
    declared_scope,
    parse_entry,
    refusal,
    restrict_scope,
)
from cyberdiag.checks.exposure.targets import Target, expand_targets
from cyberdiag.checks.exposure.verdicts import CHECK_IDS, FAIL_SEVERITIES, OPEN_ID, RISKY_ID

__all__ = [
    "CHECK_IDS",
    "CHUNK_SIZE",
    "FAIL_SEVERITIES",
    "HOST_TIMEOUT",
    "HOST_TIMEOUT_VERSIONS",
    "INSTALL_HINT",
    "MAX_CHUNK_SIZE",
    "MAX_PREFIX_V4",
    "MAX_PREFIX_V6",
    "OPEN_ID",
    "RISKY_ID",
    "TOP100",
    "WIDE_PREFIX_V4",
    "WIDE_PREFIX_V6",
    "Entry",
    "HostOutcome",
    "IPAddress",
    "IPNetwork",
    "OpenPort",
    "ProgressFn",
    "ScanOutcome",
    "ScanPlan",
    "ScanScope",
    "Target",
    "build_results",
    "declared_scope",
    "execute",
    "expand_targets",
    "find_nmap",
    "load_port_catalogue",
    "make_run",
    "nmap_arguments",
    "not_tested_run",
    "parse_entry",
    "parse_ports",
    "plan_scan",
    "port_spec",
    "refusal",
    "restrict_scope",
    "run_scan",
    "scan_scope",
]
