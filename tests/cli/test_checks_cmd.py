"""`cyberdiag check` end to end against the lab: output table, --json, -o (CheckRun, 0600),
profile, user errors (exit 1, bilingual)."""

from __future__ import annotations

import json
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from cyberdiag.cli import main
from cyberdiag.lab.manager import LabInfo
from cyberdiag.models import CheckRun


def test_table_output(lab: LabInfo, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "ville-exemple.test", "-n", lab.nameserver, "--timeout", "2",
                 "--only", "mail.spf,mail.dmarc"])
    out = capsys.readouterr().out
    assert code == 0
    assert "SPF" in out and "DMARC" in out and "à améliorer" in out
    assert "Bilan : 1 réussie, 1 à améliorer" in out  # the words of cli/terminal.STATUS


def test_json_and_output_file(lab: LabInfo, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "out" / "checks.json"
    code = main(["check", "sans-dmarc.test", "bonneville.test", "-n", lab.nameserver,
                 "--only", "mail.spf,mail.dmarc,dns.ns", "--json", "-o", str(dest),
                 "--lang", "en"])
    assert code == 0
    printed = CheckRun.model_validate_json(capsys.readouterr().out)
    saved = CheckRun.model_validate_json(dest.read_text(encoding="utf-8"))
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert printed.results == saved.results
    assert saved.nameservers == [lab.nameserver] and saved.kind == "checks"
    got = {(r.target, r.id): r.status for r in saved.results}
    assert got == {
        ("sans-dmarc.test", "dns.ns"): "fail", ("sans-dmarc.test", "mail.spf"): "fail",
        ("sans-dmarc.test", "mail.dmarc"): "fail", ("bonneville.test", "dns.ns"): "pass",
        ("bonneville.test", "mail.spf"): "pass", ("bonneville.test", "mail.dmarc"): "pass",
    }
    first = json.loads(dest.read_text(encoding="utf-8"))["results"][0]
    assert {"id", "target", "status", "message", "evidence", "duration"} <= set(first)


def test_profile_domains(lab: LabInfo, tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    prof = tmp_path / "municipality.yaml"
    prof.write_text(yaml.safe_dump({
        "name": "Sans-Dmarc", "insee": "59902", "population": 600, "agents": 5,
        "domains": ["sans-dmarc.test"], "official_email": "mairie.sans-dmarc@orange.fr",
    }), encoding="utf-8")
    code = main(["check", "--profile", str(prof), "-n", lab.nameserver, "--json",
                 "--only", "mail.free_provider,mail.spf"])
    assert code == 0
    run = CheckRun.model_validate_json(capsys.readouterr().out)
    assert [(r.id, r.target, r.status) for r in run.results] == [
        ("mail.spf", "sans-dmarc.test", "fail"),
        ("mail.free_provider", "mairie.sans-dmarc@orange.fr", "fail"),
    ]


def test_nameserver_from_environment(lab: LabInfo, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CYBERDIAG_NAMESERVER", lab.nameserver)
    assert main(["check", "non-mail.test", "--only", "mail.mx", "--json"]) == 0
    run = CheckRun.model_validate_json(capsys.readouterr().out)
    assert [r.status for r in run.results] == ["pass"]


@pytest.mark.parametrize(("args", "fr", "en"), [
    (["check", "bad..name", "-n", "127.0.0.1"], "Nom de domaine invalide", "Invalid domain"),
    (["check", "-n", "127.0.0.1"], "Aucun domaine", "No domain"),
    (["check", "x.test", "-n", "not-an-ip"], "Serveur DNS invalide", "Invalid nameserver"),
    (["check", "x.test", "-n", "127.0.0.1", "--only", "mail.nope"], "inconnue", "Unknown check"),
    (["check", "x.test", "-n", "127.0.0.1", "--timeout", "0"], "Délai invalide",
     "Invalid timeout"),
    (["check", "x.test"], "Aucun serveur DNS", "No nameserver"),
    (["check", "1.2.3.4", "-n", "127.0.0.1"], "Nom de domaine invalide", "Invalid domain"),
])
def test_user_errors(args: list[str], fr: str, en: str, monkeypatch: pytest.MonkeyPatch,
                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CYBERDIAG_NAMESERVER", raising=False)
    assert main(args) == 1
    assert fr in capsys.readouterr().err
    assert main([*args, "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert en in err and "Traceback" not in err


def test_ctrl_c_keeps_partial_results(tmp_path: Path) -> None:
    """Ctrl-C: exit 130 within about one timeout (the queries in flight end), -o written with
    interrupted: true.

    Robust on a busy machine: the nameserver is a black hole (a bound socket that never answers),
    and SIGINT is sent only once the first query has reached it, so the checks are surely running;
    without the interruption each check would retry and wait several timeouts."""
    hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    hole.bind(("127.0.0.1", 0))
    port = hole.getsockname()[1]
    dest = tmp_path / "partial.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "cyberdiag", "check", "a.test", "b.test", "-n",
         f"127.0.0.1:{port}", "--timeout", "5", "--json", "-o", str(dest)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        hole.settimeout(60)
        hole.recvfrom(4096)  # the first DNS query: the checks are running
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
        assert time.monotonic() - t0 < 5 + 5  # one timeout, plus slack for a busy machine
    finally:
        hole.close()
    assert proc.stderr is not None and "Interrompu" in proc.stderr.read().decode()
    run = CheckRun.model_validate_json(dest.read_text(encoding="utf-8"))
    assert run.interrupted is True


def test_the_folders_profile_and_a_silent_dns_server_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No domain given: the municipality.yaml of the folder is read (and named). The DNS server
    never answers (the suite's unused loopback address): one line says so, not a row per
    check; checks.json records the server."""
    from cyberdiag.resources import data_dir

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    example = data_dir("examples") / "ville-exemple" / "municipality.yaml"
    (tmp_path / "municipality.yaml").write_text(example.read_text(encoding="utf-8"))
    assert main(["check", "--timeout", "0.2", "-o", "checks.json"]) == 0
    cap = capsys.readouterr()
    assert "Profil : municipality.yaml" in cap.err
    assert "Serveur DNS indiqué : 127.0.0.254" in cap.err
    # The one check made without DNS (the official address) has its row; the 21 others one.
    rows = [line for line in cap.out.splitlines() if "│ ville-exemple.test" in line]
    assert len(rows) == 1 and "21 vérifications" in rows[0] and "non testées" in rows[0]
    assert "le serveur DNS 127.0.0.254 ne répond pas (délai dépassé)" in rows[0]
    assert "Bilan : 1 réussie, 21 non testées" in cap.out
    # Nothing at all could be checked (domains only): one line, no table.
    assert main(["check", "ville-exemple.test", "--timeout", "0.2"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ("Aucune vérification possible : le serveur DNS 127.0.0.254 "
                                   "ne répond pas (délai dépassé).")
    assert "┏" not in out
    run = CheckRun.model_validate_json((tmp_path / "checks.json").read_text(encoding="utf-8"))
    assert run.nameservers == ["127.0.0.254"] and run.nameserver_source == "env"
