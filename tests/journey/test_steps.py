"""The journey's steps without the terminal: a recording observer, real files, real nmap."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from journey_fixtures import Recorder, settings
from scan_fixtures import Listener, free_port

from cyberdiag.checks import exposure
from cyberdiag.journey.steps import Answered, Journey
from cyberdiag.models import Text


@pytest.fixture(autouse=True)
def _no_nameserver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CYBERDIAG_NAMESERVER", raising=False)


def test_every_step_in_order_saves_its_file(tmp_path: Path) -> None:
    recorder = Recorder(Answered(questions=5, answered=3))
    outcome = Journey(settings(tmp_path), recorder).run()
    assert recorder.events == [
        "questionnaire",
        (
            "checks_skipped",
            "no DNS server: this computer has no resolver configured (--nameserver IP)",
        ),
        ("checks_done", {"not_tested"}),
        "scoring",
        ("scored", "diagnostic.json"),
        "reporting",
    ]
    assert list(outcome.files) == [
        "answers",
        "checks",
        "diagnostic",
        "report_html",
        "report_pdf",
    ]
    for key, path in outcome.files.items():
        if key != "answers":  # nobody answered: no answers file, nothing counted
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, key
    assert not outcome.failures and not outcome.stopped
    assert (outcome.questions, outcome.answered) == (5, 3)
    assert any("2 skipped questions: they count as unanswered" in n for n in outcome.notes)
    assert any("--nameserver IP" in n for n in outcome.notes)
    assert outcome.diagnostic is not None and outcome.diagnostic.profile.name == "Petiteville"


def test_a_stopped_questionnaire_ends_the_journey(tmp_path: Path) -> None:
    recorder = Recorder(Answered(questions=5, answered=2, stopped=True, interrupted=True))
    outcome = Journey(settings(tmp_path), recorder).run()
    assert recorder.events == ["questionnaire"]
    assert list(outcome.files) == ["answers"] and outcome.stopped and outcome.interrupted
    assert not (tmp_path / "out" / "checks.json").exists()


def test_a_failing_step_keeps_the_previous_ones(tmp_path: Path) -> None:
    s = settings(tmp_path)
    (s.out / "rapport.pdf").mkdir()  # the PDF report cannot be written there
    outcome = Journey(s, Recorder()).run()
    assert [f.step.en for f in outcome.failures] == ["Report"]
    assert outcome.errors("fr")[0].startswith("Rapport : ")
    assert list(outcome.files) == ["answers", "checks", "diagnostic", "report_html"]
    assert all(path.exists() for path in list(outcome.files.values())[1:])


def test_offline_checks_and_scan_are_not_tested_with_the_reason(tmp_path: Path) -> None:
    why = Text(fr="pas de réseau ici", en="no network here")
    s = settings(tmp_path, scan_ports="80")
    s.offline = why
    recorder = Recorder()
    journey = Journey(s, recorder)
    assert journey.checks() and journey.scan()
    assert recorder.events == [
        ("checks_skipped", "no network here"),
        ("checks_done", {"not_tested"}),
        ("scan_done", ["not_tested", "not_tested"]),
    ]
    scan = json.loads((s.out / "scan.json").read_text(encoding="utf-8"))
    assert scan["kind"] == "scan"
    assert {r["reason"]["en"] for r in scan["results"]} == {"no network here"}
    assert not journey.outcome.notes  # the reason is said once, by the observer


@pytest.mark.skipif(exposure.find_nmap() is None, reason="nmap is not installed")
def test_the_scan_waits_for_the_authorisation(tmp_path: Path) -> None:
    ip = "127.0.0.64"
    listener = Listener(ip, free_port([ip]))
    try:
        s = settings(tmp_path, ip, scan_ports=str(listener.port))
        # Nobody to ask and no written authorisation: nothing is sent, not even the plan.
        journey = Journey(s, recorder := Recorder())
        assert journey.scan() and recorder.events == []
        assert "written authorisation" in journey.outcome.notes[0]
        # Asked, and refused: the plan was shown, nothing was sent.
        journey = Journey(s, recorder := Recorder(interactive=True, yes=False))
        assert journey.scan()
        assert recorder.events[0] == ("scan_planned", [ip])
        assert recorder.events[1][0] == "confirm" and "[y/N]" in recorder.events[1][1]
        assert len(recorder.events) == 2 and "nothing was sent" in journey.outcome.notes[0]
        assert not (s.out / "scan.json").exists() and listener.connections == 0
        # Asked, and granted: scanned, saved.
        journey = Journey(s, recorder := Recorder(interactive=True, yes=True))
        assert journey.scan()
        assert recorder.events[-1] == ("scan_done", ["pass", "warn"])
    finally:
        listener.close()
    assert listener.connections >= 1
    assert journey.outcome.files["scan"] == s.out / "scan.json"
    assert stat.S_IMODE((s.out / "scan.json").stat().st_mode) == 0o600


def test_run_resumes_the_answers_beside_the_profile(tmp_path: Path) -> None:
    """`run --profile municipality.yaml` after `questionnaire` in the same folder: the answers
    already given there are the run's, not a new file in the results folder."""
    from cyberdiag.journey.steps import default_answers

    profile, out = tmp_path / "municipality.yaml", tmp_path / "diagnostic"
    assert default_answers(profile, out) == out / "answers.yaml"  # nothing yet: a new file
    (tmp_path / "answers.yaml").write_text("answers: {}\n", encoding="utf-8")
    assert default_answers(profile, out) == tmp_path / "answers.yaml"
    out.mkdir()
    (out / "answers.yaml").write_text("answers: {}\n", encoding="utf-8")
    assert default_answers(profile, out) == out / "answers.yaml"  # a run already started
