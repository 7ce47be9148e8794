"""Pure parsers for the records the checks read (no I/O). Each raises only ParseError."""

from __future__ import annotations

from cyberdiag.errors import ParseError

__all__ = ["ParseError", "tag_list"]


def tag_list(text: str, *, what: str) -> list[tuple[str, str]]:
    """Split a 'tag=value; tag=value' list (DMARC, DKIM, TLS-RPT, MTA-STS TXT).

    Whitespace around tags and values is dropped; an empty final element is allowed."""
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text) or "\x7f" in text:
        raise ParseError(
            f"{what}: control characters in the record",
            f"{what} : caractères de contrôle dans l'enregistrement",
        )
    parts = text.split(";")
    out: list[tuple[str, str]] = []
    for part in parts:
        p = part.strip(" \t\r\n")
        if not p:
            continue
        if "=" not in p:
            raise ParseError(
                f"{what}: '{p[:60]}' is not tag=value",
                f"{what} : « {p[:60]} » n'est pas de la forme balise=valeur",
            )
        k, v = p.split("=", 1)
        k = k.strip(" \t\r\n")
        if not k or not all(c.isascii() and (c.isalnum() or c == "_") for c in k):
            raise ParseError(
                f"{what}: invalid tag name '{k[:30]}'",
                f"{what} : nom de balise invalide « {k[:30]} »",
            )
        out.append((k, v.strip(" \t\r\n")))
    return out
