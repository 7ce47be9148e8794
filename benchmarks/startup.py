"""How fast does `cyberdiag --help` answer? (target: under 0.3 s). Prints figures, asserts nothing.

Run: .venv/bin/python benchmarks/startup.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def measure(cmd: list[str], runs: int = 15) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    exe = shutil.which("cyberdiag") or str(Path(sys.executable).parent / "cyberdiag")
    for label, cmd in (
        ("python -c pass (floor)", [sys.executable, "-c", "pass"]),
        ("cyberdiag --help", [exe, "--help"]),
        ("cyberdiag check --help", [exe, "check", "--help"]),
        ("cyberdiag report --help", [exe, "report", "--help"]),
    ):
        try:
            t = measure(cmd)
        except (subprocess.CalledProcessError, FileNotFoundError) as exc:
            print(f"{label:32s} failed: {exc}")
            continue
        print(
            f"{label:32s} median {statistics.median(t) * 1000:6.0f} ms   "
            f"min {min(t) * 1000:6.0f} ms   max {max(t) * 1000:6.0f} ms   (n={len(t)})"
        )
    # Which heavy modules does --help import? None of these should appear.
    probe = (
        "import sys; sys.argv=['cyberdiag','--help']\n"
        "import cyberdiag.cli as c\n"
        "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy=[m for m in ('weasyprint','nmap','dns.resolver','jinja2','cryptography','pydantic')"
        " if m in sys.modules]\n"
        "print('heavy modules imported by --help:', heavy or 'none')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=False, capture_output=True, text=True
    ).stdout
    print(out.strip().splitlines()[-1] if out.strip() else "probe failed")


if __name__ == "__main__":
    main()
