"""Evidence of a check result, shown pretty and bounded.

Evidence can be huge (a whole certificate chain, a 4 KB DKIM key, every HTTP header): it is
dumped as indented JSON and truncated with a visible marker. The output is plain text: the
template escapes it.
"""

from __future__ import annotations

import json
from typing import Any

from cyberdiag.i18n import Lang, tr
from cyberdiag.report.frtypo import format_number

MAX_CHARS = 2500
MAX_LINES = 40
KEY_VALUE_CHARS = 140
KEY_ITEMS = 3


def _marker(extra: int, lang: Lang) -> str:
    n = format_number(extra, lang)
    return tr(
        f"… [tronqué : {n} caractères de plus]",
        f"… [truncated: {n} more characters]",
        lang,
    )


def pretty(evidence: dict[str, Any], lang: Lang, max_chars: int = MAX_CHARS) -> str:
    """Indented JSON of the evidence, cut at `max_chars` / MAX_LINES with a visible marker."""
    if not evidence:
        return ""
    text = json.dumps(evidence, indent=2, ensure_ascii=False, default=str)
    lines = text.splitlines()
    cut = text
    if len(lines) > MAX_LINES:
        cut = "\n".join(lines[:MAX_LINES])
    if len(cut) > max_chars:
        cut = cut[:max_chars]
    if len(cut) < len(text):
        return cut + "\n" + _marker(len(text) - len(cut), lang)
    return text


def _short(value: Any, lang: Lang) -> str:
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > KEY_VALUE_CHARS:
        return text[:KEY_VALUE_CHARS] + " " + _marker(len(text) - KEY_VALUE_CHARS, lang)
    return text


def key_items(evidence: dict[str, Any], lang: Lang) -> list[tuple[str, str]]:
    """A few (key, short value) pairs for the domain pages; scalars first."""
    items = sorted(evidence.items(), key=lambda kv: not isinstance(kv[1], str | int | float | bool))
    return [(str(k)[:60], _short(v, lang)) for k, v in items[:KEY_ITEMS]]
