"""Benchmark of the territorial store: generate, import and report.

    .venv/bin/python benchmarks/territory.py [--n 1000] [--report-n 90] [--keep DIR]

Prints wall-clock and CPU times (CPU time is what a step costs on an idle machine; the wall
clock also counts other processes and disk syncs). Targets: import 1,000 diagnostics < 10 s,
also when they are sealed (age, `cyberdiag seal`) and opened with the secret key; the
territorial report for 90 municipalities < 10 s (PDF, and the HTML dashboard). By default the
diagnostics are scored by the shipped grid and questionnaire from seeded random answers
(tests/territory_fixtures.py, real_diagnostic: ~90 kB each, 79 questions); --factory simple
uses the small test factory.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from territory_fixtures import (  # noqa: E402
    municipalities,
    write_diagnostics,
    write_real_diagnostics,
)

from cyberdiag.sealing import keygen, read_recipients, seal_file  # noqa: E402
from cyberdiag.territory.aggregate import build_view  # noqa: E402
from cyberdiag.territory.export import export_rows, to_csv  # noqa: E402
from cyberdiag.territory.importer import import_files  # noqa: E402
from cyberdiag.territory.report import write_report  # noqa: E402
from cyberdiag.territory.store import open_store  # noqa: E402
from cyberdiag.territory.summary import summary  # noqa: E402
from cyberdiag.territory.summary import to_csv as summary_csv  # noqa: E402


def timed(label: str, fn: object, *args: object, **kw: object) -> object:
    """Run fn, print wall-clock and CPU time (CPU: what it costs on an idle machine)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kw)  # type: ignore[operator]
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{label:<62} {wall:6.2f} s wall {cpu:6.2f} s CPU", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--report-n", type=int, default=90)
    ap.add_argument(
        "--factory",
        choices=("real", "simple"),
        default="real",
        help="real: answers scored by the shipped grid (default); simple: the test factory",
    )
    ap.add_argument("--keep", type=Path, default=None, help="keep the files in this folder")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="cyberdiag-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    write = write_real_diagnostics if args.factory == "real" else write_diagnostics
    try:
        ms = municipalities(args.n, seed=1)
        timed(
            f"generate {args.n} diagnostics (factory, not timed target)",
            write,
            work / "all",
            ms,
            2,
        )
        size = sum(p.stat().st_size for p in (work / "all").glob("*.json"))
        print(f"  {size / 1e6:.1f} MB of diagnostic.json")
        with open_store(work / "big.sqlite") as s:
            rep = timed(
                f"import {args.n} diagnostics (one transaction)",
                import_files,
                s,
                [work / "all"],
                "2026",
            )
            assert len(rep.imported) == args.n  # type: ignore[attr-defined]
        # The same diagnostics sealed for the territory's key (cyberdiag seal), then imported
        # with the secret key: decrypted in memory, one transaction.
        pair = keygen(work / "cles")
        recipients = read_recipients(str(pair.public_path))
        (work / "sealed").mkdir()
        timed(
            f"seal {args.n} diagnostics (the municipalities' side, not a target)",
            lambda: [
                seal_file(p, recipients, work / "sealed")
                for p in sorted((work / "all").glob("*.json"))
            ],
        )
        with open_store(work / "sealed.sqlite") as s:
            rep = timed(
                f"import {args.n} SEALED diagnostics (decrypt + one transaction)",
                import_files,
                s,
                [work / "sealed"],
                "2026",
                pair.secret_path,
            )
            assert len(rep.imported) == args.n  # type: ignore[attr-defined]
        with open_store(work / "big.sqlite") as s:
            view = timed(f"aggregate {args.n} (anonymised view)", build_view, s)
            timed(
                f"export CSV {args.n} × domains",
                lambda: to_csv(
                    export_rows(s, None, named=False, lang="fr"), named=False, semicolon=True
                ),
            )
            timed(f"report HTML for {args.n}", write_report, view, work / "big.html", "fr")
        # A territory the size of MEL: two campaigns (for the trend), report HTML and PDF.
        small = ms[: args.report_n]
        write(work / "prev", small, 3, created_at=datetime(2025, 3, 1, tzinfo=UTC))
        write(work / "cur", small, 4)
        with open_store(work / "mel.sqlite") as s:
            import_files(s, [work / "prev"], "2025")
            timed(f"import {args.report_n} diagnostics", import_files, s, [work / "cur"], "2026")

            def report(out: Path) -> None:
                write_report(build_view(s), out, "fr")

            timed(
                f"report HTML for {args.report_n} (aggregate + render)", report, work / "mel.html"
            )
            timed(
                f"export summary CSV for {args.report_n} (per group, anonymised)",
                lambda: summary_csv(summary(s, None, named=False, lang="fr"), "fr"),
            )
            timed(
                f"report PDF for {args.report_n} (aggregate + render + WeasyPrint)",
                report,
                work / "mel.pdf",
            )
        print(f"files in {work}" if args.keep else "")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
