"""Writes checked before work starts, one clear line when they fail, stale temporary files
removed (cyberdiag/fileio.py). Real processes on a read-only bind mount or a full tmpfs, each in
a mount namespace of its own (nothing is mounted on the host)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from hostile_fixtures import cli, env, in_tmpfs, needs_root_mounts, read_only

PROFILE = 'name: Ville\ninsee: "59350"\npopulation: 2500\nagents: 30\n'

pytestmark = needs_root_mounts


def _run(argv: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=env(), input=stdin, capture_output=True, text=True, timeout=120
    )


def _one_line(proc: subprocess.CompletedProcess[str], path: Path, why: str) -> str:
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0] and why in lines[0], lines[0]
    assert "Erreur interne" not in proc.stderr and "Traceback" not in proc.stderr
    return lines[0]


def test_init_into_a_read_only_folder(tmp_path: Path) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    argv = cli("init", "-o", str(out / "m.yaml"), "--name", "Ville", "--insee", "59350",
               "--population", "2500", "--agents", "30", "--no-it-staff", "--provider", "X",
               "--no-website")  # fmt: skip
    line = _one_line(_run(read_only(out, argv), tmp_path), out / "m.yaml", "lecture seule")
    assert "choisissez un autre fichier avec -o" in line
    assert list(out.iterdir()) == []


def test_init_asks_nothing_when_it_cannot_write(tmp_path: Path) -> None:
    """Interactive init: the folder is checked before the first question."""
    out = tmp_path / "ro"
    out.mkdir()
    proc = _run(read_only(out, cli("init", "-o", str(out / "m.yaml"))), tmp_path, "Ville\n")
    _one_line(proc, out / "m.yaml", "lecture seule")
    assert "Nom de la commune" not in proc.stdout + proc.stderr


def test_score_into_a_full_disk(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(PROFILE, encoding="utf-8")
    (tmp_path / "a.yaml").write_text("questionnaire: complet\nanswers: {}\n", encoding="utf-8")
    out = tmp_path / "full"
    out.mkdir()
    argv = cli("score", "-p", "m.yaml", "-a", "a.yaml", "-o", str(out / "diagnostic.json"))
    proc = _run(in_tmpfs(out, "512k", argv, fill_to="64k"), tmp_path)
    line = _one_line(proc, out / "diagnostic.json", "disque plein")
    assert "libérez de la place" in line
    assert not (out / "diagnostic.json").exists()  # the tmpfs is gone; nothing on the host


def test_check_output_checked_before_any_check(tmp_path: Path) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    argv = cli("check", "ville.test", "--nameserver", "127.0.0.1:9", "--timeout", "5",
               "-o", str(out / "checks.json"))  # fmt: skip
    t0 = time.monotonic()
    proc = _run(read_only(out, argv), tmp_path)
    _one_line(proc, out / "checks.json", "lecture seule")
    assert time.monotonic() - t0 < 20  # no check ran (each would wait 5 s on the dead server)
    assert "Vérification" not in proc.stdout


def test_scan_output_checked_before_any_packet(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    marker = tmp_path / "nmap-was-called"
    (bindir / "nmap").write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n", encoding="utf-8")
    (bindir / "nmap").chmod(0o755)
    (tmp_path / "m.yaml").write_text(PROFILE + "public_addresses: [127.0.0.61]\n", "utf-8")
    out = tmp_path / "ro"
    out.mkdir()
    argv = ["env", f"PATH={bindir}:{os.environ['PATH']}", *cli(
        "scan", "-p", "m.yaml", "--ports", "3389", "--authorized", "-o", str(out / "s.json"))]
    _one_line(_run(read_only(out, argv), tmp_path), out / "s.json", "lecture seule")
    assert not marker.exists()


def test_stale_temporary_files_removed_at_the_next_start(tmp_path: Path) -> None:
    """A process killed (SIGKILL, for real) while saving leaves its temporary file; the next
    command writing in that folder removes it. A temporary file of a running process stays."""
    kill_mid_save = (
        "import os, sys; from pathlib import Path; from cyberdiag.fileio import temp_for\n"
        "fd, tmp = temp_for(Path(sys.argv[1]) / 'answers.yaml')\n"
        "os.write(fd, b'half an answers file'); print(tmp, flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", kill_mid_save, str(tmp_path)], capture_output=True, text=True
    )
    assert proc.returncode == -9
    left = Path(proc.stdout.strip())
    assert left.exists() and left.name.startswith(".answers.yaml.")
    (tmp_path / "answers.yaml").write_text("questionnaire: complet\nanswers: {}\n", "utf-8")
    old_style = tmp_path / ".answers.yaml.abcd1234.tmp"  # an older cyberdiag's, hours old
    old_style.write_text("x", encoding="utf-8")
    os.utime(old_style, (time.time() - 7200, time.time() - 7200))
    alive = tmp_path / f".answers.yaml.{os.getpid()}.zzzz9999.tmp"  # ours: still running
    alive.write_text("x", encoding="utf-8")
    (tmp_path / "m.yaml").write_text(PROFILE, encoding="utf-8")
    run = _run(cli("questionnaire", "-p", "m.yaml", "-a", "answers.yaml"), tmp_path, "q\n")
    assert run.returncode == 0, run.stderr
    assert not left.exists() and not old_style.exists()
    assert alive.exists()

