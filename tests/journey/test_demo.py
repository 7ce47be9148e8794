"""The demo's journey without the terminal: the example municipality, with or without the lab."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from journey_fixtures import Recorder

from cyberdiag.journey.demo import lab_unavailable, run_demo


def test_demo_without_the_lab_goes_through_every_step(tmp_path: Path) -> None:
    recorder = Recorder()
    said: list[str] = []
    recorder.say = said.append  # type: ignore[method-assign]
    result = run_demo(tmp_path / "d", "en", recorder, use_lab=False)
    assert not result.lab_used and result.lab_reason is not None
    assert "--no-lab" in result.lab_reason.en
    assert said == [
        f"Fictional municipality Ville-Exemple: profile and answers copied to {result.out}."
    ]
    reason = result.lab_reason.en
    assert recorder.events == [
        "questionnaire",
        ("checks_skipped", reason),
        ("checks_done", {"not_tested"}),
        ("scan_done", ["not_tested", "not_tested"]),
        "scoring",
        ("scored", "diagnostic.json"),
        "reporting",
    ]
    files = result.outcome.files
    assert list(files) == ["answers", "checks", "scan", "diagnostic", "report_html", "report_pdf"]
    for key, path in files.items():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, key
    assert stat.S_IMODE(result.profile.stat().st_mode) == 0o644  # a fictional municipality
    assert result.outcome.diagnostic is not None
    assert result.outcome.diagnostic.profile.name == "Ville-Exemple"


def test_lab_unavailable_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    why = lab_unavailable()
    assert why is not None and "root" in why.fr and "sudo" in why.en
