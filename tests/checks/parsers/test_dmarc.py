"""DMARC parser: literal records (table-driven), the RFC 7489 / RFC 9989 reading of invalid tags,
and random text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberdiag.checks.parsers import ParseError
from cyberdiag.checks.parsers.dmarc import is_dmarc, looks_like_dmarc, mailto_domain, parse_dmarc

VALID = [
    # record, p, sp, pct, rua count
    ("v=DMARC1; p=none", "none", None, 100, 0),
    ("v=DMARC1; p=reject; rua=mailto:d@example.fr", "reject", None, 100, 1),
    ("v=DMARC1;p=quarantine;pct=50;sp=none", "quarantine", "none", 50, 0),
    ("v=DMARC1; p=REJECT; rua=mailto:a@x.fr,mailto:b@y.fr!10m", "reject", None, 100, 2),
    ("v=DMARC1; p=none; rua=mailto:a@x.fr; ruf=mailto:f@x.fr; fo=1; adkim=s; aspf=r;",
     "none", None, 100, 1),
    ("v=DMARC1; p=reject; unknowntag=whatever", "reject", None, 100, 0),
    # whitespace (spaces, tabs) around '=' and ';' (RFC 7489 §6.4: *WSP)
    ("v = DMARC1 ;\tp =\treject ; rua = mailto:d@example.fr ;", "reject", None, 100, 1),
    ("v=DMARC1\t;p=reject", "reject", None, 100, 0),
    # tag names and keyword values are case-insensitive
    ("V=DMARC1; P=Quarantine; SP=REJECT; PCT=100", "quarantine", "reject", 100, 0),
    ("v=DMARC1; p=reject; fo=0:d:s; rf=afrf; ri=3600; psd=n; t=y; np=reject",
     "reject", None, 100, 0),
    ("v=DMARC1", "none", None, 100, 0),  # no p: applied as p=none
    ("v=DMARC1; rua=mailto:d@example.fr", "none", None, 100, 1),
]


@pytest.mark.parametrize(("text", "p", "sp", "pct", "rua"), VALID)
def test_valid(text: str, p: str, sp: str | None, pct: int, rua: int) -> None:
    rec = parse_dmarc(text)
    assert (rec.p, rec.sp, rec.pct, len(rec.rua)) == (p, sp, pct, rua)


def test_missing_and_invalid_p_apply_none() -> None:
    assert parse_dmarc("v=DMARC1; rua=mailto:d@example.fr").p_state == "missing"
    rec = parse_dmarc("v=DMARC1; p=maybe; rua=mailto:d@example.fr")
    assert (rec.p, rec.p_state) == ("none", "invalid")
    assert [i.tag for i in rec.ignored] == ["p"]


IGNORED = [
    # record, the tags receivers ignore (RFC 7489 §6.3, RFC 9989: invalid values are ignored)
    ("v=DMARC1; p=reject; pct=150", ["pct"]),
    ("v=DMARC1; p=reject; pct=-1", ["pct"]),
    ("v=DMARC1; p=reject; pct=cinquante", ["pct"]),
    ("v=DMARC1; p=reject; pct=1000", ["pct"]),
    ("v=DMARC1; p=reject; fo=2", ["fo"]),
    ("v=DMARC1; p=reject; fo=0:1", ["fo"]),
    ("v=DMARC1; p=reject; rf=iodef", ["rf"]),
    ("v=DMARC1; p=reject; ri=demain", ["ri"]),
    ("v=DMARC1; p=reject; np=maybe", ["np"]),
    ("v=DMARC1; p=reject; sp=sometimes", ["sp"]),
    ("v=DMARC1; p=reject; adkim=x; aspf=y", ["adkim", "aspf"]),
    ("v=DMARC1; p=reject; psd=oui; t=peut-etre", ["psd", "t"]),
    ("v=DMARC1; p=reject; rua=dmarc@example.fr", ["rua"]),
    ("v=DMARC1; p=reject; garbage", ["garbage"]),
    ("v=DMARC1; p=reject\x01", ["p"]),
]


@pytest.mark.parametrize(("text", "tags"), IGNORED)
def test_invalid_optional_values_are_ignored(text: str, tags: list[str]) -> None:
    rec = parse_dmarc(text)
    assert [i.tag for i in rec.ignored] == tags
    assert rec.pct == 100 and rec.adkim == "r" and rec.aspf == "r"  # the defaults apply
    assert all(i.en and i.fr for i in rec.ignored)


def test_control_characters_are_named() -> None:
    rec = parse_dmarc("v=DMARC1; p=reject\x01\x1b[31m; rua=mailto:d@example.fr")
    assert rec.ignored[0].en == "control characters in the value"
    assert rec.p == "none" and rec.rua == ("mailto:d@example.fr",)


INVALID = [
    ("v=DMARC2; p=none", "v=DMARC1"),
    ("p=none; v=DMARC1", "v=DMARC1"),
    (" v=DMARC1; p=none", "v=DMARC1"),  # leading space: not a DMARC record (RFC 7489 §6.6.3)
    ("texte v=DMARC1; p=none", "v=DMARC1"),
    ("v=dmarc1; p=none", "v=DMARC1"),  # the value DMARC1 is case-sensitive (§6.4 ABNF)
    ("v=DMARC1 p=none", "v=DMARC1"),  # no separator after the version
    ("v=DMARC1x; p=none", "v=DMARC1"),
    ("v=DMARC1; p=none; p=reject", "twice"),
    ("v=DMARC1; p=none; P=reject", "twice"),
    ("v=DMARC1; p=none; " + "x" * 5000, "too long"),
]


@pytest.mark.parametrize(("text", "why"), INVALID)
def test_invalid(text: str, why: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_dmarc(text)
    assert why in err.value.en


def test_helpers() -> None:
    assert is_dmarc("v=DMARC1; p=none")
    assert is_dmarc("V\t= DMARC1")
    assert not is_dmarc(" v=DMARC1; p=none")
    assert not is_dmarc("v=spf1 -all")
    assert looks_like_dmarc("v=dmarc1; p=reject") and looks_like_dmarc(" v=DMARC1")
    assert not looks_like_dmarc("v=DMARC1; p=none") and not looks_like_dmarc("v=spf1 -all")
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
@given(st.lists(st.tuples(st.sampled_from(["v", "p", "sp", "pct", "rua", "ruf", "adkim", "x",
                                           "fo", "np", "t", " P ", "\tv"]),
                          st.sampled_from(["DMARC1", "none", "reject", "50", "mailto:a@b.fr",
                                           "", "s", "=", "mailto:", "999", " y", "0:1"])),
                max_size=8))
def test_random_tag_lists(tags: list[tuple[str, str]]) -> None:
    try:
        rec = parse_dmarc("; ".join(f"{k}={v}" for k, v in tags))
    except ParseError:
        return
    assert rec.p in ("none", "quarantine", "reject") and 0 <= rec.pct <= 100
