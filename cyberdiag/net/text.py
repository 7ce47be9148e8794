"""Text from strangers (DNS, web, SMTP): printable and bounded before it is kept or shown."""

from __future__ import annotations


def clean(text: str, limit: int = 512) -> str:
    """Printable, bounded version of a text received from the network (for evidence)."""
    out = []
    for ch in text[: limit + 1]:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    s = "".join(out)
    if len(text) > limit:
        s = s[:limit] + f"… [{len(text)} chars]"
    return s


def has_control_chars(text: str) -> bool:
    return any(not (ch.isprintable() or ch == " ") for ch in text)

