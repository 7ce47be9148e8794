"""SMTP TLS Reporting records (RFC 8460): `_smtp._tls.<domain>` TXT (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cyberdiag.checks.parsers import ParseError, tag_list

_MAILTO = re.compile(r"^mailto:[^@\s,]+@[A-Za-z0-9._\-]+$", re.IGNORECASE)


@dataclass(frozen=True)
class TlsRptRecord:
    text: str
    rua: tuple[str, ...]


def is_tlsrpt(text: str) -> bool:
    return text.lstrip(" \t").startswith("v=TLSRPTv1")


def parse_tlsrpt(text: str) -> TlsRptRecord:
    if len(text) > 4096:
        raise ParseError("TLS-RPT record too long", "enregistrement TLS-RPT trop long")
    tags = tag_list(text, what="TLS-RPT")
    if not tags or tags[0] != ("v", "TLSRPTv1"):
        raise ParseError(
            "the record does not start with 'v=TLSRPTv1'",
            "l'enregistrement ne commence pas par « v=TLSRPTv1 »",
        )
    ruas = [v for k, v in tags if k == "rua"]
    if len(ruas) != 1:
        raise ParseError(
            "exactly one 'rua' tag is required", "une et une seule balise « rua » est requise"
        )
    out: list[str] = []
    for raw in ruas[0].split(","):
        uri = raw.strip()
        if not (_MAILTO.match(uri) or re.match(r"^https://[^\s]+$", uri, re.IGNORECASE)):
            raise ParseError(
                f"rua: invalid address '{uri[:80]}' (mailto: or https:)",
                f"rua : adresse invalide « {uri[:80]} » (mailto: ou https:)",
            )
        out.append(uri)
    return TlsRptRecord(text=text, rua=tuple(out))
