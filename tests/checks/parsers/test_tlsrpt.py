"""TLS-RPT parser: literal records (table-driven) and random text (only ParseError may come out)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberdiag.checks.parsers import ParseError
from cyberdiag.checks.parsers.tlsrpt import parse_tlsrpt


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


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_random_text_only_parse_error(text: str) -> None:
    for parser in (parse_tlsrpt,):
        try:
            parser(text)
        except ParseError:
            pass
