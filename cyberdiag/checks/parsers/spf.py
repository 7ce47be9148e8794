"""SPF records (RFC 7208): syntax only. Evaluation (lookups) lives in checks/mail/spf.py."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from cyberdiag.checks.parsers import ParseError

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
# Mechanisms and modifiers that cost a DNS lookup (RFC 7208 §4.6.4).
LOOKUP_TERMS = ("include", "a", "mx", "ptr", "exists", "redirect")
MAX_LENGTH = 4096

_MACRO = re.compile(r"%\{[slodiphcrtv]\d*r?[.\-+,/_=]*\}|%%|%_|%-", re.IGNORECASE)
_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_\-]{0,61}[A-Za-z0-9_])?$")
_MODNAME = re.compile(r"^[A-Za-z][A-Za-z0-9\-_.]*$")


@dataclass(frozen=True)
class Term:
    """One directive (qualifier + mechanism) or modifier (qualifier empty, kind 'modifier')."""

    qualifier: str  # "+", "-", "~", "?" for mechanisms; "" for modifiers
    name: str  # mechanism or modifier name, lower case
    value: str  # domain-spec / address / "" ; for modifiers the value
    cidr4: int | None = None
    cidr6: int | None = None
    modifier: bool = False

    @property
    def has_macro(self) -> bool:
        return "%" in self.value


@dataclass(frozen=True)
class SpfRecord:
    text: str
    terms: tuple[Term, ...]

    @property
    def mechanisms(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.modifier)

    @property
    def redirect(self) -> str | None:
        return next((t.value for t in self.terms if t.modifier and t.name == "redirect"), None)

    @property
    def all_qualifier(self) -> str | None:
        """Qualifier of the 'all' mechanism, if any ('+', '-', '~', '?')."""
        return next((t.qualifier for t in self.terms if t.name == "all" and not t.modifier), None)

    @property
    def terms_after_all(self) -> bool:
        seen = False
        for t in self.mechanisms:
            if seen:
                return True
            if t.name == "all":
                seen = True
        return False

    def lookup_terms(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.name in LOOKUP_TERMS)


def is_spf(text: str) -> bool:
    """Does this TXT record claim to be SPF ('v=spf1' then a space or the end)?"""
    low = text[:7].lower()
    return low == "v=spf1" or low == "v=spf1 "


def _domain_spec(value: str, what: str) -> str:
    if not value:
        raise ParseError(f"'{what}' needs a domain", f"« {what} » demande un domaine")
    if len(value) > 253 + 64:
        raise ParseError(f"domain too long in '{what}'", f"domaine trop long dans « {what} »")
    plain = _MACRO.sub("x", value)
    if "%" in plain:
        raise ParseError(
            f"invalid macro in '{what}:{value[:60]}'",
            f"macro invalide dans « {what}:{value[:60]} »",
        )
    if "%" in value:
        if not all(c.isascii() and (c.isprintable()) and c != " " for c in plain):
            raise ParseError(f"invalid domain '{value[:60]}'", f"domaine invalide « {value[:60]} »")
        return value
    name = value[:-1] if value.endswith(".") else value
    if len(name) > 253:
        raise ParseError(f"domain too long in '{what}'", f"domaine trop long dans « {what} »")
    labels = name.split(".")
    if len(labels) < 2 or not all(_LABEL.match(lab) for lab in labels):
        raise ParseError(
            f"invalid domain '{value[:60]}' in '{what}'",
            f"domaine invalide « {value[:60]} » dans « {what} »",
        )
    if labels[-1].isdigit():
        raise ParseError(
            f"invalid domain '{value[:60]}' in '{what}' (numeric top label)",
            f"domaine invalide « {value[:60]} » dans « {what} »",
        )
    return value.lower()


def _cidr(text: str, maximum: int, what: str) -> int:
    if not text.isdigit() or len(text) > 3 or int(text) > maximum:
        raise ParseError(
            f"invalid prefix length '/{text[:10]}' in '{what}'",
            f"longueur de préfixe invalide « /{text[:10]} » dans « {what} »",
        )
    return int(text)


def _split_dual_cidr(rest: str, what: str) -> tuple[str, int | None, int | None]:
    c4 = c6 = None
    if "//" in rest:
        rest, c6s = rest.split("//", 1)
        c6 = _cidr(c6s, 128, what)
    if "/" in rest:
        rest, c4s = rest.rsplit("/", 1)
        c4 = _cidr(c4s, 32, what)
    return rest, c4, c6


def parse_spf(text: str) -> SpfRecord:
    """Parse an SPF record. Raises ParseError with the first mistake found."""
    if len(text) > MAX_LENGTH:
        raise ParseError(
            f"record too long ({len(text)} characters)",
            f"enregistrement trop long ({len(text)} caractères)",
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ParseError(
            "control characters in the record", "caractères de contrôle dans l'enregistrement"
        )
    if not text.isascii():
        raise ParseError(
            "non-ASCII characters in the record", "caractères non ASCII dans l'enregistrement"
        )
    if not is_spf(text):
        raise ParseError(
            "the record does not start with 'v=spf1'",
            "l'enregistrement ne commence pas par « v=spf1 »",
        )
    terms: list[Term] = []
    seen_mod: set[str] = set()
    for raw in text[6:].split(" "):
        if not raw:
            continue
        terms.append(_term(raw, seen_mod))
    return SpfRecord(text=text, terms=tuple(terms))


def _term(raw: str, seen_mod: set[str]) -> Term:
    """One term of the record: a mechanism (with its qualifier) or a modifier."""
    qualifier = "+"
    body = raw
    if body[0] in "+-~?":
        qualifier, body = body[0], body[1:]
    # Modifier: name=value, where name is not a mechanism followed by ':' or '/'.
    m = re.match(r"^([A-Za-z][A-Za-z0-9\-_.]*)=(.*)$", body)
    if m and raw[0] not in "+-~?":
        return _modifier(raw, m.group(1).lower(), m.group(2), seen_mod)
    lower = body.lower()
    name = re.split(r"[:/]", lower, maxsplit=1)[0]
    if name not in MECHANISMS:
        raise ParseError(f"unknown mechanism '{raw[:60]}'", f"mécanisme inconnu « {raw[:60]} »")
    rest = body[len(name) :]
    if name == "all":
        if rest:
            raise ParseError(
                f"'all' takes no argument ('{raw[:60]}')",
                f"« all » ne prend pas d'argument (« {raw[:60]} »)",
            )
        return Term(qualifier, "all", "")
    if name in ("include", "exists"):
        if not rest.startswith(":"):
            raise ParseError(
                f"'{name}' needs ':domain' ('{raw[:60]}')",
                f"« {name} » demande « :domaine » (« {raw[:60]} »)",
            )
        return Term(qualifier, name, _domain_spec(rest[1:], name))
    if name in ("a", "mx"):
        domain = ""
        if rest.startswith(":"):
            rest = rest[1:]
            domain_part, c4, c6 = _split_dual_cidr(rest, name)
            domain = _domain_spec(domain_part, name)
        elif rest.startswith("/") or not rest:
            _, c4, c6 = _split_dual_cidr(rest, name)
        else:
            raise ParseError(
                f"invalid mechanism '{raw[:60]}'", f"mécanisme invalide « {raw[:60]} »"
            )
        return Term(qualifier, name, domain, c4, c6)
    if name == "ptr":
        domain = ""
        if rest.startswith(":"):
            domain = _domain_spec(rest[1:], name)
        elif rest:
            raise ParseError(
                f"invalid mechanism '{raw[:60]}'", f"mécanisme invalide « {raw[:60]} »"
            )
        return Term(qualifier, name, domain)
    return _ip_term(raw, qualifier, name, rest)


def _modifier(raw: str, name: str, value: str, seen_mod: set[str]) -> Term:
    """A name=value modifier; redirect= and exp= at most once each, with a domain-spec."""
    if not _MODNAME.match(name):
        raise ParseError(
            f"invalid modifier '{raw[:60]}'", f"modificateur invalide « {raw[:60]} »"
        )
    if name in ("redirect", "exp"):
        if name in seen_mod:
            raise ParseError(f"'{name}=' appears twice", f"« {name}= » apparaît deux fois")
        seen_mod.add(name)
        value = _domain_spec(value, name)
    return Term("", name, value, modifier=True)


def _ip_term(raw: str, qualifier: str, name: str, rest: str) -> Term:
    """An ip4:/ip6: mechanism: an address of the right family, optionally a prefix length."""
    if not rest.startswith(":"):
        raise ParseError(
            f"'{name}' needs an address ('{raw[:60]}')",
            f"« {name} » demande une adresse (« {raw[:60]} »)",
        )
    addr = rest[1:]
    prefix: int | None = None
    if "/" in addr:
        addr, p = addr.split("/", 1)
        prefix = _cidr(p, 32 if name == "ip4" else 128, name)
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        raise ParseError(
            f"invalid address in '{raw[:60]}'", f"adresse invalide dans « {raw[:60]} »"
        ) from None
    if (name == "ip4") != (ip.version == 4):
        raise ParseError(
            f"wrong address family in '{raw[:60]}'",
            f"famille d'adresse incorrecte dans « {raw[:60]} »",
        )
    if name == "ip4":
        return Term(qualifier, name, addr, cidr4=prefix)
    return Term(qualifier, name, addr, cidr6=prefix)
