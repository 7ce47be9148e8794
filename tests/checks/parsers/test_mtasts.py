"""MTA-STS parsers (TXT record, policy file, MX patterns): literal cases and random text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberdiag.checks.parsers import ParseError
from cyberdiag.checks.parsers.mtasts import mx_matches, parse_sts_policy, parse_sts_txt

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


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_random_text_only_parse_error(text: str) -> None:
    for parser in (parse_sts_txt, parse_sts_policy):
        try:
            parser(text)
        except ParseError:
            pass
