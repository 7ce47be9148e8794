"""The whole scan of a profile's declared scope, for programmatic use (demo, lab, workshops)."""

from __future__ import annotations

from collections.abc import Sequence

from cyberdiag.checks.exposure.nmaprun import ProgressFn, run_scan
from cyberdiag.checks.exposure.outcome import ScanOutcome
from cyberdiag.checks.exposure.ports import load_port_catalogue, parse_ports
from cyberdiag.checks.exposure.results import build_results, make_run
from cyberdiag.checks.exposure.scope import declared_scope
from cyberdiag.checks.exposure.targets import expand_targets
from cyberdiag.models import CheckRun, Profile


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

    from cyberdiag.net.dnsclient import make_resolver

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
