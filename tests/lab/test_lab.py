"""The lab itself: CLI start/status/stop by pid, state file, territory generation, zone text,
and the IPv6 lab (only in a network namespace of its own)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cyberdiag.cli import main
from cyberdiag.errors import UserError
from cyberdiag.lab import communes
from cyberdiag.lab.dns import Keys, municipality_zone, txt_rdata
from cyberdiag.lab.manager import LabInfo, add_ipv6_addresses, info, inside_netns, start_lab
from cyberdiag.lab.pki import make_pki
from cyberdiag.lab.web import WebSite, nginx_config
from cyberdiag.models import Profile

if TYPE_CHECKING:
    from conftest import Ipv6Lab


def test_status_of_session_lab(lab: LabInfo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "status", "--dir", str(lab.directory)]) == 0
    out = capsys.readouterr().out
    assert f"--nameserver {lab.nameserver}" in out
    assert f"SSL_CERT_FILE={lab.ca_file}" in out
    state = json.loads((lab.directory / "state.json").read_text(encoding="utf-8"))
    assert state["nameserver"] == lab.nameserver and state["status"] == "running"
    assert "ville-exemple.test" in state["domains"]


@pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root")
def test_cli_start_stop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "lab2"
    assert main(["lab", "start", "--dir", str(d), "--no-web", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    running = info(d.resolve())
    assert running is not None and f"--nameserver {running.nameserver}" in out
    try:
        assert main(["lab", "start", "--dir", str(d)]) == 1  # already running
        assert "déjà" in capsys.readouterr().err
        pids = list(running.pids.values())
    finally:
        assert main(["lab", "stop", "--dir", str(d)]) == 0
    assert info(d.resolve()) is None
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or \
            Path(f"/proc/{pid}/status").read_text().find("State:\tZ") >= 0
    assert main(["lab", "status", "--dir", str(d)]) == 1
    assert main(["lab", "stop", "--dir", str(d)]) == 0
    assert "Aucun laboratoire" in capsys.readouterr().out


def test_generate_is_deterministic_and_distinct() -> None:
    a = communes.generate(90)
    b = communes.generate(90)
    assert a == b
    assert len({m.domain for m in a}) == 90 and len({m.index for m in a}) == 90
    fixtures = communes.fixtures()
    assert not {m.index for m in fixtures} & {m.index for m in a}
    assert "ville-exemple.test" in {m.domain for m in fixtures}
    assert {m.smtp for m in a} <= set(communes.SMTP_CASES)
    with pytest.raises(ValueError):
        communes.generate(500)


def test_zone_text_escapes_and_splits() -> None:
    assert txt_rdata('a"b\\c\x01') == '"a\\034b\\092c\\001"'
    big = txt_rdata("x" * 600)
    assert big.count('"') == 6  # three strings of at most 255 bytes
    hostile = next(m for m in communes.fixtures() if m.domain == "hostile.test")
    text = municipality_zone(hostile, 150, Keys())
    assert "\\001" in text and "\\027" in text  # control characters escaped
    assert "d50 TXT" in text


def test_profile_dict_is_a_valid_profile() -> None:
    for m in communes.fixtures():
        Profile.model_validate(m.profile_dict())


def test_ipv6_lab_only_in_its_own_namespace(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="netns"):
        start_lab(tmp_path / "lab6", ipv6=True)
    with pytest.raises(RuntimeError, match="network namespace"):
        add_ipv6_addresses(["fd00:cd:1:1::1"], None)
    with pytest.raises(RuntimeError, match="network namespace"):
        add_ipv6_addresses(["fd00:cd:1:1::1"], "cyberdiag-no-such-namespace")
    assert not inside_netns("../etc")


def test_ipv6_lab_runs_in_its_namespace(ipv6_lab: Ipv6Lab) -> None:
    assert ipv6_lab.info.ipv6 and ipv6_lab.info.netns == ipv6_lab.netns
    inside = subprocess.run(["ip", "-n", ipv6_lab.netns, "-6", "addr", "show", "dev", "lo"],
                            capture_output=True, text=True, check=True).stdout
    assert f"fd00:cd:{ipv6_lab.info.slot}:15::3/128" in inside and "::1/128" in inside
    host = subprocess.run(["ip", "-6", "addr", "show", "dev", "lo"], capture_output=True,
                          text=True, check=True).stdout
    assert "fd00:cd:" not in host  # the host's own interfaces are never touched


def test_zone_publishes_aaaa_only_in_an_ipv6_lab() -> None:
    m = next(x for x in communes.fixtures() if x.domain == "v6-casse.test")
    assert "AAAA" not in municipality_zone(m, 150, Keys())
    text = municipality_zone(m, 150, Keys(), ipv6=True)
    for line in ("@ AAAA fd00:cd:150:15::1", "www AAAA fd00:cd:150:15::3",
                 "mail AAAA fd00:cd:150:15::25"):
        assert line in text


def test_web_config_listens_on_each_family(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    sites = [WebSite("www.a.test", "127.150.1.3", "good", ip6="fd00:cd:150:1::3"),
             WebSite("www.b.test", "127.150.2.3", "good", ip6="fd00:cd:150:2::3", v4=False),
             WebSite("b.test", "127.150.2.1", "http_to_www")]
    conf = nginx_config(tmp_path / "web", pki, sites)
    for line in ("listen 127.150.1.3:443 ssl;", "listen [fd00:cd:150:1::3]:443 ssl;",
                 "listen [fd00:cd:150:2::3]:80;", "return 301 https://www.b.test$request_uri;"):
        assert line in conf
    assert "listen 127.150.2.3" not in conf  # www.b.test: not on its IPv4 address
    assert "listen 127.150.2.1:443" not in conf  # http_to_www: no HTTPS


# ---- two starts at once, and a server that cannot come up -----------------------------------


def _lab_processes(directory: Path) -> list[int]:
    """Processes whose command line names the lab's folder (keeper, nsd, unbound, nginx)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(directory).encode() in args and int(entry.name) != os.getpid():
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root")
def test_two_lab_starts_on_one_folder(tmp_path: Path) -> None:
    import subprocess

    from hostile_fixtures import cli, env

    d = (tmp_path / "lab").resolve()
    procs = [
        subprocess.Popen(cli("lab", "start", "--dir", str(d), "--no-web"), env=env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    try:
        results = [(p.wait(timeout=180), *p.communicate()) for p in procs]
        codes = sorted(code for code, _, _ in results)
        assert codes == [0, 1], results
        err = next(e for code, _, e in results if code == 1)
        assert len(err.strip().splitlines()) == 1, err
        assert f"Un laboratoire démarre déjà dans {d} (PID" in err or "tourne déjà" in err
        running = info(d)
        assert running is not None
        keepers = [p for p in _lab_processes(d) if b"cyberdiag.lab.manager" in
                   Path(f"/proc/{p}/cmdline").read_bytes()]  # fmt: skip
        assert keepers == [running.keeper_pid]
    finally:
        main(["lab", "stop", "--dir", str(d)])


@pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root")
def test_lab_start_reports_nginx_that_cannot_listen_and_stops_the_others(
    tmp_path: Path,
) -> None:
    """Another program holds the HTTPS address of a lab web site (in every slot the lab may
    pick): `lab start` says so in one line, exit 1, and leaves no server running."""
    import socket
    import subprocess

    from hostile_fixtures import cli, env

    site = next(m for m in communes.territory(0, with_fixtures=True) if m.web is not None)
    squatters = []
    for slot in range(100, 200):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((site.ip(slot, 3), 443))
        except OSError:  # a lab of another test uses this slot: it cannot be picked anyway
            s.close()
            continue
        s.listen(8)
        squatters.append(s)
    d = (tmp_path / "lab").resolve()
    try:
        proc = subprocess.run(cli("lab", "start", "--dir", str(d)), env=env(),
                              capture_output=True, text=True, timeout=180)  # fmt: skip
    finally:
        for s in squatters:
            s.close()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Le laboratoire n'a pas démarré : nginx ne peut pas écouter sur" in lines[0]
    assert ":443" in lines[0] and "Les autres serveurs du laboratoire ont été arrêtés" in lines[0]
    assert info(d) is None
    time_left = 50
    while _lab_processes(d) and time_left:
        import time

        time.sleep(0.1)
        time_left -= 1
    assert _lab_processes(d) == []
