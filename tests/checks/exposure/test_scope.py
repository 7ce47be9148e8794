"""Scope (checks/exposure/scope.py): every IPv6 form that carries or routes to an IPv4 address and
every range of the IANA special-purpose registries is refused before any packet, through the CLI
with a tripwire nmap that records any call."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from scan_fixtures import write_profile

from cyberdiag.cli import main


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
    return marker


SPECIAL = [
    ("64:ff9b::10.0.0.1", "NAT64", "10.0.0.1"),  # NAT64 embedding a private IPv4
    ("64:ff9b::a00:1/128", "NAT64", "10.0.0.1"),
    ("64:ff9b:1::c0a8:1", "NAT64", ""),  # local-use NAT64
    ("2002:a00:1::1", "6to4", "10.0.0.1"),  # 6to4 of 10.0.0.1
    ("2002:c0a8:101::/120", "6to4", ""),
    ("::10.0.0.1", "compatible", "10.0.0.1"),  # IPv4-compatible
    ("::ffff:192.168.1.1", "IPv4-mapped", "192.168.1.1"),
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo", "10.0.0.1"),
    ("2001:2::1", "2001::/23", ""),  # benchmarking, inside the IETF protocol block
    ("fec0::1", "site-local", ""),
    ("100::1", "100::/64", ""),
    ("100:0:0:1::5", "100:0:0:1::/64", ""),
    ("3fff::1", "3fff::/20", ""),
    ("2620:4f:8000::53", "AS112", ""),
    ("5f00::1", "SRv6", ""),
    ("4000::1", "2000::/3", ""),
    ("192.88.99.1", "6to4", ""),
    ("192.31.196.1", "AS112", ""),
    ("192.52.193.1", "AMT", ""),
    ("192.175.48.1", "AS112", ""),
    ("10.1.2.3", "private", ""),
]


@pytest.mark.parametrize(("entry", "named", "carried"), SPECIAL)
def test_special_purpose_addresses_refused_before_any_packet(
    entry: str, named: str, carried: str, tmp_path: Path, tripwire_nmap: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    prof = write_profile(tmp_path / "m.yaml", [entry], allow_wide_ranges=True)
    code = main(["scan", "-p", str(prof), "--ports", "3389", "--authorized", "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 1
    assert not tripwire_nmap.exists()
    assert len(err.strip().splitlines()) == 1, err
    assert f"Target refused '{entry}'" in err and "Nothing was sent." in err
    assert named in err
    if carried:
        assert f"it stands for {carried}" in err


def test_loopback_and_public_addresses_still_allowed(tmp_path: Path) -> None:
    from cyberdiag.checks.exposure import parse_entry

    for ok in ("::1", "127.0.0.1", "2a01:cb00::1", "8.8.8.8", "2001:4860:4860::8888"):
        assert parse_entry(ok).kind == "address"


def test_did_you_mean_has_no_stray_full_stop(
    tmp_path: Path, tripwire_nmap: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prof = write_profile(tmp_path / "m.yaml", ["8.8.8.1/24"])
    assert main(["scan", "-p", str(prof), "--ports", "3389", "--authorized"]) == 1
    err = capsys.readouterr().err
    assert "vouliez-vous dire 8.8.8.0/24 ? Rien n'a été envoyé." in err
    assert "?." not in err
    assert main(["scan", "-p", str(prof), "--ports", "3389", "--authorized", "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "did you mean 8.8.8.0/24? Nothing was sent." in err and "?." not in err
    assert not tripwire_nmap.exists()
