"""French typography, dates and numbers of the report."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cyberdiag.report.frtypo import NBSP, NNBSP, format_date, format_number, typo


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Plafonné par : x", f"Plafonné par{NBSP}: x"),
        ("Vraiment ? Oui ! Bon ; fin", f"Vraiment{NNBSP}? Oui{NNBSP}! Bon{NNBSP}; fin"),
        ("« appliquer ou expliquer »", f"«{NBSP}appliquer ou expliquer{NBSP}»"),
        ("«déjà»", f"«{NBSP}déjà{NBSP}»"),
        (f"«{NBSP}déjà{NBSP}»", f"«{NBSP}déjà{NBSP}»"),
        ("sous 72 h", f"sous 72{NBSP}h"),
        # Left alone: URLs, times, ids, IPv6, a colon without a space before it.
        ("https://x.example:8443/a?b", "https://x.example:8443/a?b"),
        ("12:30 dns.spf fe80::1", "12:30 dns.spf fe80::1"),
        ("Note: en anglais", "Note: en anglais"),
    ],
)
def test_french_spaces(text: str, expected: str) -> None:
    assert typo(text, "fr") == expected


def test_english_text_untouched() -> None:
    assert typo("Capped by : x « y »", "en") == "Capped by : x « y »"


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (date(2026, 11, 22), "fr", f"22{NBSP}novembre 2026"),
        (datetime(2026, 8, 1, 23, 59), "fr", f"1er{NBSP}août 2026"),
        (date(2026, 2, 3), "fr", f"3{NBSP}février 2026"),
        (date(2026, 11, 22), "en", "22 November 2026"),
    ],
)
def test_format_date(value: date, lang: str, expected: str) -> None:
    assert format_date(value, lang) == expected  # type: ignore[arg-type]


def test_format_number() -> None:
    assert format_number(1234567, "fr") == f"1{NNBSP}234{NNBSP}567"
    assert format_number(12345.5, "fr", 1) == f"12{NNBSP}345,5"
    assert format_number(1234567, "en") == "1,234,567"
    assert format_number(999, "fr") == "999"
