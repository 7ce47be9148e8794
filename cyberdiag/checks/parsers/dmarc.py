"""DMARC records (RFC 7489 §6.3-6.4, clarified by RFC 9989, "DMARCbis"): syntax and values (pure).

What receivers do, and so what this parser does:
- a record is a DMARC record only if it starts with `v=DMARC1` (the tag name `v` in any case,
  spaces or tabs around `=`, the value `DMARC1` exactly: it is case-sensitive in both RFCs);
  anything else (a leading space, other text first) is not a DMARC record at all;
- spaces and tabs around `=` and `;` are allowed, tag names are compared case-insensitively,
  and so are the keyword values (`p=REJECT`);
- a tag twice makes the whole record invalid (DKIM tag-list rule, RFC 6376 §3.2, which RFC 7489
  §6.4 adopts);
- an unknown tag is ignored; an optional tag with an invalid value is ignored too (its default
  applies) and listed in `ignored`, so that the check can name it (RFC 9989 states it);
- a missing or invalid `p` is applied as `p=none` (RFC 7489 §6.6.3, RFC 9989).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cyberdiag.checks.parsers import ParseError

POLICIES = ("none", "quarantine", "reject")
MAX_LENGTH = 4096
_VERSION = re.compile(r"^[vV][ \t]*=[ \t]*DMARC1[ \t]*(?:;|$)")  # DMARC1: case-sensitive
_MAILTO = re.compile(r"^mailto:([^@\s!,]+)@([A-Za-z0-9._\-]+)(![0-9]+[kmgt]?)?$", re.IGNORECASE)
_TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_KNOWN = ("v", "p", "sp", "np", "pct", "rua", "ruf", "adkim", "aspf", "fo", "rf", "ri", "psd",
          "t")
_ENUMS: dict[str, tuple[str, ...]] = {
    "sp": POLICIES, "np": POLICIES, "adkim": ("r", "s"), "aspf": ("r", "s"),
    "psd": ("y", "n", "u"), "t": ("y", "n"),
}
_WSP = " \t"


@dataclass(frozen=True)
class Ignored:
    """A part of the record that receivers ignore: the tag (or the text), its value, and why."""

    tag: str
    value: str
    en: str
    fr: str


@dataclass(frozen=True)
class DmarcRecord:
    """A DMARC record as receivers apply it.

    p: the policy applied ("none" when p= is missing or invalid); p_state: "ok", "missing" or
    "invalid". sp/np: None when absent (or ignored). ignored: parts receivers ignore.
    """

    text: str
    p: str
    sp: str | None
    pct: int
    rua: tuple[str, ...]
    ruf: tuple[str, ...]
    adkim: str
    aspf: str
    tags: tuple[tuple[str, str], ...]
    p_state: str = "ok"
    np: str | None = None
    ignored: tuple[Ignored, ...] = ()
    unknown: tuple[str, ...] = ()

    @property
    def subdomain_policy(self) -> str:
        return self.sp or self.p


def is_dmarc(text: str) -> bool:
    """Is this TXT record a DMARC record (it starts with 'v=DMARC1', RFC 7489 §6.6.3)?"""
    return bool(_VERSION.match(text[:64]))


def looks_like_dmarc(text: str) -> bool:
    """A TXT record that mentions DMARC1 without being a DMARC record (for the explanation)."""
    return not is_dmarc(text) and "dmarc1" in text[:200].lower()


def mailto_domain(uri: str) -> str | None:
    """Domain part of a 'mailto:' URI (lower case), None for other URIs."""
    m = _MAILTO.match(uri.strip())
    return m.group(2).lower().rstrip(".") if m else None


def _has_controls(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def _bad(tag: str, value: str, en: str, fr: str) -> Ignored:
    if _has_controls(value):
        en, fr = "control characters in the value", "caractères de contrôle dans la valeur"
    return Ignored(tag, value[:60], en, fr)


def _uris(tag: str, value: str, ignored: list[Ignored]) -> tuple[str, ...]:
    """The usable URIs of rua/ruf; each unusable one is ignored (RFC 7489 §6.3)."""
    out: list[str] = []
    for raw in value.split(","):
        uri = raw.strip(_WSP)
        if not uri:
            continue
        if _MAILTO.match(uri) or (uri.lower().startswith("https://") and not _has_controls(uri)):
            out.append(uri)
        else:
            ignored.append(_bad(tag, uri, "not a mailto: address", "pas une adresse mailto:"))
    return tuple(out)


def _fo_ok(value: str) -> bool:
    items = [v.strip(_WSP).lower() for v in value.split(":")]
    return (all(v in ("0", "1", "d", "s") for v in items) and len(set(items)) == len(items)
            and not {"0", "1"} <= set(items))


def _value_ok(tag: str, value: str) -> tuple[bool, str, str]:
    """Is the value of an optional tag valid? (ok, why in English, why in French)."""
    low = value.lower()
    if tag in _ENUMS:
        allowed = _ENUMS[tag]
        head = ", ".join(allowed[:-1])
        return (low in allowed, f"expected {head} or {allowed[-1]}",
                f"attendu {head} ou {allowed[-1]}")
    if tag == "pct":
        ok = value.isascii() and value.isdigit() and len(value) <= 3 and int(value) <= 100
        return ok, "expected a whole number from 0 to 100", "attendu un entier de 0 à 100"
    if tag == "ri":
        ok = value.isascii() and value.isdigit() and len(value) <= 10 and int(value) < 2**32
        return ok, "expected a number of seconds", "attendu un nombre de secondes"
    if tag == "fo":
        return _fo_ok(value), "expected 0, 1, d or s", "attendu 0, 1, d ou s"
    if tag == "rf":
        ok = all(v.strip(_WSP).lower() == "afrf" for v in value.split(":"))
        return ok, "unknown report format (afrf expected)", "format inconnu (afrf attendu)"
    return True, "", ""


def _tags(text: str) -> tuple[list[tuple[str, str]], list[Ignored]]:
    """The tag=value pairs after the version, and the malformed parts (ignored)."""
    pairs: list[tuple[str, str]] = []
    ignored: list[Ignored] = []
    for part in text.split(";")[1:]:
        p = part.strip(_WSP)
        if not p:
            continue
        if "=" not in p:
            ignored.append(_bad(p[:30], "", "not of the form tag=value",
                                "n'est pas de la forme balise=valeur"))
            continue
        name, value = (x.strip(_WSP) for x in p.split("=", 1))
        if not _TAG_NAME.match(name):
            ignored.append(_bad(name[:30], value, "invalid tag name", "nom de balise invalide"))
            continue
        pairs.append((name, value))
    return pairs, ignored


def parse_dmarc(text: str) -> DmarcRecord:
    """Parse a DMARC record the way receivers apply it. Raises ParseError when receivers discard
    the whole record (not a DMARC record, a tag given twice, absurdly long)."""
    if len(text) > MAX_LENGTH:
        raise ParseError("DMARC record too long", "enregistrement DMARC trop long")
    if not is_dmarc(text):
        raise ParseError(
            "the record does not start with 'v=DMARC1'",
            "l'enregistrement ne commence pas par « v=DMARC1 »",
            code="not_dmarc",
        )
    pairs, ignored = _tags(text)
    seen: dict[str, str] = {"v": "DMARC1"}
    for name, value in pairs:
        key = name.lower()
        if key in seen:
            raise ParseError(f"tag '{key}' appears twice",
                             f"la balise « {key} » apparaît deux fois", code="duplicate")
        seen[key] = value
    p_state, p = "missing", "none"
    if "p" in seen:
        if seen["p"].lower() in POLICIES:
            p_state, p = "ok", seen["p"].lower()
        else:
            p_state = "invalid"
            ignored.append(_bad("p", seen["p"], "expected none, quarantine or reject",
                                "attendu none, quarantine ou reject"))
    valid: dict[str, str] = {}
    for tag in ("sp", "np", "pct", "adkim", "aspf", "fo", "rf", "ri", "psd", "t"):
        if tag in seen:
            ok, en, fr = _value_ok(tag, seen[tag])
            if ok:
                valid[tag] = seen[tag].lower()
            else:
                ignored.append(_bad(tag, seen[tag], en, fr))
    rua = _uris("rua", seen["rua"], ignored) if "rua" in seen else ()
    ruf = _uris("ruf", seen["ruf"], ignored) if "ruf" in seen else ()
    return DmarcRecord(
        text=text,
        p=p,
        sp=valid.get("sp"),
        np=valid.get("np"),
        pct=int(valid.get("pct", "100")),
        rua=rua,
        ruf=ruf,
        adkim=valid.get("adkim", "r"),
        aspf=valid.get("aspf", "r"),
        tags=(("v", "DMARC1"), *pairs),
        p_state=p_state,
        ignored=tuple(ignored),
        unknown=tuple(k for k in seen if k not in _KNOWN),
    )
