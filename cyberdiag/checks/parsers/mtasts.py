"""MTA-STS (RFC 8461): the `_mta-sts` TXT record and the HTTPS policy file (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cyberdiag.checks.parsers import ParseError, tag_list

MODES = ("enforce", "testing", "none")
MAX_AGE_LIMIT = 31_557_600
_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_PATTERN = re.compile(
    r"^(\*\.)?([A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.?$"
)


@dataclass(frozen=True)
class StsTxt:
    text: str
    id: str


@dataclass(frozen=True)
class StsPolicy:
    mode: str
    mx: tuple[str, ...]
    max_age: int


def is_sts_txt(text: str) -> bool:
    return text.lstrip(" \t").startswith("v=STSv1")


def parse_sts_txt(text: str) -> StsTxt:
    if len(text) > 4096:
        raise ParseError("MTA-STS record too long", "enregistrement MTA-STS trop long")
    tags = tag_list(text, what="MTA-STS")
    if not tags or tags[0] != ("v", "STSv1"):
        raise ParseError(
            "the record does not start with 'v=STSv1'",
            "l'enregistrement ne commence pas par « v=STSv1 »",
        )
    ids = [v for k, v in tags if k == "id"]
    if len(ids) != 1 or not _ID.match(ids[0]):
        raise ParseError(
            "'id' must be 1 to 32 letters or digits",
            "« id » doit compter de 1 à 32 lettres ou chiffres",
        )
    return StsTxt(text=text, id=ids[0])


def parse_sts_policy(text: str) -> StsPolicy:
    """Parse the policy file served at https://mta-sts.<domain>/.well-known/mta-sts.txt."""
    if len(text) > 65536:
        raise ParseError("policy file too large", "fichier de politique trop gros")
    fields: dict[str, list[str]] = {}
    for raw in re.split(r"\r?\n", text):
        line = raw.strip(" \t")
        if not line:
            continue
        if ":" not in line:
            raise ParseError(
                f"invalid line '{line[:60]}' (expected key: value)",
                f"ligne invalide « {line[:60]} » (attendu clé: valeur)",
            )
        k, v = line.split(":", 1)
        fields.setdefault(k.strip().lower(), []).append(v.strip(" \t"))
    if fields.get("version") != ["STSv1"]:
        raise ParseError(
            "'version: STSv1' missing or wrong", "« version: STSv1 » absent ou incorrect"
        )
    modes = fields.get("mode", [])
    if len(modes) != 1 or modes[0] not in MODES:
        raise ParseError(
            "'mode' must be enforce, testing or none",
            "« mode » doit valoir enforce, testing ou none",
        )
    ages = fields.get("max_age", [])
    if len(ages) != 1 or not ages[0].isdigit() or len(ages[0]) > 10 or int(ages[0]) > MAX_AGE_LIMIT:
        raise ParseError(
            "'max_age' must be a number of seconds (at most 31557600)",
            "« max_age » doit être un nombre de secondes (31557600 au plus)",
        )
    mx = fields.get("mx", [])
    for pattern in mx:
        if not _PATTERN.match(pattern):
            raise ParseError(
                f"invalid mx pattern '{pattern[:60]}'", f"motif mx invalide « {pattern[:60]} »"
            )
    if modes[0] != "none" and not mx:
        raise ParseError("no 'mx' line in the policy", "aucune ligne « mx » dans la politique")
    return StsPolicy(
        mode=modes[0], mx=tuple(p.lower().rstrip(".") for p in mx), max_age=int(ages[0])
    )


def mx_matches(pattern: str, host: str) -> bool:
    """RFC 8461 §4.1: '*.example.org' matches exactly one extra leftmost label."""
    p = pattern.lower().rstrip(".")
    h = host.lower().rstrip(".")
    if p.startswith("*."):
        suffix = p[1:]
        return h.endswith(suffix) and "." not in h[: -len(suffix)] and len(h) > len(suffix)
    return p == h
