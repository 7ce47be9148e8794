"""The lab itself: CLI start/status/stop by pid, state file, territory generation, zone text."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cyberdiag.cli import main
from cyberdiag.lab import communes
from cyberdiag.lab.dns import Keys, municipality_zone, txt_rdata
from cyberdiag.lab.manager import LabInfo, info
from cyberdiag.models import Profile


def test_status_of_session_lab(lab: LabInfo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "status", "--dir", str(lab.directory)]) == 0
    out = capsys.readouterr().out
    assert f"--nameserver {lab.nameserver}" in out
    assert f"SSL_CERT_FILE={lab.ca_file}" in out
    state = json.loads((lab.directory / "state.json").read_text(encoding="utf-8"))
    assert state["nameserver"] == lab.nameserver and state["status"] == "running"
    assert "ville-exemple.test" in state["domains"]


@pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root")
def test_cli_start_stop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "lab2"
    assert main(["lab", "start", "--dir", str(d), "--no-web", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    running = info(d.resolve())
    assert running is not None and f"--nameserver {running.nameserver}" in out
    try:
        assert main(["lab", "start", "--dir", str(d)]) == 1  # already running
        assert "déjà" in capsys.readouterr().err
        pids = list(running.pids.values())
    finally:
        assert main(["lab", "stop", "--dir", str(d)]) == 0
    assert info(d.resolve()) is None
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or \
            Path(f"/proc/{pid}/status").read_text().find("State:\tZ") >= 0
    assert main(["lab", "status", "--dir", str(d)]) == 1
    assert main(["lab", "stop", "--dir", str(d)]) == 0
    assert "Aucun laboratoire" in capsys.readouterr().out


def test_generate_is_deterministic_and_distinct() -> None:
    a = communes.generate(90)
    b = communes.generate(90)
    assert a == b
    assert len({m.domain for m in a}) == 90 and len({m.index for m in a}) == 90
    fixtures = communes.fixtures()
    assert not {m.index for m in fixtures} & {m.index for m in a}
    assert "ville-exemple.test" in {m.domain for m in fixtures}
    assert {m.smtp for m in a} <= set(communes.SMTP_CASES)
    with pytest.raises(ValueError):
        communes.generate(500)


def test_zone_text_escapes_and_splits() -> None:
    assert txt_rdata('a"b\\c\x01') == '"a\\034b\\092c\\001"'
    big = txt_rdata("x" * 600)
    assert big.count('"') == 6  # three strings of at most 255 bytes
    hostile = next(m for m in communes.fixtures() if m.domain == "hostile.test")
    text = municipality_zone(hostile, 150, Keys())
    assert "\\001" in text and "\\027" in text  # control characters escaped
    assert "d50 TXT" in text


def test_profile_dict_is_a_valid_profile() -> None:
    for m in communes.fixtures():
        Profile.model_validate(m.profile_dict())
