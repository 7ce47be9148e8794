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
    # RFC 7208 §7.1: any visible character but '%' is literal in a domain-spec
    ("v=spf1 a:foo:bar/baz.example.com -all", "-", 1, None),
    ("v=spf1 a:foo:bar/baz.example.com/24 -all", "-", 1, None),
    ("v=spf1 include:_spf.example.com. -all", "-", 1, None),
    ("v=spf1 a:foo.123-4 -all", "-", 1, None),  # a top label may be digits with a hyphen
    ("v=spf1 include:" + "abc." * 70 + "fr -all", "-", 1, None),  # long: truncated (§7.3)
    ("v=spf1 a/0 mx//0 ip4:192.0.2.0/0 ip6:::/0 -all", "-", 2, None),
    ("v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all", "-", 1, None),
    ("v=spf1 -all exp=explain.%{d}", "-", 0, None),
    ("v=spf1 -all moo= foo.bar_baz=%{d}%%%_%-", "-", 0, None),  # unknown modifiers: ignored
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
    # RFC 7208 §12: no leading zero in a prefix length
    ("v=spf1 a:example.com/032 -all", "'/032' (leading zero)"),
    ("v=spf1 a/032 -all", "leading zero"),
    ("v=spf1 mx//0128 -all", "leading zero"),
    ("v=spf1 ip4:192.0.2.0/024 -all", "leading zero"),
    ("v=spf1 a:museum -all", "must end with '.' and a name"),
    ("v=spf1 a:museum. -all", "must end with '.' and a name"),
    ("v=spf1 a: -all", "needs a domain"),
    ("v=spf1 a:example.com- -all", "invalid domain"),
    # RFC 7208 §12: an unknown modifier's value is a macro-string
    ("v=spf1 -all foo=50%", "invalid macro in 'foo=50%'"),
    ("v=spf1 -all foo=%{z}", "invalid macro"),
    # RFC 7208 §7.2: c, r, t only in explanation text
    ("v=spf1 -all exp=%{c}.example.com", "only allowed in explanation text"),
    ("v=spf1 include:%{r}.example.com -all", "only allowed in explanation text"),
    ("v=spf1 exists:%{t}.example.com -all", "%{t}"),
    ("v=spf1 exists:%{d0}.example.com -all", "digit 0"),  # §7.3
    ("v=spf1 ip6:fe80::1%eth0 -all", "invalid address"),
    ("v=spf1 exp=a.example.com exp=b.example.com", "twice"),
]


@pytest.mark.parametrize(("text", "why"), INVALID)
def test_invalid_records(text: str, why: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_spf(text)
    assert why in err.value.en
    assert err.value.fr  # a French message too
    if "v=spf1" in text[:6].lower():
        assert "(RFC 7208 §" in err.value.en and "(RFC 7208 §" in err.value.fr


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
