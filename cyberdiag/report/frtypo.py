"""French typography for the report: dates, non-breaking spaces, numbers.

French puts a non-breaking space before « : » and a narrow one before « ; ! ? », and inside
« guillemets ». Only an existing space is replaced (never inserted before a bare colon), so
URLs, times (12:30), IPv6 addresses and check ids (dns.spf) are left alone. The functions take
and return plain `str`: the template's autoescaping still applies afterwards.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from cyberdiag.i18n import Lang

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space

MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_BEFORE_COLON = re.compile(r"[ \t]+:(?=\s|$)")
_BEFORE_PUNCT = re.compile(r"[ \t]+([;!?])(?=\s|$|[»)\"'])")
_AFTER_OPEN_QUOTE = re.compile("«[ \t\u00a0\u202f]*")
_BEFORE_CLOSE_QUOTE = re.compile("[ \t\u00a0\u202f]*»")
_UNITS = re.compile(r"(\d)[ \t]+(h|min|s|j|%|€|Mo|Go|ko|habitants|caractères)\b")


def french_spaces(text: str) -> str:
    """Non-breaking spaces where French typography wants them (existing spaces only)."""
    if not text:
        return text
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _BEFORE_PUNCT.sub(NNBSP + r"\1", text)
    text = _AFTER_OPEN_QUOTE.sub("«" + NBSP, text)
    text = _BEFORE_CLOSE_QUOTE.sub(NBSP + "»", text)
    text = _UNITS.sub(r"\1" + NBSP + r"\2", text)
    return text


def typo(text: str, lang: Lang) -> str:
    """Apply the typography of `lang` (French rules; English text is returned as is)."""
    return french_spaces(text) if lang == "fr" else text


def format_date(value: date | datetime, lang: Lang) -> str:
    """« 22 novembre 2026 » / "22 November 2026" (« 1er » for the first of the month)."""
    if lang == "fr":
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day}{NBSP}{MONTHS_FR[value.month - 1]} {value.year}"
    return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"


def format_number(value: float | int, lang: Lang, decimals: int = 0) -> str:
    """Thousands separated (narrow no-break space in French, comma in English)."""
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        return text.replace(",", NNBSP).replace(".", ",")
    return text
