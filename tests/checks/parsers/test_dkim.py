"""DKIM key record parser: real RSA keys of several sizes, Ed25519, revoked and invalid records,
random text."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberdiag.checks.parsers import ParseError
from cyberdiag.checks.parsers.dkim import parse_dkim


def _rsa_record(bits: int) -> str:
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


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_random_text_only_parse_error(text: str) -> None:
    for parser in (parse_dkim,):
        try:
            parser(text)
        except ParseError:
            pass
