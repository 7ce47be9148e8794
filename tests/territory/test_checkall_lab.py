"""check-all against the lab's real servers: one unreachable municipality, killed and resumed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from cyberdiag.lab.manager import LabInfo
from cyberdiag.models import CheckRun

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = [
    "bonneville.test",
    "ville-exemple.test",
    "injoignable.test",
    "sans-dmarc.test",
    "non-mail.test",
    "double-spf.test",
]


def _runs(store: Path) -> dict[str, tuple[str, str]]:
    if not store.exists():
        return {}
    try:
        with sqlite3.connect(store, timeout=5) as c:
            return {
                r[0]: (r[1], r[2])
                for r in c.execute(
                    "SELECT insee, finished_at, results_json FROM check_runs WHERE campaign='2026'"
                )
            }
    except sqlite3.OperationalError:  # tables not created yet
        return {}


def test_check_all_lab_interrupted_and_resumed(lab: LabInfo, tmp_path: Path) -> None:
    munis = [lab.municipality(d) for d in DOMAINS]
    roster = tmp_path / "communes.csv"
    roster.write_text(
        "insee;name;domains;population\n"
        + "".join(f"{m.insee};{m.name};{m.domain};{m.population}\n" for m in munis),
        encoding="utf-8",
    )
    store = tmp_path / "t.sqlite"
    cmd = [
        sys.executable,
        "-m",
        "cyberdiag",
        "territory",
        "check-all",
        "-m",
        str(roster),
        "--nameserver",
        lab.nameserver,
        "--campaign",
        "2026",
        "--store",
        str(store),
        "--concurrency",
        "1",
        "--timeout",
        "1",
        "--rate",
        "50",
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")

    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(_runs(store)) < 2:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = _runs(store)
    assert 2 <= len(before) < len(munis), "killed too late to test a resume"

    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    after = _runs(store)
    assert set(after) == {m.insee for m in munis}
    assert all(after[k] == before[k] for k in before)  # nothing redone, nothing lost
    assert f"Reprise : {len(before)} communes déjà vérifiées dans la campagne" in done.stdout

    runs = {k: CheckRun.model_validate_json(v[1]) for k, v in after.items()}
    dead = runs[lab.municipality("injoignable.test").insee]
    assert sum(r.status == "not_tested" for r in dead.results) >= 10
    assert not any(r.status in ("pass", "warn", "fail") for r in dead.results)
    if "59910" not in before:  # checked during the resumed run: reported as unreachable
        assert "59910" in done.stdout.split("Injoignable")[1]
    good = runs[lab.municipality("bonneville.test").insee]
    assert sum(r.status == "pass" for r in good.results) >= 5
    weak = runs[lab.municipality("sans-dmarc.test").insee]
    assert any(r.status == "fail" for r in weak.results)
    assert all(r.target.endswith(".test") for run in runs.values() for r in run.results)
