"""DMARC parser: literal records (table-driven) and random text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberdiag.checks.parsers import ParseError
from cyberdiag.checks.parsers.dmarc import is_dmarc, mailto_domain, parse_dmarc

VALID = [
    # record, p, sp, pct, rua count
    ("v=DMARC1; p=none", "none", None, 100, 0),
    ("v=DMARC1; p=reject; rua=mailto:d@example.fr", "reject", None, 100, 1),
    ("v=DMARC1;p=quarantine;pct=50;sp=none", "quarantine", "none", 50, 0),
    ("v=DMARC1; p=REJECT; rua=mailto:a@x.fr,mailto:b@y.fr!10m", "reject", None, 100, 2),
    ("v=DMARC1; p=none; rua=mailto:a@x.fr; ruf=mailto:f@x.fr; fo=1; adkim=s; aspf=r;",
     "none", None, 100, 1),
    ("v=DMARC1; p=reject; unknowntag=whatever", "reject", None, 100, 0),
]


@pytest.mark.parametrize(("text", "p", "sp", "pct", "rua"), VALID)
def test_valid(text: str, p: str, sp: str | None, pct: int, rua: int) -> None:
    rec = parse_dmarc(text)
    assert (rec.p, rec.sp, rec.pct, len(rec.rua)) == (p, sp, pct, rua)


INVALID = [
    ("v=DMARC2; p=none", "v=DMARC1"),
    ("p=none; v=DMARC1", "v=DMARC1"),
    ("v=DMARC1", "'p' missing"),
    ("v=DMARC1; p=maybe", "invalid policy"),
    ("v=DMARC1; p=none; sp=sometimes", "subdomain policy"),
    ("v=DMARC1; p=none; pct=150", "pct"),
    ("v=DMARC1; p=none; pct=-1", "pct"),
    ("v=DMARC1; p=none; rua=dmarc@example.fr", "invalid address"),
    ("v=DMARC1; p=none; adkim=x", "adkim"),
    ("v=DMARC1; p=none; p=reject", "twice"),
    ("v=DMARC1; p=reject\x01", "control characters"),
    ("v=DMARC1; p", "tag=value"),
]


@pytest.mark.parametrize(("text", "why"), INVALID)
def test_invalid(text: str, why: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_dmarc(text)
    assert why in err.value.en


def test_helpers() -> None:
    assert is_dmarc("v=DMARC1; p=none")
    assert not is_dmarc("v=spf1 -all")
    assert mailto_domain("mailto:rapports@Prestataire.FR!10m") == "prestataire.fr"
    assert mailto_domain("https://example.fr/report") is None
    rec = parse_dmarc("v=DMARC1; p=reject; sp=quarantine")
    assert rec.subdomain_policy == "quarantine"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    try:
        parse_dmarc(text)
    except ParseError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["v", "p", "sp", "pct", "rua", "ruf", "adkim", "x"]),
                          st.sampled_from(["DMARC1", "none", "reject", "50", "mailto:a@b.fr",
                                           "", "s", "=", "mailto:", "999"])), max_size=8))
def test_random_tag_lists(tags: list[tuple[str, str]]) -> None:
    try:
        parse_dmarc("; ".join(f"{k}={v}" for k, v in tags))
    except ParseError:
        pass
