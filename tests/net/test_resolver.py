"""cyberdiag/net/dnsclient.py: which resolver the lookups go through — --nameserver, else
CYBERDIAG_NAMESERVER, else the one the computer is configured with (/etc/resolv.conf), the last
tested inside a network namespace whose resolv.conf names a tiny DNS server of the test: the
host's resolver is never asked."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest

from cyberdiag.cli import main
from cyberdiag.diagnostic import load_diagnostic
from cyberdiag.models import CheckRun
from cyberdiag.net.dnsclient import (
    RESOLV_CONF_ENV,
    SOURCE_ENV,
    SOURCE_OPTION,
    SOURCE_SYSTEM,
    choose_nameservers,
    system_nameservers,
)
from cyberdiag.report import report_html
from cyberdiag.resources import data_dir

# A DNS server for the namespace: answers TXT "v=spf1 -all" for resolveur.test, nothing else,
# and writes every question it gets to a log (proof that the lookups came to it).
TINY_DNS = r"""
import socket, sys
import dns.message, dns.rdatatype, dns.rrset
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 53))
log = open(sys.argv[1], "a", buffering=1)
print("ready", flush=True)
while True:
    data, peer = sock.recvfrom(4096)
    query = dns.message.from_wire(data)
    answer = dns.message.make_response(query)
    name = query.question[0].name.to_text()
    rdtype = dns.rdatatype.to_text(query.question[0].rdtype)
    log.write(f"{name} {rdtype}\n")
    if name == "resolveur.test." and rdtype == "TXT":
        answer.answer.append(dns.rrset.from_text(name, 60, "IN", "TXT", '"v=spf1 -all"'))
    sock.sendto(answer.to_wire(), peer)
"""


def test_the_nameserver_given_comes_first(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    conf = tmp_path / "resolv.conf"
    conf.write_text("# comment\nnameserver 192.0.2.53\nnameserver 2001:db8::53\n")
    monkeypatch.setenv(RESOLV_CONF_ENV, str(conf))
    monkeypatch.setenv("CYBERDIAG_NAMESERVER", "127.0.0.7, 127.0.0.8:5353")
    assert choose_nameservers(["9.9.9.9"]) == (["9.9.9.9"], SOURCE_OPTION)
    assert choose_nameservers(None) == (["127.0.0.7", "127.0.0.8:5353"], SOURCE_ENV)
    monkeypatch.delenv("CYBERDIAG_NAMESERVER")
    assert choose_nameservers(None) == (["192.0.2.53", "2001:db8::53"], SOURCE_SYSTEM)
    conf.write_text("search example\n")
    assert system_nameservers() == []
    monkeypatch.setenv(RESOLV_CONF_ENV, str(tmp_path / "absent"))
    assert system_nameservers() == []


def test_no_resolver_at_all_is_one_clear_line(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CYBERDIAG_NAMESERVER")
    monkeypatch.setenv(RESOLV_CONF_ENV, os.devnull)
    assert main(["check", "ville-exemple.test"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Erreur : Aucun serveur DNS : ce poste n'a pas de résolveur configuré")
    assert "--nameserver" in err and len(err.strip().splitlines()) == 1


@pytest.fixture
def netns() -> Iterator[str]:
    """A network namespace of its own (loopback up) whose resolv.conf names 127.0.0.1."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and the ip tool (network namespace)")
    name = f"cyberdiag-resolver-{os.getpid()}-{random.randint(0, 99999)}"
    etc = Path("/etc/netns") / name
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        etc.mkdir(parents=True)
        (etc / "resolv.conf").write_text("nameserver 127.0.0.1\n")
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)
        shutil.rmtree(etc, ignore_errors=True)


def test_the_computers_resolver_is_used_and_named(netns: str, tmp_path: Path) -> None:
    log = tmp_path / "queries.log"
    server = subprocess.Popen(["ip", "netns", "exec", netns, sys.executable, "-c", TINY_DNS,
                               str(log)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        env = {k: v for k, v in os.environ.items()
               if k not in ("CYBERDIAG_NAMESERVER", RESOLV_CONF_ENV, "CYBERDIAG_LANG")}
        checks = tmp_path / "checks.json"
        out = subprocess.run(
            ["ip", "netns", "exec", netns, sys.executable, "-m", "cyberdiag", "check",
             "resolveur.test", "--only", "mail.spf", "--timeout", "3", "-o", str(checks)],
            env=env, capture_output=True, text=True, timeout=120)
    finally:
        server.kill()
        server.wait()
    assert out.returncode == 0, out.stderr
    assert "Résolveur du poste : 127.0.0.1 (pour un audit reproductible : --nameserver IP)" in (
        out.stderr)
    assert "resolveur.test. TXT" in log.read_text()
    run = CheckRun.model_validate_json(checks.read_text())
    assert run.nameservers == ["127.0.0.1"] and run.nameserver_source == SOURCE_SYSTEM
    assert [r.status for r in run.results] == ["pass"]
    # The diagnostic keeps it, and the report's annex says it.
    example = data_dir("examples") / "ville-exemple"
    diag_path = tmp_path / "diagnostic.json"
    assert main(["score", "-p", str(example / "municipality.yaml"), "-a",
                 str(example / "answers.yaml"), "-c", str(checks), "-o", str(diag_path)]) == 0
    diag = load_diagnostic(diag_path)
    assert diag.nameservers == ["127.0.0.1"] and diag.nameserver_source == SOURCE_SYSTEM
    html = unescape(report_html(diag, "fr")).replace("\u00a0", " ").replace("\u202f", " ")
    assert "Vérifications faites avec le résolveur du poste : 127.0.0.1." in html
    assert "Checks made through the system resolver: 127.0.0.1." in unescape(
        report_html(diag, "en"))
