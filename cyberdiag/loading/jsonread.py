"""The bounded JSON reader: size counted on the bytes read, a UTF-8 BOM accepted, depth limited.

Every JSON file cyberdiag reads (diagnostic.json, check and scan results) comes through here, so
that no input, however crafted, makes a command run for minutes or fill the memory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cyberdiag.errors import UserError
from cyberdiag.fileio import read_limited

MAX_DEPTH = 64


def decode(data: bytes, label: str) -> str:
    """UTF-8 text (a leading BOM, as some Windows editors write, is dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(
            f"{label} : fichier illisible (pas en UTF-8).", f"{label}: unreadable file (not UTF-8)."
        ) from None


def read_text(path: Path, limit: int, label: str | None = None) -> str:
    """The text of a JSON file, at most `limit` bytes (UserError naming it otherwise)."""
    shown = label or str(path)
    return decode(read_limited(path, limit, shown), shown)


def loads(text: str, label: str) -> Any:
    """json.loads, refusing nesting deeper than MAX_DEPTH (UserError naming the file).
    json.JSONDecodeError (and ValueError for absurd numbers) are left to the caller, which
    knows what the file should have been."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise too_deep(label) from None
    if depth_exceeds(data, MAX_DEPTH):
        raise too_deep(label)
    return data


def too_deep(label: str) -> UserError:
    return UserError(
        f"{label} : imbrication trop profonde (plus de {MAX_DEPTH} niveaux).",
        f"{label}: nested too deeply (over {MAX_DEPTH} levels).",
    )


def depth_exceeds(data: Any, limit: int) -> bool:
    """Whether lists/objects nest more than `limit` deep (iterative: no recursion)."""
    todo: list[tuple[Any, int]] = [(data, 1)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        todo.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False
