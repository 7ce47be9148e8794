"""Text from strangers (DNS, web, SMTP): printable and bounded before it is kept or shown."""

from __future__ import annotations

import unicodedata


def clean(text: str, limit: int = 512) -> str:
    """Printable, bounded version of a text received from the network (for evidence)."""
    out = []
    for ch in text[: limit + 1]:
        if _shown(ch):
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    s = "".join(out)
    if len(text) > limit:
        s = s[:limit] + f"… [{len(text)} chars]"
    return s


def _shown(ch: str) -> bool:
    """Printable characters and plain spaces (also the no-break spaces of French typography);
    controls, line/paragraph separators and bidi overrides are escaped, so shown visibly."""
    return ch.isprintable() or (unicodedata.category(ch) == "Zs")


def has_control_chars(text: str) -> bool:
    return any(not _shown(ch) for ch in text)

