"""What a scan found: the plain data handed from the nmap runner to the result builder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cyberdiag.models import Text


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
