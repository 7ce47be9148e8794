"""The scan in one place: validate what may be scanned, resolve it into a plan, execute the plan.

Used by `cyberdiag scan` and by the journey (`cyberdiag run`, `cyberdiag demo`):
1. `scan_scope`: the profile's declared scope and the port list, validated; nothing is sent;
2. `plan_scan`: host names resolved through the given nameservers only (DNS queries, no scan);
3. `execute`: nmap over the plan, only with the municipality's authorisation (the caller asks for
   it: `--authorized` or a confirmation), into the CheckRun that `scan.json` holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cyberdiag import __version__
from cyberdiag.checks.base import not_tested_all
from cyberdiag.checks.exposure.nmaprun import ProgressFn, run_scan
from cyberdiag.checks.exposure.outcome import ScanOutcome
from cyberdiag.checks.exposure.ports import load_port_catalogue, parse_ports
from cyberdiag.checks.exposure.results import build_results, make_run
from cyberdiag.checks.exposure.scope import Entry, declared_scope, restrict_scope
from cyberdiag.checks.exposure.targets import Target, expand_targets
from cyberdiag.checks.exposure.verdicts import CHECK_IDS
from cyberdiag.errors import UserError
from cyberdiag.models import CheckRun, PortCatalogue, Profile, Text
from cyberdiag.net.dnsclient import DEFAULT_TIMEOUT, make_resolver, parse_nameserver


@dataclass(frozen=True)
class ScanScope:
    """What may be scanned and on which ports, validated: nothing has been sent yet."""

    entries: list[Entry]
    ports: list[int]
    catalogue: PortCatalogue
    service_versions: bool = False

    @property
    def names(self) -> list[str]:
        """The declared host names (they need a nameserver to be resolved)."""
        return [e.text for e in self.entries if e.kind == "hostname"]

    def check_nameservers(self, nameservers: Sequence[str]) -> None:
        """UserError for a malformed nameserver, or names in the scope and no nameserver."""
        for spec in nameservers:
            parse_nameserver(spec)
        names = self.names
        if names and not nameservers:
            raise UserError(
                f"Le profil contient des noms ({', '.join(names[:3])}) : indiquez le serveur "
                "DNS à utiliser avec --nameserver IP[:PORT] (le résolveur du système n'est "
                "jamais utilisé).",
                f"The profile contains names ({', '.join(names[:3])}): give the DNS server to "
                "use with --nameserver IP[:PORT] (the system resolver is never used).",
            )


@dataclass(frozen=True)
class ScanPlan:
    """The addresses and ports that will be scanned, names already resolved."""

    scope: ScanScope
    targets: list[Target]
    nameservers: list[str] = field(default_factory=list)

    @property
    def addresses(self) -> list[str]:
        """Every address to scan, in order, each once."""
        return list(dict.fromkeys(ip for t in self.targets for ip in t.addresses))


def scan_scope(
    profile: Profile,
    ports: str = "risky",
    *,
    only: Sequence[str] = (),
    service_versions: bool = False,
) -> ScanScope:
    """Validate the port list and the declared scope (narrowed to `only`); UserError otherwise."""
    catalogue = load_port_catalogue()
    port_list = parse_ports(ports, catalogue)
    entries = declared_scope(profile)
    if only:
        entries = restrict_scope(entries, only)
    return ScanScope(entries, port_list, catalogue, service_versions)


def plan_scan(
    scope: ScanScope, nameservers: Sequence[str] = (), timeout: float = DEFAULT_TIMEOUT
) -> ScanPlan:
    """Resolve the scope's names through `nameservers` only (never the system resolver)."""
    scope.check_nameservers(nameservers)
    resolver = make_resolver(list(nameservers), timeout) if nameservers else None
    return ScanPlan(scope, expand_targets(scope.entries, resolver), list(nameservers))


def execute(
    plan: ScanPlan,
    *,
    authorised: bool,
    on_progress: ProgressFn | None = None,
    host_timeout: float | None = None,
) -> tuple[CheckRun, ScanOutcome]:
    """Scan the plan (only with the owner's authorisation) into the run `scan.json` holds.

    nmap trouble and Ctrl-C never raise: they are in the outcome (`nmap_problem`,
    `interrupted`) and the addresses concerned are `not_tested`.
    """
    if not authorised:
        raise UserError(
            "Scan refusé : scanner des adresses exige l'autorisation de leur propriétaire (la "
            "commune). Rien n'a été envoyé.",
            "Scan refused: scanning addresses requires their owner's authorisation (the "
            "municipality). Nothing was sent.",
        )
    scope = plan.scope
    started = datetime.now(UTC)
    outcome = run_scan(
        plan.targets,
        scope.ports,
        service_versions=scope.service_versions,
        on_progress=on_progress,
        host_timeout=host_timeout,
    )
    results = build_results(
        plan.targets, outcome, scope.catalogue, scope.ports, scope.service_versions
    )
    return make_run(results, outcome, started, plan.nameservers), outcome


def not_tested_run(targets: Sequence[str], reason: Text) -> CheckRun:
    """A scan run that could not happen (the demo without its lab): `not_tested` with why."""
    return CheckRun(
        kind="scan",
        tool_version=__version__,
        started_at=datetime.now(UTC),
        results=not_tested_all(list(CHECK_IDS), list(targets) or ["-"], reason),
    )
