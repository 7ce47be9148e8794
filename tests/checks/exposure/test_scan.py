"""Exposure scan (`cyberdiag scan`): real nmap against listeners the tests open themselves on
127.0.0.61-69. Only ports opened here are scanned, always as an explicit list."""

from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from scan_fixtures import (
    BlackHole,
    Listener,
    free_port,
    nginx_server,
    nsd_server,
    risky_listener,
    wait_for_nmap,
    write_profile,
)

from cyberdiag.checks import exposure
from cyberdiag.cli import main
from cyberdiag.errors import UserError
from cyberdiag.models import CheckCatalogue, CheckResult, CheckRun, Profile, Text
from cyberdiag.resources import data_file

pytestmark = pytest.mark.skipif(exposure.find_nmap() is None, reason="nmap is not installed")

REPO = Path(__file__).resolve().parents[3]


def cpu_seconds() -> float:
    """CPU time of this process and of the children it waited for (nmap)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _run(path: Path) -> CheckRun:
    return CheckRun.model_validate_json(path.read_text(encoding="utf-8"))


def _by(run: CheckRun, check_id: str, target: str) -> CheckResult:
    return next(r for r in run.results if r.id == check_id and r.target == target)


# ---- the scan finds what is open, and only that -------------------------------------------


def test_risky_port_found_closed_port_not_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    risky = risky_listener("127.0.0.61")
    other = Listener("127.0.0.62", free_port(["127.0.0.62"]))
    closed = free_port(["127.0.0.61", "127.0.0.62"])
    try:
        prof = write_profile(tmp_path / "m.yaml", ["127.0.0.61", "127.0.0.62"])
        out = tmp_path / "scan.json"
        ports = f"{risky.port},{other.port},{closed}"
        cpu0 = cpu_seconds()
        code = main(
            ["scan", "-p", str(prof), "--ports", ports, "--authorized", "-o", str(out), "--json"]
        )
        cpu = cpu_seconds() - cpu0
        printed = capsys.readouterr().out
    finally:
        risky.close()
        other.close()
    assert code == 0
    assert risky.connections >= 1 and other.connections >= 1
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    run = _run(out)
    assert run.kind == "scan" and not run.interrupted
    assert json.loads(printed) == json.loads(out.read_text(encoding="utf-8"))

    r61 = _by(run, "exposure.risky_services", "127.0.0.61")
    assert r61.status == "fail"
    assert [s["port"] for s in r61.evidence["services"]] == [risky.port]
    assert r61.evidence["services"][0]["ip"] == "127.0.0.61"
    info = {p.port: p for p in exposure.load_port_catalogue().ports}[risky.port]
    assert info.title.fr in r61.message.fr and info.title.en in r61.message.en
    if risky.port == 3389:
        assert "Bureau à distance" in r61.message.fr
        assert r61.evidence["services"][0]["category"] == "remote_access"
    # The unknown open port on .62 is informational; the closed port appears nowhere.
    o62 = _by(run, "exposure.open_ports", "127.0.0.62")
    assert o62.status == "warn"
    assert [p["port"] for p in o62.evidence["open_ports"]] == [other.port]
    assert _by(run, "exposure.risky_services", "127.0.0.62").status == "pass"
    assert _by(run, "exposure.open_ports", "127.0.0.61").status == "pass"
    reported = [
        item["port"]
        for r in run.results
        for item in [*r.evidence.get("services", []), *r.evidence.get("open_ports", [])]
    ]
    assert sorted(reported) == sorted([risky.port, other.port]) and closed not in reported
    assert all(r.evidence["ports_scanned"] == 3 for r in run.results)
    # A quick scan: CPU time (this process and nmap), not wall-clock time, which a busy machine
    # stretches; waiting for a timeout would have left an address not scanned (checked above).
    assert cpu < 10


def test_human_output_is_a_table_with_the_explanation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    risky = risky_listener("127.0.0.61")
    try:
        prof = write_profile(tmp_path / "m.yaml", ["127.0.0.61"])
        code = main(
            ["scan", "-p", str(prof), "--ports", str(risky.port), "--authorized", "--lang", "en"]
        )
        cap = capsys.readouterr()
    finally:
        risky.close()
    assert code == 0
    assert "Exposure scan results" in cap.out and "failed" in cap.out
    assert "To do:" in cap.out
    assert "127.0.0.61" in cap.err  # the plan, shown before scanning


# ---- scope: refused before any packet -----------------------------------------------------


def test_out_of_scope_target_refused_before_any_packet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outsider = Listener("127.0.0.63", free_port(["127.0.0.63"]))
    try:
        prof = write_profile(tmp_path / "m.yaml", ["127.0.0.61", "127.0.0.64/30"])
        code = main(
            [
                "scan",
                "-p",
                str(prof),
                "--ports",
                str(outsider.port),
                "--authorized",
                "--target",
                "127.0.0.63",
            ]
        )
        err = capsys.readouterr().err
        time.sleep(0.1)
    finally:
        outsider.close()
    assert code == 1
    assert "hors périmètre" in err and "127.0.0.63" in err and "Rien n'a été envoyé" in err
    assert outsider.connections == 0


@pytest.fixture
def tripwire_nmap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake `nmap` first on PATH that records any call: proves nmap was never started."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    marker = tmp_path / "nmap-was-called"
    script = bindir / "nmap"
    script.write_text(f"#!/bin/sh\necho \"$@\" > '{marker}'\nexit 1\n", encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.chdir(tmp_path)
    return marker


HOSTILE = [
    "127.0.0.1 -oN out.txt",
    "--script",
    "--script=vuln",
    "0.0.0.0/0",
    "-iL /etc/passwd",
    "127.0.0.1;rm",
    "127.0.0.1 127.0.0.2",
    "$(touch pwned)",
    "127.0.0.0/16",  # wider than /24 without allow_wide_ranges
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "192.168.1.10",
    "10.0.0.0/24",
    "fe80::1%eth0",
    "2a01:cb00::1%1",
    "127.0.0.1\x1b[2J",
    "ff02::1",
    "127.1",
    "",
]


@pytest.mark.parametrize("entry", HOSTILE)
def test_hostile_target_refused(
    entry: str, tmp_path: Path, tripwire_nmap: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prof = write_profile(tmp_path / "m.yaml", [entry])
    code = main(["scan", "-p", str(prof), "--ports", "3389", "--authorized"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Cible refusée" in err and "Rien n'a été envoyé" in err
    assert "Traceback" not in err
    assert not tripwire_nmap.exists()
    assert not (tmp_path / "out.txt").exists() and not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("entry", ["--script", "127.0.0.61 -oN x", "127.0.0.0/16", "mairie.test"])
def test_hostile_target_option_refused(
    entry: str, tmp_path: Path, tripwire_nmap: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prof = write_profile(tmp_path / "m.yaml", ["127.0.0.61", "127.0.0.0/24"])
    code = main(["scan", "-p", str(prof), "--ports", "3389", "--authorized", "--target", entry])
    assert code == 1
    assert not tripwire_nmap.exists()
    err = capsys.readouterr().err
    assert "Cible refusée" in err or "hors périmètre" in err


def test_parse_entry_accepts_and_refuses() -> None:
    assert exposure.parse_entry("127.0.0.61").kind == "address"
    assert exposure.parse_entry(" 127.0.0.0/24 ").kind == "network"
    assert exposure.parse_entry("::1").kind == "address"
    assert exposure.parse_entry("2a01:cb00::/120").kind == "network"
    e = exposure.parse_entry("Mairie.Ville-A.test.")
    assert e.kind == "hostname" and e.hostname == "mairie.ville-a.test"
    assert exposure.parse_entry("mairie-évry.test").hostname == "xn--mairie-vry-h7a.test"
    assert exposure.parse_entry("127.0.0.0/23", allow_wide_ranges=True).size() == 512
    assert exposure.parse_entry("127.0.0.0/16", allow_wide_ranges=True).kind == "network"
    for bad, wide, words in [
        ("127.0.0.0/15", True, "au plus /16"),
        ("127.0.0.0/23", False, "allow_wide_ranges"),
        ("2a01:cb00::/112", False, "au plus /120"),
        ("127.0.0.1/24", False, "127.0.0.0/24"),
        ("203.0.113.7", False, "documentation"),
        ("100.64.1.1", False, "opérateur"),
        ("::ffff:127.0.0.1", False, "IPv4"),
        ("a..b", False, "nom d'hôte"),
        ("-a.test", False, "nom d'hôte"),
        ("a" * 64 + ".test", False, "nom d'hôte"),
    ]:
        with pytest.raises(UserError) as exc:
            exposure.parse_entry(bad, allow_wide_ranges=wide)
        assert words in exc.value.fr, (bad, exc.value.fr)
        assert exc.value.en


def test_restrict_scope() -> None:
    prof = Profile(
        name="V",
        insee="59350",
        population=1,
        agents=1,
        public_addresses=["127.0.0.0/24", "www.ville.test"],
    )
    entries = exposure.declared_scope(prof)
    kept = exposure.restrict_scope(entries, ["127.0.0.5", "www.ville.test", "127.0.0.8/30"])
    assert [k.text for k in kept] == ["127.0.0.5", "www.ville.test", "127.0.0.8/30"]
    for outside in ["127.0.1.5", "autre.ville.test", "127.0.0.0/23", "::1"]:
        with pytest.raises(UserError, match="hors périmètre"):
            exposure.restrict_scope(entries, [outside])


def test_all_profile_mistakes_reported_at_once() -> None:
    prof = Profile(
        name="V",
        insee="59350",
        population=1,
        agents=1,
        public_addresses=["127.0.0.61", "--script", "0.0.0.0/0"],
    )
    with pytest.raises(UserError) as exc:
        exposure.declared_scope(prof)
    assert "2 cibles refusées" in exc.value.fr and len(exc.value.lines) == 2
    empty = Profile(name="V", insee="59350", population=1, agents=1)
    with pytest.raises(UserError, match="aucune adresse publique"):
        exposure.declared_scope(empty)


# ---- ports ------------------------------------------------------------------------------


def test_parse_ports() -> None:
    cat = exposure.load_port_catalogue()
    risky = exposure.parse_ports("risky", cat)
    for p in (
        3389,
        445,
        139,
        23,
        21,
        5900,
        1433,
        3306,
        5432,
        27017,
        6379,
        9200,
        389,
        636,
        3268,
        3269,
        9100,
        631,
        515,
        8291,
        10000,
        2375,
        6443,
        10250,
        5985,
        22,
    ):
        assert p in risky
    assert 80 not in risky and 443 not in risky and 2024 not in risky
    top = exposure.parse_ports("top100", cat)
    assert set(risky) < set(top) and 80 in top and len(exposure.TOP100) == 100
    assert 2024 not in top
    assert exposure.parse_ports("22, 80,8000-8002,80", cat) == [22, 80, 8000, 8001, 8002]
    assert exposure.parse_ports("risky,18000", cat) == sorted({*risky, 18000})
    for bad in ["0", "70000", "80-20", "22;rm", "--script", "", "22,", "1-2-3", "-p 22"]:
        with pytest.raises(UserError, match="Ports invalides"):
            exposure.parse_ports(bad, cat)
    assert exposure.port_spec([25, 21, 22, 23, 80, 8000, 8001]) == "21-23,25,80,8000-8001"


def test_invalid_ports_option_refused_before_scan(
    tmp_path: Path, tripwire_nmap: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prof = write_profile(tmp_path / "m.yaml", ["127.0.0.61"])
    code = main(["scan", "-p", str(prof), "--ports", "22 -oN out.txt", "--authorized"])
    assert code == 1 and not tripwire_nmap.exists()
    assert "Ports invalides" in capsys.readouterr().err


def test_catalogues_load_and_match() -> None:
    cat = exposure.load_port_catalogue()
    assert len({p.port for p in cat.ports}) == len(cat.ports)
    assert all(p.category in cat.categories for p in cat.ports)
    assert {p.port: p.severity for p in cat.ports}[3389] == "critical"
    assert {p.port: p.severity for p in cat.ports}[22] == "medium"
    for p in cat.ports:
        for text in (p.title, p.explanation, p.remediation):
            assert text.fr.strip() and text.en.strip() and text.fr != text.en or p.port == 53
    checks = CheckCatalogue.model_validate(
        yaml.safe_load(data_file("checks", "exposure.yaml").read_text(encoding="utf-8"))
    )
    assert tuple(c.id for c in checks.checks) == exposure.CHECK_IDS
    assert all(c.domain == "exposition" for c in checks.checks)
    assert checks.checks[0].severity == "critical"


# ---- nmap missing, authorisation, interruption ------------------------------------------


def test_nmap_absent_gives_not_tested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    listener = Listener("127.0.0.64", free_port(["127.0.0.64"]))
    empty = tmp_path / "emptybin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    try:
        prof = write_profile(tmp_path / "m.yaml", ["127.0.0.64"])
        out = tmp_path / "scan.json"
        code = main(
            ["scan", "-p", str(prof), "--ports", str(listener.port), "--authorized", "-o", str(out)]
        )
        cap = capsys.readouterr()
        time.sleep(0.1)
    finally:
        listener.close()
    assert code == 1
    assert listener.connections == 0
    assert "apt-get install nmap" in cap.err and "Traceback" not in cap.err
    run = _run(out)
    assert [r.status for r in run.results] == ["not_tested", "not_tested"]
    assert all(r.reason is not None and "nmap" in r.reason.fr for r in run.results)
    assert "nmap.org/download" in run.results[0].reason.en  # type: ignore[union-attr]


def test_broken_nmap_gives_not_tested(tmp_path: Path, tripwire_nmap: Path) -> None:
    targets = exposure.expand_targets([exposure.parse_entry("127.0.0.65")])
    outcome = exposure.run_scan(targets, [3389])
    assert outcome.nmap_problem is not None and "nmap" in outcome.nmap_problem.fr
    results = exposure.build_results(targets, outcome, exposure.load_port_catalogue(), [3389])
    assert {r.status for r in results} == {"not_tested"}


def test_no_authorisation_and_no_terminal_sends_nothing(tmp_path: Path) -> None:
    listener = Listener("127.0.0.65", free_port(["127.0.0.65"]))
    try:
        prof = write_profile(tmp_path / "m.yaml", ["127.0.0.65"])
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "cyberdiag",
                "scan",
                "-p",
                str(prof),
                "--ports",
                str(listener.port),
                "-o",
                str(tmp_path / "scan.json"),
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO,
        )
        time.sleep(0.1)
    finally:
        listener.close()
    assert proc.returncode == 1
    assert "autorisation" in proc.stderr and "Rien n'a été envoyé" in proc.stderr
    assert listener.connections == 0
    assert not (tmp_path / "scan.json").exists()


@pytest.mark.parametrize(
    ("answer", "expected_code"),
    [("n\n", 1), ("\n", 1), ("non\n", 1), ("peut-être\n", 1), ("o\n", 0), ("yes\n", 0)],
)
def test_terminal_confirmation(
    answer: str,
    expected_code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cyberdiag.cli import scan_view

    listener = Listener("127.0.0.66", free_port(["127.0.0.66"]))
    monkeypatch.setattr(scan_view, "interactive", lambda: True)
    monkeypatch.setattr(sys, "stdin", io.StringIO(answer))
    try:
        prof = write_profile(tmp_path / "m.yaml", ["127.0.0.66"])
        code = main(["scan", "-p", str(prof), "--ports", str(listener.port), "--lang", "en"])
        cap = capsys.readouterr()
        time.sleep(0.1)
    finally:
        listener.close()
    assert "I confirm that the municipality authorises me to scan these addresses" in cap.err
    assert cap.err.index("127.0.0.66") < cap.err.index("I confirm")  # targets shown first
    assert str(listener.port) in cap.err.split("I confirm")[0]  # ports shown first
    assert code == expected_code
    if expected_code == 0:
        assert listener.connections >= 1
    else:
        assert listener.connections == 0 and "Nothing was sent" in cap.err


def test_interrupted_scan_keeps_partial_results() -> None:
    ips = ["127.0.0.67", "127.0.0.68", "127.0.0.69"]
    port = free_port(ips)
    listeners = [Listener(ip, port) for ip in ips]
    calls: list[str] = []

    def on_progress(label: str, done: int) -> None:
        calls.append(label)
        raise KeyboardInterrupt

    try:
        targets = exposure.expand_targets([exposure.parse_entry(ip) for ip in ips])
        outcome = exposure.run_scan(targets, [port], on_progress=on_progress)
    finally:
        for lst in listeners:
            lst.close()
    assert outcome.interrupted and calls == ["127.0.0.67"]
    assert listeners[0].connections >= 1
    assert listeners[1].connections == 0 and listeners[2].connections == 0
    results = exposure.build_results(targets, outcome, exposure.load_port_catalogue(), [port])
    first = [r for r in results if r.target == "127.0.0.67"]
    assert {r.status for r in first} == {"pass", "warn"}  # scanned: unknown port open -> warn
    for r in results:
        if r.target != "127.0.0.67":
            assert r.status == "not_tested"
            assert r.reason is not None and "interrupted" in r.reason.en


def test_ctrl_c_during_cli_scan_writes_partial_results(tmp_path: Path) -> None:
    """SIGINT to the process group (what Ctrl-C does) while the 2nd target is being scanned.

    Robust on a busy machine: the signal goes as soon as nmap is seen scanning the 2nd target
    (not after a sleep), and the 7 black-hole targets (about 1 s each, whatever the load) keep
    the last target out of reach for several seconds after that.
    """
    first, last = "127.0.0.61", "127.0.0.69"
    slow = [f"127.0.0.{n}" for n in range(62, 69)]
    port = free_port([first, *slow, last])
    lfirst, llast = Listener(first, port), Listener(last, port)
    holes = [BlackHole(ip, port) for ip in slow]
    out = tmp_path / "scan.json"
    try:
        prof = write_profile(tmp_path / "m.yaml", [first, *slow, last])
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cyberdiag",
                "scan",
                "-p",
                str(prof),
                "--ports",
                str(port),
                "--authorized",
                "-o",
                str(out),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            start_new_session=True,
        )
        assert lfirst.wait_for_connection(60), "first target never scanned"
        assert wait_for_nmap(slow[0], proc.pid, 60), "second target never scanned"
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        lfirst.close()
        llast.close()
        for hole in holes:
            hole.close()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert llast.connections == 0
    run = _run(out)
    assert run.interrupted
    assert _by(run, "exposure.open_ports", first).status == "warn"
    for r in run.results:
        if r.target == last:
            assert r.status == "not_tested" and "interrupted" in r.reason.en  # type: ignore[union-attr]


# ---- names through --nameserver, versions --------------------------------------------------


def test_hostname_resolved_through_nameserver(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listener = risky_listener("127.0.0.67")
    try:
        with nsd_server(
            tmp_path / "nsd",
            "127.0.0.69",
            "ville-scan.test",
            "www IN A 127.0.0.67\nprive IN A 10.1.2.3\n",
        ) as dns_port:
            prof = write_profile(
                tmp_path / "m.yaml",
                ["www.ville-scan.test", "prive.ville-scan.test", "absent.ville-scan.test"],
            )
            no_ns = main(["scan", "-p", str(prof), "--ports", str(listener.port), "--authorized"])
            assert no_ns == 1 and "--nameserver" in capsys.readouterr().err
            out = tmp_path / "scan.json"
            code = main(
                [
                    "scan",
                    "-p",
                    str(prof),
                    "--ports",
                    str(listener.port),
                    "--authorized",
                    "--nameserver",
                    f"127.0.0.69:{dns_port}",
                    "-o",
                    str(out),
                ]
            )
    finally:
        listener.close()
    assert code == 0 and listener.connections >= 1
    run = _run(out)
    assert run.nameservers == [f"127.0.0.69:{dns_port}"]
    www = _by(run, "exposure.risky_services", "www.ville-scan.test")
    assert www.status == "fail" and www.evidence["addresses"] == ["127.0.0.67"]
    prive = _by(run, "exposure.risky_services", "prive.ville-scan.test")
    assert prive.status == "not_tested" and "10.1.2.3" in prive.reason.fr  # type: ignore[union-attr]
    absent = _by(run, "exposure.open_ports", "absent.ville-scan.test")
    assert absent.status == "not_tested" and "aucune adresse" in absent.reason.fr  # type: ignore[union-attr]


def test_service_versions_with_nginx(tmp_path: Path) -> None:
    """The one -sV test (6-14 s): nginx on a catalogued admin-panel port."""
    ip = "127.0.0.68"
    port = 8080 if free_port([ip]) and _can_bind(ip, 8080) else free_port([ip])
    with nginx_server(tmp_path / "nginx", ip, port):
        targets = exposure.expand_targets([exposure.parse_entry(ip)])
        t0 = time.perf_counter()
        outcome = exposure.run_scan(targets, [port], service_versions=True)
        elapsed = time.perf_counter() - t0
    assert "-sV" in outcome.arguments
    results = exposure.build_results(
        targets, outcome, exposure.load_port_catalogue(), [port], service_versions=True
    )
    evidence = [
        *results[0].evidence.get("services", []),
        *results[1].evidence.get("open_ports", []),
    ]
    assert len(evidence) == 1
    assert "nginx" in evidence[0]["product"].lower()
    if port == 8080:
        assert results[0].status == "warn"  # admin panel port: medium severity -> warn
    print(f"-sV scan of nginx: {elapsed:.1f} s")


def _can_bind(ip: str, port: int) -> bool:
    import socket

    s = socket.socket()
    try:
        s.bind((ip, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def test_ipv6_loopback_is_scanned_with_dash_6() -> None:
    listener = Listener("::1", 0)
    try:
        targets = exposure.expand_targets([exposure.parse_entry("::1")])
        outcome = exposure.run_scan(targets, [listener.port])
    finally:
        listener.close()
    assert listener.connections >= 1
    results = exposure.build_results(
        targets, outcome, exposure.load_port_catalogue(), [listener.port]
    )
    assert [r.status for r in results] == ["pass", "warn"]
    assert f"[::1]:{listener.port}" in results[1].message.fr


def test_incomplete_scan_never_passes() -> None:
    """Pure result building: an address that timed out keeps what was proven, never a pass."""
    cat = exposure.load_port_catalogue()
    targets = exposure.expand_targets([exposure.parse_entry("127.0.0.60/30")])
    assert targets[0].addresses == ["127.0.0.61", "127.0.0.62"]
    late = exposure.HostOutcome("timeout", reason=Text(fr="pas de réponse", en="no answer"))
    found = exposure.OpenPort(ip="127.0.0.61", port=3389)
    web = exposure.OpenPort(ip="127.0.0.61", port=443)
    cases = [
        ([found, web], "fail", "not_tested"),
        ([web], "not_tested", "not_tested"),
        ([exposure.OpenPort(ip="127.0.0.61", port=22)], "warn", "not_tested"),
        ([exposure.OpenPort(ip="127.0.0.61", port=18080)], "not_tested", "warn"),
    ]
    for opened, risky_status, open_status in cases:
        outcome = exposure.ScanOutcome(
            hosts={"127.0.0.61": exposure.HostOutcome("scanned", opened), "127.0.0.62": late}
        )
        risky, other = exposure.build_results(targets, outcome, cat, [22, 443, 3389, 18080])
        assert (risky.status, other.status) == (risky_status, open_status), opened
        assert risky.evidence["not_scanned"][0]["ip"] == "127.0.0.62"
        assert (
            "1 adresse sur 2 non scannée"
            in (risky.reason or risky.message).fr + (other.reason or other.message).fr
        )


def test_plan_and_execute_programmatic_entry_point() -> None:
    listener = risky_listener("127.0.0.69")
    try:
        prof = Profile(
            name="V", insee="59350", population=1, agents=1, public_addresses=["127.0.0.69"]
        )
        plan = exposure.plan_scan(exposure.scan_scope(prof, f"{listener.port}"))
        assert plan.addresses == ["127.0.0.69"] and plan.scope.ports == [listener.port]
        with pytest.raises(UserError, match="autorisation"):
            exposure.execute(plan, authorised=False)
        assert listener.connections == 0
        run, outcome = exposure.execute(plan, authorised=True)
        with pytest.raises(UserError, match="Ports invalides"):
            exposure.scan_scope(prof, "3389 --script")
    finally:
        listener.close()
    assert run.kind == "scan" and not run.interrupted and outcome.nmap_problem is None
    assert [r.status for r in run.results] == ["fail", "pass"]
    assert listener.connections >= 1


def test_duplicate_entries_are_scanned_once() -> None:
    prof = Profile(
        name="V",
        insee="59350",
        population=1,
        agents=1,
        public_addresses=["127.0.0.61", " 127.0.0.61", "WWW.ville.test", "www.ville.test"],
    )
    assert [e.text for e in exposure.declared_scope(prof)] == ["127.0.0.61", "WWW.ville.test"]


def test_nmap_failing_during_the_scan_gives_not_tested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An nmap that starts but fails on the scan (python-nmap raises PortScannerError)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "nmap"
    script.write_text(
        '#!/bin/sh\nif [ "$1" = "-V" ]; then echo "Nmap version 7.93 ( https://nmap.org )"; '
        'exit 0; fi\necho "nmap: simulated failure" >&2\nexit 2\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    prof = write_profile(tmp_path / "m.yaml", ["127.0.0.61"])
    out = tmp_path / "scan.json"
    code = main(["scan", "-p", str(prof), "--ports", "3389", "--authorized", "-o", str(out)])
    assert code == 0 and "Traceback" not in capsys.readouterr().err
    run = _run(out)
    assert {r.status for r in run.results} == {"not_tested"}
    assert all(r.reason is not None and "nmap" in r.reason.en for r in run.results)
    assert run.results[0].reason.en == "nmap failed: nmap: simulated failure"  # type: ignore[union-attr]
