"""Text from strangers (DNS, web, SMTP, files, people): printable and bounded before it is kept
or shown. `clean` is the one cleaning function: every outside string reaching the terminal goes
through it (cli/terminal.outside and outside_lines, the error handler of cli/__init__.py).
"""

from __future__ import annotations

import unicodedata


def clean(text: str, limit: int = 512, *, lines: bool = False) -> str:
    """Printable, bounded version of an outside text: C0/C1 controls (ESC, BEL, the 8-bit CSI
    0x9b…), line/paragraph separators and bidi overrides are shown visibly as escapes (\\x1b,
    \\u202e); spaces of every kind are kept (French typography's no-break spaces too).
    `lines=True` keeps line breaks (a question of several lines); a CR is always escaped."""
    out = []
    for ch in text[: limit + 1]:
        if _shown(ch) or (lines and ch == "\n"):
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


def clean_json(text: str) -> str:
    """JSON text (from json.dumps with ensure_ascii=False) safe for a terminal and still valid
    JSON: every character `clean` would escape becomes a JSON \\u escape (line breaks of the
    indentation kept). Such characters only occur inside JSON strings."""
    out = []
    for ch in text:
        if ch == "\n" or _shown(ch):
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            v = ord(ch) - 0x10000
            out.append(f"\\u{0xD800 + (v >> 10):04x}\\u{0xDC00 + (v & 0x3FF):04x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def has_control_chars(text: str) -> bool:
    return any(not _shown(ch) for ch in text)
