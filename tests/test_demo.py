"""`cyberdiag demo` end to end: the example municipality, the local lab, the PDF report."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from cyberdiag.cli import main
from cyberdiag.demo import lab_unavailable
from cyberdiag.loading import load_check_catalogue


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"[\s\u00a0\u202f]+", " ", out.stdout)


def statuses(path: Path) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {f"{r['id']}@{r['target']}": r["status"] for r in data["results"]}


def test_demo_end_to_end_against_the_lab(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    why = lab_unavailable()
    if why is not None:
        pytest.skip(why.en)
    out = tmp_path / "demo-out"
    cert_before = os.environ.get("SSL_CERT_FILE")
    t0 = time.perf_counter()
    code = main(["demo", "--out", str(out)])
    elapsed = time.perf_counter() - t0
    captured = capsys.readouterr()
    assert code == 0, captured.err + captured.out
    assert elapsed < 60
    assert os.environ.get("SSL_CERT_FILE") == cert_before
    # The last line is the PDF to open.
    last = captured.out.strip().splitlines()[-1]
    pdf = out / "rapport.pdf"
    assert last == f"Rapport PDF : {pdf.resolve()}"
    assert "Laboratoire local démarré" in captured.out
    assert "Laboratoire local arrêté" in captured.out
    # The checks come from the lab: some pass, some fail or warn, few not tested.
    checks = statuses(out / "checks.json")
    values = list(checks.values())
    assert values.count("pass") >= 5
    assert values.count("fail") + values.count("warn") >= 3
    assert values.count("not_tested") < len(values) / 4
    assert all(k.endswith("@ville-exemple.test") or "@mairie@" in k for k in checks)
    # The lab's demo municipality has no HSTS and no security.txt: the checks say so.
    assert checks["web.hsts@ville-exemple.test"] == "fail"
    assert checks["mail.starttls@ville-exemple.test"] == "pass"
    # The scan only saw what the lab opened (80, 443): nothing risky.
    scan = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    risky = next(r for r in scan["results"] if r["id"] == "exposure.risky_services")
    assert risky["status"] == "pass"
    opened = json.dumps(scan["results"])
    assert "2024" not in opened
    # The diagnostic holds the same results, and the report shows them.
    diag = json.loads((out / "diagnostic.json").read_text(encoding="utf-8"))
    assert {r["status"] for r in diag["checks"]} >= {"pass", "fail"}
    assert diag["profile"]["domains"] == ["ville-exemple.test"]
    text = pdf_text(pdf)
    assert "Ville-Exemple" in text
    hsts = load_check_catalogue()["web.hsts"].title.fr
    assert re.sub(r"\s+", " ", hsts) in text
    # Private files; the lab is stopped (its resolver no longer answers).
    for name in ("answers.yaml", "checks.json", "diagnostic.json", "rapport.pdf"):
        assert oct((out / name).stat().st_mode & 0o777) == "0o600", name
    nameserver = json.loads((out / "checks.json").read_text())["nameservers"][0]
    assert _dns_answers(nameserver) is False


def _dns_answers(server: str) -> bool:
    import dns.exception
    import dns.message
    import dns.query

    host, _, port = server.partition(":")
    try:
        dns.query.udp(
            dns.message.make_query("ville-exemple.test", "SOA"),
            host,
            port=int(port or 53),
            timeout=0.5,
        )
    except (dns.exception.Timeout, OSError):
        return False
    return True


def test_demo_without_the_lab_marks_checks_not_tested(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "d"
    code = main(["demo", "--out", str(out), "--no-lab", "--json", "--lang", "en"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary = json.loads(captured.out)
    assert summary["lab_used"] is False
    assert "--no-lab" in summary["lab_reason"]
    assert set(summary["results"]) == {"not_tested"}
    data = json.loads((out / "checks.json").read_text(encoding="utf-8"))
    assert data["results"] and all(r["status"] == "not_tested" for r in data["results"])
    assert all("--no-lab" in r["reason"]["en"] for r in data["results"])
    # Scored and reported all the same, from the answers alone.
    assert Path(summary["report_pdf"]).exists()
    text = pdf_text(Path(summary["report_pdf"]))
    assert "Ville-Exemple" in text
    assert "Checks not tested" in captured.err


def test_lab_unavailable_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    why = lab_unavailable()
    assert why is not None and "root" in why.fr and "sudo" in why.en
