"""Verdicts: the status, message and evidence of each exposure check for one scanned target.

- exposure.risky_services: fails for a reachable high/critical service of the catalogue
  (remote desktop, file sharing, database...), warns for a medium/low one (administration);
- exposure.open_ports: warns for an open port outside the catalogue, passes for usual services.
Nothing found while part of the addresses was not scanned is `not_tested`, never `pass`.
"""

from __future__ import annotations

from typing import Any

from cyberdiag.checks.base import not_tested, result
from cyberdiag.checks.exposure.outcome import OpenPort
from cyberdiag.i18n import one_or_many
from cyberdiag.models import CheckResult, PortInfo, Text

RISKY_ID = "exposure.risky_services"
OPEN_ID = "exposure.open_ports"
CHECK_IDS = (RISKY_ID, OPEN_ID)

FAIL_SEVERITIES = ("high", "critical")


def service_evidence(op: OpenPort, info: PortInfo | None, versions: bool) -> dict[str, Any]:
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
    """'a ; b ; et 3 autres' / 'a; b; and 3 more'."""
    rest = len(fr_items) - limit
    fr = " ; ".join(fr_items[:limit]) + (
        f" ; et {rest} {one_or_many(rest, 'autre', 'autres')}" if rest > 0 else "")
    en = "; ".join(en_items[:limit]) + (f"; and {rest} more" if rest > 0 else "")
    return fr, en


def _incomplete(fr: str, en: str, partial: Text, evidence: dict[str, Any]) -> tuple[str, str]:
    """The message with the incomplete-scan note; the evidence is marked `incomplete`."""
    evidence["incomplete"] = True
    return f"{fr} (Scan incomplet : {partial.fr}.)", f"{en} (Incomplete scan: {partial.en}.)"


def risky_result(
    label: str,
    risky: list[OpenPort],
    by_port: dict[int, PortInfo],
    base: dict[str, Any],
    versions: bool,
    partial: Text | None,
) -> CheckResult:
    evidence = dict(
        base, services=[service_evidence(op, by_port[op.port], versions) for op in risky]
    )
    if not risky:
        if partial is not None:  # nothing found, but not everything was looked at
            return not_tested(RISKY_ID, label, partial, evidence)
        return result(
            RISKY_ID,
            label,
            "pass",
            "Aucun service à risque accessible (bureau à distance, partage de fichiers, "
            "base de données, administration…) sur les ports scannés.",
            "No risky service reachable (remote desktop, file sharing, database, "
            "administration…) on the scanned ports.",
            evidence,
        )
    severe = any(by_port[op.port].severity in FAIL_SEVERITIES for op in risky)
    fr_list, en_list = _listing(
        [f"{by_port[op.port].title.fr} sur {_where(op)}" for op in risky],
        [f"{by_port[op.port].title.en} on {_where(op)}" for op in risky],
    )
    n = len(risky)
    svc_fr, acc = one_or_many(n, "service", "services"), one_or_many(n, "accessible", "accessibles")
    svc_en = one_or_many(n, "service", "services")
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
        fr, en = _incomplete(fr, en, partial, evidence)
    return result(RISKY_ID, label, "fail" if severe else "warn", fr, en, evidence)


def open_result(
    label: str,
    others: list[OpenPort],
    by_port: dict[int, PortInfo],
    base: dict[str, Any],
    versions: bool,
    partial: Text | None,
    incomplete: bool,
) -> CheckResult:
    evidence = dict(
        base, open_ports=[service_evidence(op, by_port.get(op.port), versions) for op in others]
    )
    unknown = [op for op in others if op.port not in by_port]
    known = [op for op in others if op.port in by_port]
    if not unknown and partial is not None:  # nothing to warn about, but not all was seen
        return not_tested(OPEN_ID, label, partial, evidence)
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
            f"{n} {one_or_many(n, 'port ouvert non répertorié', 'ports ouverts non répertoriés')}"
            " : "
            f"{fr_l}. Chacun doit être connu et voulu par la commune et son prestataire."
        )
        en = (
            f"{n} open {one_or_many(n, 'port', 'ports')} not in the catalogue: {en_l}. Each one "
            "must be known and intended by the municipality and its IT provider."
        )
    if incomplete and partial is not None:
        fr, en = _incomplete(fr, en, partial, evidence)
    return result(OPEN_ID, label, "warn" if unknown else "pass", fr, en, evidence)
