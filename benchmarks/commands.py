"""How long do the everyday commands take, as a user sees them? Prints figures, asserts nothing.

Each figure is a whole process (interpreter start, imports, reading the shipped files, the work,
writing the files), median of N runs after one warm-up, wall clock and CPU time (user + sys of
the command and its helper processes: less sensitive to other load on the machine; `report`
lays its PDF out on two cores, so its CPU time is above its wall clock). Targets (issue 14):

- the first question of `cyberdiag questionnaire` on screen   < 0.5 s
- `cyberdiag score` (the example municipality)                < 0.7 s
- `cyberdiag validate` (every shipped file)                   < 1 s
- `cyberdiag report` of the demo's diagnostic (PDF)           < 3 s

The demo's diagnostic is made by `cyberdiag demo` (with its local lab when run as root; or
given with --demo DIR). The load average is printed first: on a busy machine read the CPU
column.

Run: .venv/bin/python benchmarks/commands.py [--runs 5] [--demo DIR]
"""

from __future__ import annotations

import argparse
import os
import pty
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from report import exe, pdf_pages  # benchmarks/report.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ville-exemple"
TARGETS = {"questionnaire": 0.5, "score": 0.7, "validate": 1.0, "report": 3.0}


def _cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_process(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall, cpu) of one whole process."""
    c0, t0 = _cpu_children(), time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0, _cpu_children() - c0


def first_question(cmd: list[str], cwd: Path, marker: bytes) -> tuple[float, float]:
    """(wall, cpu) until `marker` (the answer prompt) is on the terminal: run under a
    pseudo-terminal as a user would, stopped as soon as the first question waits."""
    c0, t0 = _cpu_children(), time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child: the command, its terminal being the pty
        os.chdir(cwd)
        os.execv(cmd[0], cmd)
    seen, wall = b"", None
    try:
        while wall is None:
            ready, _, _ = select.select([fd], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if marker in seen:
                wall = time.perf_counter() - t0
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    if wall is None:
        raise RuntimeError(f"no question on screen: {seen[-300:]!r}")
    return wall, _cpu_children() - c0


def measure(label: str, fn: Callable[[], tuple[float, float]], runs: int) -> None:
    fn()  # warm-up: shipped-file cache, fontconfig cache
    results = [fn() for _ in range(runs)]
    walls = sorted(w for w, _ in results)
    cpus = sorted(c for _, c in results)
    target = TARGETS[label.split()[0]]
    ok = "ok" if statistics.median(walls) < target else "OVER"
    print(
        f"{label:<42} wall median {statistics.median(walls):5.2f} s (min {walls[0]:.2f}, max "
        f"{walls[-1]:.2f})   cpu median {statistics.median(cpus):5.2f} s   target < {target} s "
        f"{ok}   (n={runs})",
        flush=True,
    )


def _demo_folder(tmp: Path, given: Path | None) -> Path:
    if given is not None:
        return given
    folder = tmp / "demo"
    subprocess.run(
        [exe(), "demo", "--out", str(folder)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--demo", type=Path, default=None, help="folder of a cyberdiag demo run")
    args = parser.parse_args()
    cyberdiag = exe()
    # Bytecode compiled first, as on a user's machine after the first run: with
    # PYTHONDONTWRITEBYTECODE set (as in some shells), every run would compile ~60 modules.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "cyberdiag")], check=True)
    env_lang = os.environ.pop("CYBERDIAG_LANG", None)  # French, as a user sees it
    print(
        f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  (cpus: "
        f"{os.cpu_count()})   whole process, median of {args.runs} after one warm-up",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        work = tmp / "commune"
        work.mkdir()
        shutil.copy(EXAMPLE / "municipality.yaml", work / "municipality.yaml")
        shutil.copy(EXAMPLE / "answers.yaml", work / "answers.yaml")
        fresh = tmp / "fresh"
        fresh.mkdir()
        shutil.copy(EXAMPLE / "municipality.yaml", fresh / "municipality.yaml")

        def question() -> tuple[float, float]:
            (fresh / "answers.yaml").unlink(missing_ok=True)
            return first_question([cyberdiag, "questionnaire"], fresh, "Votre réponse".encode())

        measure("questionnaire (first question on screen)", question, args.runs)
        measure(
            "score (example municipality)",
            lambda: run_process([cyberdiag, "score", "-o", "diagnostic.json"], work),
            args.runs,
        )
        measure("validate (every shipped file)", lambda: run_process([cyberdiag, "validate"], work),
                args.runs)
        demo = _demo_folder(tmp, args.demo)
        pdf = tmp / "rapport.pdf"
        measure(
            "report (demo's diagnostic, PDF)",
            lambda: run_process(
                [cyberdiag, "report", str(demo / "diagnostic.json"), "-o", str(pdf)], tmp
            ),
            args.runs,
        )
        print(f"  demo report: {pdf_pages(pdf)} pages, {pdf.stat().st_size // 1024} KB")
    if env_lang is not None:
        os.environ["CYBERDIAG_LANG"] = env_lang


if __name__ == "__main__":
    main()
