"""How long does the whole `cyberdiag report` process take for a complete diagnostic?

Target: under 3 s for the PDF. Each run is a fresh process (interpreter start, imports, Jinja2,
WeasyPrint layout, font subsetting, writing the file), timed from outside. On two cores the PDF
is laid out by two helper processes (report/pdf_parts.py): the CPU time, user + sys of the
command and of its helpers, is then higher than the wall clock. Prints both (CPU is less
sensitive to other load on the machine), the page count and the file size. Asserts nothing.
`taskset -c 0 .venv/bin/python benchmarks/report.py` measures the one-core path.

Run: .venv/bin/python benchmarks/report.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def _diagnostics(folder: Path) -> list[tuple[str, Path]]:
    """The complete diagnostic of the report tests (10 domains, 50 answers, 8 checks, 21
    findings) and the shipped example municipality scored by the real pipeline."""
    from report_fixtures import complete, from_example

    from cyberdiag.diagnostic import save

    fixture = folder / "fixture" / "diagnostic.json"
    fixture.parent.mkdir()
    save(complete(), fixture)
    out = [("tests' complete diagnostic", fixture)]
    example = folder / "example"
    example.mkdir()
    try:
        from_example(example)
        out.append(("examples/ville-exemple", example / "diagnostic.json"))
    except Exception as exc:  # the shipped data may be mid-edit: say so, keep the other figure
        print(f"examples/ville-exemple not scored: {exc}")
    return out


def _run(cmd: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def exe() -> str:
    """The cyberdiag command of this virtualenv."""
    return shutil.which("cyberdiag") or str(Path(sys.executable).parent / "cyberdiag")


def pdf_pages(pdf: Path) -> str:
    """The page count of `pdf` ("?" without pdfinfo or without the file)."""
    if shutil.which("pdfinfo") is None or not pdf.exists():
        return "?"
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return next((ln.split()[-1] for ln in out.splitlines() if ln.startswith("Pages:")), "?")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cyberdiag = exe()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(
            f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  "
            f"(cpus: {os.cpu_count()})"
        )
        for label, diag in _diagnostics(folder):
            print(label)
            for fmt in ("pdf", "html"):
                out = diag.parent / f"rapport.{fmt}"
                cmd = [cyberdiag, "report", str(diag), "-o", str(out), "--format", fmt]
                _run(cmd)  # warm-up: fontconfig cache, .pyc files
                runs = [_run(cmd) for _ in range(args.runs)]
                walls = [w for w, _ in runs]
                cpus = [c for _, c in runs]
                extra = f"{pdf_pages(out)} pages, " if fmt == "pdf" else ""
                print(
                    f"  cyberdiag report --format {fmt:4s}  wall median "
                    f"{statistics.median(walls):.2f} s (min {min(walls):.2f}, max "
                    f"{max(walls):.2f})   cpu median {statistics.median(cpus):.2f} s   "
                    f"{extra}{out.stat().st_size // 1024} KB   (n={args.runs})"
                )


if __name__ == "__main__":
    main()
