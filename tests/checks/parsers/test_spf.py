"""SPF parser: literal records (table-driven) and random text (only ParseError may come out)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberdiag.checks.parsers import ParseError
from cyberdiag.checks.parsers.spf import is_spf, parse_spf

VALID = [
    # record, all qualifier, number of lookup terms, redirect
    ("v=spf1 -all", "-", 0, None),
    ("v=spf1 mx ~all", "~", 1, None),
    ("v=spf1 +all", "+", 0, None),
    ("v=spf1 ?all", "?", 0, None),
    ("v=spf1 a mx ip4:192.0.2.0/24 ip6:2001:db8::/32 -all", "-", 2, None),
    ("v=spf1 include:_spf.google.com include:spf.protection.outlook.com -all", "-", 2, None),
    ("v=spf1 redirect=_spf.example.fr", None, 1, "_spf.example.fr"),
    ("V=SPF1 MX -ALL", "-", 1, None),
    ("v=spf1 a:mail.example.fr/24//64 mx:example.fr/28 -all", "-", 2, None),
    ("v=spf1 exists:%{i}.spf.example.fr -all", "-", 1, None),
    ("v=spf1 ptr -all", "-", 1, None),
    ("v=spf1   mx    -all  ", "-", 1, None),
    ("v=spf1 mx exp=explain.example.fr -all", "-", 1, None),
    ("v=spf1 mx foo=bar -all", "-", 1, None),
    ("v=spf1", None, 0, None),
]


@pytest.mark.parametrize(("text", "qualifier", "lookups", "redirect"), VALID)
def test_valid_records(text: str, qualifier: str | None, lookups: int,
                       redirect: str | None) -> None:
    rec = parse_spf(text)
    assert rec.all_qualifier == qualifier
    assert len(rec.lookup_terms()) == lookups
    assert rec.redirect == redirect


INVALID = [
    ("v=spf2 -all", "v=spf1"),
    ("spf1 -all", "v=spf1"),
    ("v=spf1 include -all", "needs ':domain'"),
    ("v=spf1 include:x -all", "invalid domain"),
    ("v=spf1 ip4:300.1.2.3 -all", "invalid address"),
    ("v=spf1 ip4:2001:db8::1 -all", "wrong address family"),
    ("v=spf1 ip6:192.0.2.1 -all", "wrong address family"),
    ("v=spf1 ip4:192.0.2.0/33 -all", "prefix length"),
    ("v=spf1 all:foo", "takes no argument"),
    ("v=spf1 mx:example.fr/99 -all", "prefix length"),
    ("v=spf1 frobnicate -all", "unknown mechanism"),
    ("v=spf1 redirect=a.example.fr redirect=b.example.fr", "twice"),
    ("v=spf1 exists:%{z}.example.fr -all", "invalid macro"),
    ("v=spf1 mx\x00 -all", "control characters"),
    ("v=spf1 mx -all \x1b[31m", "control characters"),
    ("v=spf1 include:exämple.fr -all", "non-ASCII"),
    ("v=spf1 " + "a " * 3000, "too long"),
    ("v=spf1 a:192.0.2.1 -all", "numeric top label"),
    ("v=spf1 include:" + "abc." * 70 + "fr -all", "too long"),
]


@pytest.mark.parametrize(("text", "why"), INVALID)
def test_invalid_records(text: str, why: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_spf(text)
    assert why in err.value.en
    assert err.value.fr  # a French message too


def test_is_spf() -> None:
    assert is_spf("v=spf1 -all")
    assert is_spf("v=spf1")
    assert not is_spf("v=spf10 -all")
    assert not is_spf("google-site-verification=abc")


def test_terms_after_all() -> None:
    assert parse_spf("v=spf1 -all mx").terms_after_all
    assert not parse_spf("v=spf1 mx -all").terms_after_all


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_random_text_only_parse_error(text: str) -> None:
    try:
        parse_spf(text)
    except ParseError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["mx", "-all", "~all", "a:", "include:", "ip4:", "ip6:",
                                 "redirect=", "exp=", "%{i}", "x.fr", "/24", "//64", "?", "+",
                                 ":", "=", "1.2.3.4", "::1", "ptr", "exists:"]),
                max_size=20))
def test_random_spf_like_only_parse_error(parts: list[str]) -> None:
    text = "v=spf1 " + " ".join(parts)
    try:
        parse_spf(text)
    except ParseError:
        pass
