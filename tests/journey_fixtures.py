"""A recording observer of the journey and a validated profile, for the journey's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cyberdiag.checks import exposure
from cyberdiag.journey.steps import Answered, Observer, Settings, prepare
from cyberdiag.models import CheckResult, Diagnostic, Profile, Text

PROFILE = """\
name: Petiteville
insee: "59001"
population: 600
agents: 6
it_staff: false
domains: [sans-dmarc.test]
public_addresses: [{address}]
"""


class Recorder(Observer):
    """Records what the journey tells and asks; answers the questions it is told to."""

    def __init__(
        self, answered: Answered | None = None, *, interactive: bool = False, yes: bool = False
    ) -> None:
        self.events: list[Any] = []
        self.answered, self.interactive, self.yes = answered, interactive, yes

    def questionnaire(self, profile: Profile, answers: Path) -> Answered | None:
        self.events.append("questionnaire")
        return self.answered

    def checks_started(self, domains: list[str], nameservers: list[str]) -> None:
        self.events.append(("checks_started", domains, nameservers))

    def checks_skipped(self, reason: Text) -> None:
        self.events.append(("checks_skipped", reason.en))

    def checks_done(self, results: list[CheckResult]) -> None:
        self.events.append(("checks_done", {r.status for r in results}))

    def scan_planned(self, plan: exposure.ScanPlan) -> None:
        self.events.append(("scan_planned", plan.addresses))

    def confirm(self, question: str) -> bool:
        self.events.append(("confirm", question))
        return self.yes

    def scan_done(self, results: list[CheckResult], plan: exposure.ScanPlan | None) -> None:
        self.events.append(("scan_done", [r.status for r in results]))

    def scoring(self) -> None:
        self.events.append("scoring")

    def scored(self, diagnostic: Diagnostic, path: Path) -> None:
        self.events.append(("scored", path.name))

    def reporting(self) -> None:
        self.events.append("reporting")


def settings(
    tmp_path: Path, address: str = "127.0.0.1", scan_ports: str | None = None, **extra: Any
) -> Settings:
    profile = tmp_path / "municipality.yaml"
    profile.write_text(PROFILE.format(address=address), encoding="utf-8")
    return prepare(
        profile,
        out=tmp_path / "out",
        answers=None,
        nameservers=[],
        lang="en",
        scan_ports=scan_ports,
        **extra,
    )
