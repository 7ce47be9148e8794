"""`cyberdiag run` and `cyberdiag demo` from the command line, driven through their real prompts.

The run: questionnaire → checks → scan → score → report, against the lab; the demo: the example
municipality against its own lab, or without it. The steps themselves are tested without the
terminal in tests/journey/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from scan_fixtures import Listener, free_port
from typer.testing import CliRunner

from cyberdiag.answering import applicable_questions
from cyberdiag.cli import main
from cyberdiag.cli.app import app
from cyberdiag.errors import UserError
from cyberdiag.journey.demo import lab_unavailable
from cyberdiag.loading import load_check_catalogue, load_grid, load_profile, load_questionnaire

PROFILE = """\
name: Petiteville
insee: "59001"
population: 600
agents: 6
it_staff: false
it_provider: Presta Nord
domains: [{domain}]
public_addresses: [{address}]
"""


def make_profile(
    tmp_path: Path, domain: str = "sans-dmarc.test", address: str = "127.0.0.1"
) -> Path:
    p = tmp_path / "municipality.yaml"
    p.write_text(PROFILE.format(domain=domain, address=address), encoding="utf-8")
    return p


def n_questions(profile: Path) -> int:
    grid = load_grid()
    return len(
        applicable_questions(
            load_questionnaire("complet"),
            load_profile(profile),
            grid.tier_rules,
            {d.id: d.condition for d in grid.domains},
        )
    )


def invoke(args: list[str], text: str = "") -> Any:
    return CliRunner().invoke(
        app,
        ["run", *args],
        input=text,
        env={"CYBERDIAG_LANG": "fr", "NO_COLOR": "1", "COLUMNS": "120"},
    )


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"[\s\u00a0\u202f]+", " ", out.stdout)


def statuses(path: Path) -> list[str]:
    return [r["status"] for r in json.loads(path.read_text(encoding="utf-8"))["results"]]


def test_run_end_to_end_against_the_lab(lab: Any, tmp_path: Path) -> None:
    profile = make_profile(tmp_path, "sans-dmarc.test")
    n = n_questions(profile)
    out = tmp_path / "resultats"
    # Each question: an answer (alternating 1 and 3), then Enter for no comment.
    text = "".join(f"{1 if i % 2 else 3}\n\n" for i in range(n))
    res = invoke(["-p", str(profile), "-n", lab.nameserver, "--no-scan", "--out", str(out)], text)
    assert res.exit_code == 0, res.output
    answers = yaml.safe_load((out / "answers.yaml").read_text(encoding="utf-8"))["answers"]
    assert len(answers) == n
    # The lab's sans-dmarc.test: SPF +all, no DMARC, no STARTTLS... and a working DNS.
    st = statuses(out / "checks.json")
    assert "pass" in st and "fail" in st
    assert st.count("not_tested") < len(st) / 4
    diag = json.loads((out / "diagnostic.json").read_text(encoding="utf-8"))
    assert diag["profile"]["name"] == "Petiteville"
    assert any(f["source"] == "check" for f in diag["findings"])
    assert any(f["source"] == "question" for f in diag["findings"])
    text_pdf = pdf_text(out / "rapport.pdf")
    assert "Petiteville" in text_pdf
    assert (out / "rapport.html").exists()
    # The summary: level, check counts, files, and the PDF last.
    assert "Niveau global" in res.output
    assert re.search(r"Vérifications : \d+ réussies", res.output)
    assert "Fichiers écrits" in res.output
    assert res.output.strip().splitlines()[-1] == f"Rapport PDF : {out / 'rapport.pdf'}"
    for name in ("answers.yaml", "checks.json", "diagnostic.json", "rapport.pdf"):
        assert oct((out / name).stat().st_mode & 0o777) == "0o600", name
    # Nothing to ask any more: a second run goes straight to the checks and the report.
    res = invoke(["-p", str(profile), "-n", lab.nameserver, "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout[res.stdout.index("{") :])
    assert summary["answered"] == n and not summary["stopped"]
    assert summary["checks"]["pass"] > 0 and summary["checks"]["fail"] > 0


def test_stop_resume_and_no_nameserver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CYBERDIAG_NAMESERVER", raising=False)
    profile = make_profile(tmp_path)
    n = n_questions(profile)
    out = tmp_path / "r"
    res = invoke(["-p", str(profile), "--out", str(out)], "1\n\n2\n\nq\n")
    assert res.exit_code == 0, res.output
    assert len(yaml.safe_load((out / "answers.yaml").read_text())["answers"]) == 2
    assert "Relancez la même commande pour reprendre" in res.output
    assert not (out / "checks.json").exists() and not (out / "diagnostic.json").exists()
    # Input that ends before the questionnaire does: saved, and a clear error (exit 1).
    res = invoke(["-p", str(profile), "--out", str(out)], "1\n\n")
    assert isinstance(res.exception, UserError)
    assert "l'entrée est terminée. 3/" in res.exception.fr
    assert not (out / "checks.json").exists()
    # Resumed at question 4; without a nameserver the checks are "not tested", with the reason.
    res = invoke(["-p", str(profile), "--out", str(out)], "1\n\n" * (n - 3))
    assert res.exit_code == 0, res.output
    assert "Reprise : 3 réponses déjà enregistrées sur " in res.output
    assert f"question 4 sur {n}" in res.output
    st = json.loads((out / "checks.json").read_text())["results"]
    assert st and {r["status"] for r in st} == {"not_tested"}
    assert "--nameserver" in st[0]["reason"]["fr"]
    assert "indiquez le résolveur DNS" in res.output
    assert (out / "rapport.pdf").exists()


def test_scan_needs_the_authorisation(lab: Any, tmp_path: Path) -> None:
    web_ip = lab.ip("ville-exemple.test", 1)
    profile = make_profile(tmp_path, "ville-exemple.test", web_ip)
    n = n_questions(profile)
    out = tmp_path / "s"
    base = ["-p", str(profile), "-n", lab.nameserver, "--out", str(out), "--ports", "80,443"]
    # Not on a terminal and no --authorized: the scan is not run, the rest is.
    res = invoke([*base, "--scan"], "1\n\n" * n)
    assert res.exit_code == 0, res.output
    assert "Scan non fait : il exige l'autorisation écrite" in res.output
    assert not (out / "scan.json").exists()
    assert (out / "rapport.pdf").exists()
    # With the authorisation: only the ports the lab opened on its own address.
    res = invoke([*base, "--scan", "--authorized"])
    assert res.exit_code == 0, res.output
    scan = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    assert scan["kind"] == "scan"
    by_id = {r["id"]: r for r in scan["results"]}
    assert by_id["exposure.risky_services"]["status"] == "pass"
    assert "443" in json.dumps(by_id["exposure.open_ports"]["evidence"])
    diag = json.loads((out / "diagnostic.json").read_text(encoding="utf-8"))
    assert any(r["id"] == "exposure.open_ports" for r in diag["checks"])


@pytest.mark.skipif(shutil.which("nmap") is None, reason="nmap is not installed")
def test_scan_confirmed_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cyberdiag.cli import journey_view

    monkeypatch.delenv("CYBERDIAG_NAMESERVER", raising=False)
    monkeypatch.setattr(journey_view, "interactive", lambda: True)
    ip = "127.0.0.65"
    listener = Listener(ip, free_port([ip]))
    try:
        profile = make_profile(tmp_path, address=ip)
        out = tmp_path / "t"
        base = ["-p", str(profile), "--out", str(out), "--scan", "--ports", str(listener.port)]
        # The plan first, then the question; anything but yes sends nothing.
        res = invoke(base, "1\n\n" * n_questions(profile) + "n\n")
        assert res.exit_code == 0, res.output
        plan = f"3. Scan d'exposition : 1 adresse ({ip}), 1 port."
        question = "Je confirme que la commune m'autorise à scanner ces adresses [o/N] : "
        assert plan in res.output and question in res.output
        assert res.output.index(plan) < res.output.index(question)
        assert "Scan annulé : rien n'a été envoyé." in res.output
        assert not (out / "scan.json").exists() and listener.connections == 0
        # Yes: scanned, and the open port counted in the summary.
        res = invoke(base, "o\n")
        assert res.exit_code == 0, res.output
    finally:
        listener.close()
    assert listener.connections >= 1
    assert statuses(out / "scan.json") == ["pass", "warn"]
    assert "1 à améliorer" in res.output


def test_mistakes_stop_before_the_first_question(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x"
    assert main(["run", "-p", str(tmp_path / "absent.yaml"), "--out", str(out)]) == 1
    assert "Profil introuvable" in capsys.readouterr().err
    profile = make_profile(tmp_path)
    assert main(["run", "-p", str(profile), "-n", "dns.example", "--out", str(out)]) == 1
    assert not out.exists()
    assert main(["run", "-p", str(profile), "--scan", "--ports", "x", "--out", str(out)]) == 1
    assert not out.exists()


def test_a_failing_step_keeps_the_previous_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CYBERDIAG_NAMESERVER", raising=False)
    profile = make_profile(tmp_path)
    n = n_questions(profile)
    out = tmp_path / "f"
    (out / "rapport.pdf").mkdir(parents=True)  # the report cannot be written there
    res = invoke(["-p", str(profile), "--out", str(out)], "1\n\n" * n)
    # The UserError reaches cyberdiag.cli.main, which prints it and exits with 1.
    assert isinstance(res.exception, UserError), res.output
    assert "une étape n'a pas abouti" in res.exception.fr
    assert any(line.startswith("Rapport : ") for line in res.exception.lines)
    assert "Fichiers écrits" in res.output  # the summary was printed first
    assert (out / "answers.yaml").exists() and (out / "diagnostic.json").exists()
    assert (out / "checks.json").exists()


# ---- cyberdiag demo -------------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process and of the children it waited for (lab servers, nmap)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def statuses_by_target(path: Path) -> dict[str, str]:
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
    cpu0 = cpu_seconds()
    code = main(["demo", "--out", str(out)])
    cpu = cpu_seconds() - cpu0
    captured = capsys.readouterr()
    assert code == 0, captured.err + captured.out
    # Under a minute of work. CPU time, not wall-clock time: other processes may hold the cores
    # of a busy machine; a check that waited for its timeout shows as not_tested below.
    assert cpu < 60
    assert os.environ.get("SSL_CERT_FILE") == cert_before
    # The last line is the PDF to open.
    last = captured.out.strip().splitlines()[-1]
    pdf = out / "rapport.pdf"
    assert last == f"Rapport PDF : {pdf.resolve()}"
    assert "Laboratoire local démarré" in captured.out
    assert "Laboratoire local arrêté" in captured.out
    # The checks come from the lab: some pass, some fail or warn, few not tested.
    checks = statuses_by_target(out / "checks.json")
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
    # Short enough to be read (issue 14: about 20 pages), no page holding a lone line.
    layout = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [page for page in layout.split("\f") if page.strip()]
    assert len(pages) <= 20, len(pages)
    for i, page in enumerate(pages[1:], start=2):
        body = [line for line in page.splitlines() if line.strip()][1:-1]  # header, footer
        assert len(body) >= 3, f"page {i} holds only {body}"
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


def test_run_resumes_the_questionnaire_answered_beside_the_profile(tmp_path: Path) -> None:
    """`cyberdiag questionnaire` then `cyberdiag run --profile municipality.yaml`: the run goes
    on from the answers already given (answers.yaml beside the profile) and says so."""
    profile = make_profile(tmp_path)
    out = tmp_path / "r"
    res = invoke(["-p", str(profile), "--dir", str(out)], "1\n\n2\n\nq\n")
    assert res.exit_code == 0, res.output
    moved = tmp_path / "answers.yaml"
    (out / "answers.yaml").rename(moved)  # as if answered with `cyberdiag questionnaire`
    res = invoke(["-p", str(profile), "-d", str(out)], "q\n")
    assert res.exit_code == 0, res.output
    assert f"Réponses reprises de {moved}" in res.output.replace("\n", "")
    assert "Reprise : 2 réponses déjà enregistrées sur " in res.output
    assert not (out / "answers.yaml").exists()
