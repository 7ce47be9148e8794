"""Results: a scan outcome → the exposure CheckResults, and the CheckRun that scan.json holds.

One pair per declared target: exposure.risky_services and exposure.open_ports; the CheckRun is
what `cyberdiag scan -o` writes and `cyberdiag score --checks` reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cyberdiag import __version__
from cyberdiag.checks.base import not_tested
from cyberdiag.checks.exposure.outcome import HostOutcome, ScanOutcome
from cyberdiag.checks.exposure.ports import port_spec
from cyberdiag.checks.exposure.targets import Target
from cyberdiag.checks.exposure.verdicts import CHECK_IDS, open_result, risky_result
from cyberdiag.i18n import one_or_many
from cyberdiag.models import CheckResult, CheckRun, PortCatalogue, PortInfo, Text

if TYPE_CHECKING:
    from datetime import datetime


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
        results.extend(_target_results(t, outcome, by_port, ports, service_versions))
    return results


def _target_results(
    t: Target,
    outcome: ScanOutcome,
    by_port: dict[int, PortInfo],
    ports: Sequence[int],
    service_versions: bool,
) -> list[CheckResult]:
    base: dict[str, Any] = {"target": t.label, "addresses": list(t.addresses)}
    if t.skipped:
        base["skipped"] = list(t.skipped)
    if t.problem is not None:
        return _all_not_tested(t.label, t.problem, base)
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
        return _all_not_tested(t.label, why, base)
    opened = [op for ip in done for op in states[ip].open_ports]
    risky = [op for op in opened if op.port in by_port and by_port[op.port].risky]
    others = [op for op in opened if op not in risky]
    partial = _partial_reason(missing, len(t.addresses))
    pair = (
        risky_result(t.label, risky, by_port, base, service_versions, partial),
        open_result(t.label, others, by_port, base, service_versions, partial, bool(missing)),
    )
    duration = outcome.durations.get(t.label, 0.0)
    return [r.model_copy(update={"duration": duration}) for r in pair]


def _all_not_tested(label: str, why: Text, evidence: dict[str, Any]) -> list[CheckResult]:
    return [not_tested(cid, label, why, dict(evidence)) for cid in CHECK_IDS]


def _partial_reason(missing: list[dict[str, str]], total: int) -> Text | None:
    if not missing:
        return None
    first_fr = missing[0]["reason_fr"] or missing[0]["state"]
    first_en = missing[0]["reason_en"] or missing[0]["state"]
    n = len(missing)
    return Text(
        fr=f"{n} {one_or_many(n, 'adresse', 'adresses')} sur {total} "
        f"{one_or_many(n, 'non scannée', 'non scannées')} : {first_fr}",
        en=f"{n} of {total} {one_or_many(total, 'address', 'addresses')} not scanned: {first_en}",
    )


def make_run(
    results: list[CheckResult],
    outcome: ScanOutcome,
    started: datetime,
    nameservers: Sequence[str] = (),
) -> CheckRun:
    """The file `cyberdiag scan -o` writes (read by `cyberdiag score --checks`)."""
    return CheckRun(
        kind="scan",
        tool_version=__version__,
        started_at=started,
        nameservers=list(nameservers),
        results=results,
        interrupted=outcome.interrupted,
    )
