"""SPF records (RFC 7208): syntax only, following the ABNF of §12 exactly. Evaluation (lookups)
lives in checks/mail/spf.py.

Every syntax error is a permerror for receivers (RFC 7208 §4.6); each ParseError says which rule
of the RFC the record breaks. Points that simpler parsers get wrong:
- a domain-spec is a macro-string then a domain-end (§7.1): any visible character but `%` is
  literal (so `:` and `/` are legal inside it), and it ends with `.` and a top label that is not
  all digits, or with a macro;
- prefix lengths have no leading zero (`/032` is an error; `/0` is fine);
- the value of an unknown modifier must be a macro-string (§12);
- the macro letters c, r and t are allowed only in the text of an explanation, never in a
  domain-spec (§7.2), and a digit transformer must not be zero (§7.3).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from cyberdiag.checks.parsers import ParseError

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
# Mechanisms and modifiers that cost a DNS lookup (RFC 7208 §4.6.4).
LOOKUP_TERMS = ("include", "a", "mx", "ptr", "exists", "redirect")
MAX_LENGTH = 4096

SYNTAX = "RFC 7208 §12"
_MACRO = re.compile(r"%\{([A-Za-z])([0-9]*)([rR]?)([.\-+,/_=]*)\}|%%|%_|%-")
_MACRO_LETTERS = "slodiphcrtv"
_EXP_ONLY = "crt"
_TOPLABEL = re.compile(
    r"^(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])$")
_MODNAME = re.compile(r"^[A-Za-z][A-Za-z0-9\-_.]*$")
_DUAL_CIDR = re.compile(r"(?:/([0-9]+))?(?://([0-9]+))?$")
_IP4_CIDR = re.compile(r"^(?:0|[1-9][0-9]?)$")
_IP6_CIDR = re.compile(r"^(?:0|[1-9][0-9]{0,2})$")


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


def _error(en: str, fr: str, rule: str = SYNTAX) -> ParseError:
    return ParseError(f"{en} ({rule})", f"{fr} ({rule})")


def macro_string(value: str, what: str) -> str:
    """Check a macro-string (RFC 7208 §7.1): visible ASCII, every '%' starting a valid macro.
    Returns the text with each macro replaced by '%' (for the domain-end test)."""
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "%":
            m = _MACRO.match(value, i)
            if m is None or (m.group(1) and m.group(1).lower() not in _MACRO_LETTERS):
                raise _error(f"invalid macro in '{_term_text(what, value)}'",
                             f"macro invalide dans « {_term_text(what, value)} »",
                             "RFC 7208 §7.1")
            if m.group(2) and int(m.group(2)) == 0:
                raise _error(f"macro digit 0 in '{value[:60]}'",
                             f"chiffre 0 dans une macro de « {value[:60]} »", "RFC 7208 §7.3")
            out.append("%")
            i = m.end()
            continue
        if not (0x21 <= ord(ch) <= 0x7E):
            raise _error(f"invalid character in '{_term_text(what, value)}'",
                         f"caractère invalide dans « {_term_text(what, value)} »",
                         "RFC 7208 §7.1")
        out.append(ch)
        i += 1
    return "".join(out)


def _term_text(what: str, value: str) -> str:
    """How a term is shown in a message: 'include:x' or 'name=x' (what ends with '=')."""
    return f"{what}{value[:60]}" if what.endswith("=") else f"{what}:{value[:60]}"


def _macro_letters(value: str) -> set[str]:
    return {m.group(1).lower() for m in _MACRO.finditer(value) if m.group(1)}


def _domain_spec(value: str, what: str) -> str:
    """A domain-spec (RFC 7208 §7.1): macro-string then domain-end."""
    if not value:
        raise _error(f"'{what}' needs a domain", f"« {what} » demande un domaine")
    shown = _term_text(what, value)
    plain = macro_string(value, what)
    exp_only = sorted(_macro_letters(value) & set(_EXP_ONLY))
    if exp_only:
        letters = ", ".join(f"%{{{c}}}" for c in exp_only)
        raise _error(f"macro {letters} is only allowed in explanation text, not in "
                     f"'{shown}'",
                     f"la macro {letters} n'est permise que dans le texte d'explication, pas "
                     f"dans « {shown} »", "RFC 7208 §7.2")
    if plain.endswith("%"):
        return value  # domain-end is a macro-expand
    body = plain[:-1] if plain.endswith(".") else plain
    dot = body.rfind(".")
    top = body[dot + 1 :] if dot >= 0 else ""
    if dot < 0 or not _TOPLABEL.match(top):
        why_en = "numeric top label" if top.isdigit() else "it must end with '.' and a name"
        why_fr = "dernier label numérique" if top.isdigit() else "il doit finir par « . » et un nom"
        raise _error(f"invalid domain in '{shown}' ({why_en})",
                     f"domaine invalide dans « {shown} » ({why_fr})")
    return value if "%" in value else value.lower()


def _cidr(text: str, v6: bool, what: str) -> int:
    grammar, maximum = (_IP6_CIDR, 128) if v6 else (_IP4_CIDR, 32)
    if not grammar.match(text) or int(text) > maximum:
        why_en = " (leading zero)" if text[:1] == "0" and len(text) > 1 else ""
        why_fr = " (zéro en tête)" if why_en else ""
        raise _error(f"invalid prefix length '/{text[:10]}'{why_en} in '{what}'",
                     f"longueur de préfixe invalide « /{text[:10]} »{why_fr} dans « {what} »")
    return int(text)


def _dual_cidr(rest: str, what: str) -> tuple[str, int | None, int | None]:
    """Split 'domain/24//64' (a, mx) into the domain-spec and its prefix lengths."""
    m = _DUAL_CIDR.search(rest)
    assert m is not None  # the pattern matches the empty string at the end
    c4 = _cidr(m.group(1), False, what) if m.group(1) is not None else None
    c6 = _cidr(m.group(2), True, what) if m.group(2) is not None else None
    return rest[: m.start()], c4, c6


def parse_spf(text: str) -> SpfRecord:
    """Parse an SPF record. Raises ParseError with the first mistake found."""
    if len(text) > MAX_LENGTH:  # our bound on data from strangers; the RFC asks for far less
        raise _error(f"record too long ({len(text)} characters)",
                     f"enregistrement trop long ({len(text)} caractères)", "RFC 7208 §3.4")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise _error("control characters in the record",
                     "caractères de contrôle dans l'enregistrement")
    if not text.isascii():
        raise _error("non-ASCII characters in the record",
                     "caractères non ASCII dans l'enregistrement")
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
        raise _error(f"unknown mechanism '{raw[:60]}'", f"mécanisme inconnu « {raw[:60]} »",
                     "RFC 7208 §5")
    rest = body[len(name) :]
    if name == "all":
        if rest:
            raise _error(f"'all' takes no argument ('{raw[:60]}')",
                         f"« all » ne prend pas d'argument (« {raw[:60]} »)")
        return Term(qualifier, "all", "")
    if name in ("include", "exists"):
        if not rest.startswith(":"):
            raise _error(f"'{name}' needs ':domain' ('{raw[:60]}')",
                         f"« {name} » demande « :domaine » (« {raw[:60]} »)")
        return Term(qualifier, name, _domain_spec(rest[1:], name))
    if name in ("a", "mx"):
        domain = ""
        if rest.startswith(":"):
            spec, c4, c6 = _dual_cidr(rest[1:], name)
            domain = _domain_spec(spec, name)
        elif rest.startswith("/") or not rest:
            spec, c4, c6 = _dual_cidr(rest, name)
            if spec:
                raise _error(f"invalid prefix length in '{raw[:60]}'",
                             f"longueur de préfixe invalide dans « {raw[:60]} »")
        else:
            raise _error(f"invalid mechanism '{raw[:60]}'", f"mécanisme invalide « {raw[:60]} »")
        return Term(qualifier, name, domain, c4, c6)
    if name == "ptr":
        domain = ""
        if rest.startswith(":"):
            domain = _domain_spec(rest[1:], name)
        elif rest:
            raise _error(f"invalid mechanism '{raw[:60]}'", f"mécanisme invalide « {raw[:60]} »")
        return Term(qualifier, name, domain)
    return _ip_term(raw, qualifier, name, rest)


def _modifier(raw: str, name: str, value: str, seen_mod: set[str]) -> Term:
    """A name=value modifier; redirect= and exp= at most once each (§6), with a domain-spec;
    the value of any other modifier is a macro-string (§12)."""
    if not _MODNAME.match(name):
        raise _error(f"invalid modifier '{raw[:60]}'", f"modificateur invalide « {raw[:60]} »")
    if name in ("redirect", "exp"):
        if name in seen_mod:
            raise _error(f"'{name}=' appears twice", f"« {name}= » apparaît deux fois",
                         "RFC 7208 §6")
        seen_mod.add(name)
        value = _domain_spec(value, name + "=")
    else:
        macro_string(value, name + "=")
    return Term("", name, value, modifier=True)


def _ip_term(raw: str, qualifier: str, name: str, rest: str) -> Term:
    """An ip4:/ip6: mechanism: an address of the right family, optionally a prefix length."""
    if not rest.startswith(":"):
        raise _error(f"'{name}' needs an address ('{raw[:60]}')",
                     f"« {name} » demande une adresse (« {raw[:60]} »)")
    addr = rest[1:]
    prefix: int | None = None
    if "/" in addr:
        addr, p = addr.split("/", 1)
        prefix = _cidr(p, name == "ip6", name)
    try:
        if "%" in addr:  # a scoped IPv6 address is not an ip6-network
            raise ValueError(addr)
        ip = ipaddress.ip_address(addr)
    except ValueError:
        raise _error(f"invalid address in '{raw[:60]}'",
                     f"adresse invalide dans « {raw[:60]} »") from None
    if (name == "ip4") != (ip.version == 4):
        raise _error(f"wrong address family in '{raw[:60]}'",
                     f"famille d'adresse incorrecte dans « {raw[:60]} »")
    if name == "ip4":
        return Term(qualifier, name, addr, cidr4=prefix)
    return Term(qualifier, name, addr, cidr6=prefix)
