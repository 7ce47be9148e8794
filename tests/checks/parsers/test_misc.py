"""TLS-RPT, MTA-STS (TXT and policy), DKIM key records and the Public Suffix List."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberdiag.checks.parsers import ParseError
from cyberdiag.checks.parsers.dkim import parse_dkim
from cyberdiag.checks.parsers.mtasts import (
    mx_matches,
    parse_sts_policy,
    parse_sts_txt,
)
from cyberdiag.checks.parsers.psl import org_domain, public_suffix
from cyberdiag.checks.parsers.tlsrpt import parse_tlsrpt

# --- TLS-RPT ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "n"), [
    ("v=TLSRPTv1; rua=mailto:tls@example.fr", 1),
    ("v=TLSRPTv1;rua=mailto:tls@example.fr,https://reports.example.fr/tls", 2),
])
def test_tlsrpt_valid(text: str, n: int) -> None:
    assert len(parse_tlsrpt(text).rua) == n


@pytest.mark.parametrize(("text", "why"), [
    ("v=TLSRPTv2; rua=mailto:a@b.fr", "v=TLSRPTv1"),
    ("v=TLSRPTv1", "rua"),
    ("v=TLSRPTv1; rua=ftp://x.fr", "invalid address"),
    ("v=TLSRPTv1; rua=mailto:a@b.fr; rua=mailto:c@d.fr", "exactly one"),
])
def test_tlsrpt_invalid(text: str, why: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_tlsrpt(text)
    assert why in err.value.en


# --- MTA-STS -------------------------------------------------------------------------------

GOOD_POLICY = ("version: STSv1\r\nmode: enforce\r\nmx: mail.example.fr\r\nmx: *.backup.fr\r\n"
               "max_age: 604800\r\n")


def test_sts_txt() -> None:
    assert parse_sts_txt("v=STSv1; id=20261123T01;").id == "20261123T01"
    for bad in ("v=STSv1;", "v=STSv1; id=", "v=STSv1; id=" + "a" * 33, "v=STSv2; id=1",
                "v=STSv1; id=abc-def"):
        with pytest.raises(ParseError):
            parse_sts_txt(bad)


def test_sts_policy_valid() -> None:
    pol = parse_sts_policy(GOOD_POLICY)
    assert pol.mode == "enforce"
    assert pol.mx == ("mail.example.fr", "*.backup.fr")
    assert pol.max_age == 604800
    assert parse_sts_policy("version: STSv1\nmode: none\nmax_age: 86400\n").mx == ()


@pytest.mark.parametrize(("text", "why"), [
    ("mode: enforce\nmx: a.fr\nmax_age: 1\n", "version"),
    ("version: STSv1\nmode: strict\nmx: a.fr\nmax_age: 1\n", "mode"),
    ("version: STSv1\nmode: enforce\nmax_age: 1\n", "no 'mx'"),
    ("version: STSv1\nmode: enforce\nmx: a.fr\nmax_age: forever\n", "max_age"),
    ("version: STSv1\nmode: enforce\nmx: a.fr\nmax_age: 99999999999\n", "max_age"),
    ("version: STSv1\nmode: enforce\nmx: *.*.fr\nmax_age: 1\n", "mx pattern"),
    ("version: STSv1\ngarbage\n", "key: value"),
])
def test_sts_policy_invalid(text: str, why: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_sts_policy(text)
    assert why in err.value.en


@pytest.mark.parametrize(("pattern", "host", "ok"), [
    ("mail.example.fr", "mail.example.fr", True),
    ("mail.example.fr", "MAIL.example.fr.", True),
    ("*.example.fr", "mx1.example.fr", True),
    ("*.example.fr", "a.b.example.fr", False),
    ("*.example.fr", "example.fr", False),
    ("mail.example.fr", "mail2.example.fr", False),
])
def test_mx_matches(pattern: str, host: str, ok: bool) -> None:
    assert mx_matches(pattern, host) is ok


# --- DKIM ----------------------------------------------------------------------------------


def _rsa_record(bits: int) -> str:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    der = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def test_dkim_keys() -> None:
    assert parse_dkim(_rsa_record(1024)).bits == 1024
    assert parse_dkim(_rsa_record(2048)).bits == 2048
    ed = parse_dkim("v=DKIM1; k=ed25519; p=" + base64.b64encode(b"\x01" * 32).decode())
    assert (ed.key_type, ed.bits) == ("ed25519", 256)
    revoked = parse_dkim("v=DKIM1; p=")
    assert revoked.revoked and revoked.bits == 0
    assert parse_dkim("v=DKIM1; t=y; p=").testing


@pytest.mark.parametrize(("text", "why"), [
    ("v=DKIM1; k=rsa", "'p' missing"),
    ("v=DKIM1; k=dsa; p=AAAA", "unknown key type"),
    ("v=DKIM1; p=!!!", "base64"),
    ("v=DKIM1; p=AAAA", "cannot be decoded"),
    ("k=rsa; v=DKIM1; p=", "must come first"),
    ("v=DKIM1; k=ed25519; p=AAAA", "32 bytes"),
])
def test_dkim_invalid(text: str, why: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_dkim(text)
    assert why in err.value.en


# --- Public Suffix List (shipped offline copy) ---------------------------------------------


@pytest.mark.parametrize(("name", "org"), [
    ("mairie.ville-exemple.fr", "ville-exemple.fr"),
    ("ville-exemple.fr", "ville-exemple.fr"),
    ("fr", None),
    ("a.b.gouv.fr", "b.gouv.fr"),
    ("www.example.co.uk", "example.co.uk"),
    ("mail.ville-a.test", "ville-a.test"),  # unlisted TLD: default rule '*'
    ("foo.bar.kawasaki.jp", "foo.bar.kawasaki.jp"),  # wildcard rule *.kawasaki.jp
    ("www.city.kawasaki.jp", "city.kawasaki.jp"),  # exception rule !city.kawasaki.jp
])
def test_org_domain(name: str, org: str | None) -> None:
    assert org_domain(name) == org


def test_public_suffix() -> None:
    assert public_suffix("www.example.co.uk") == "co.uk"
    assert public_suffix("x.y.fr") == "fr"


# --- Random text: only ParseError ----------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_random_text_all_parsers(text: str) -> None:
    for parser in (parse_tlsrpt, parse_sts_txt, parse_sts_policy, parse_dkim):
        try:
            parser(text)
        except ParseError:
            pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=100))
def test_random_names_psl(text: str) -> None:
    org_domain(text)
    public_suffix(text)
