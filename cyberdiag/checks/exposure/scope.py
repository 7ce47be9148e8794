"""Scope: which declared targets may be scanned, validated before any packet is sent.

`parse_entry` accepts one entry of `profile.public_addresses` (IPv4/IPv6 address, CIDR no wider
than /24 or /120 unless `allow_wide_ranges`, RFC 1123 host name) and refuses anything else,
special-purpose ranges included; `declared_scope` validates the whole profile and
`restrict_scope` narrows it to the --target values.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from cyberdiag.errors import UserError
from cyberdiag.models import Profile, Text

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Widest ranges accepted without / with `allow_wide_ranges` in the profile.
MAX_PREFIX_V4, MAX_PREFIX_V6 = 24, 120
WIDE_PREFIX_V4, WIDE_PREFIX_V6 = 16, 112

# The IANA IPv4 and IPv6 Special-Purpose Address Registries (and multicast): none of these is a
# municipality's public address. Loopback (127.0.0.0/8, ::1) stays allowed: it only reaches the
# machine running cyberdiag (the demo and the tests use it).
_V4_REFUSED: tuple[tuple[str, str, str], ...] = (
    ("0.0.0.0/8", "réseau « this network » (0.0.0.0/8)", "'this network' range (0.0.0.0/8)"),
    ("10.0.0.0/8", "adresse privée (10.0.0.0/8)", "private address (10.0.0.0/8)"),
    ("100.64.0.0/10", "adresse partagée d'opérateur (100.64.0.0/10)",
     "carrier-grade NAT address (100.64.0.0/10)"),
    ("169.254.0.0/16", "adresse locale au lien (169.254.0.0/16)",
     "link-local address (169.254.0.0/16)"),
    ("172.16.0.0/12", "adresse privée (172.16.0.0/12)", "private address (172.16.0.0/12)"),
    ("192.0.0.0/24", "plage réservée IETF (192.0.0.0/24)", "IETF reserved range (192.0.0.0/24)"),
    ("192.0.2.0/24", "adresse de documentation (192.0.2.0/24)",
     "documentation address (192.0.2.0/24)"),
    ("192.31.196.0/24", "plage à usage spécial AS112 (192.31.196.0/24)",
     "AS112 special-purpose range (192.31.196.0/24)"),
    ("192.52.193.0/24", "plage à usage spécial AMT (192.52.193.0/24)",
     "AMT special-purpose range (192.52.193.0/24)"),
    ("192.88.99.0/24", "ancien relais 6to4 (192.88.99.0/24)",
     "former 6to4 relay range (192.88.99.0/24)"),
    ("192.168.0.0/16", "adresse privée (192.168.0.0/16)", "private address (192.168.0.0/16)"),
    ("192.175.48.0/24", "plage à usage spécial AS112 (192.175.48.0/24)",
     "AS112 special-purpose range (192.175.48.0/24)"),
    ("198.18.0.0/15", "plage de tests de performance (198.18.0.0/15)",
     "benchmarking range (198.18.0.0/15)"),
    ("198.51.100.0/24", "adresse de documentation (198.51.100.0/24)",
     "documentation address (198.51.100.0/24)"),
    ("203.0.113.0/24", "adresse de documentation (203.0.113.0/24)",
     "documentation address (203.0.113.0/24)"),
    ("224.0.0.0/4", "adresse de multidiffusion (224.0.0.0/4)", "multicast address (224.0.0.0/4)"),
    ("240.0.0.0/4", "plage réservée ou diffusion (240.0.0.0/4, 255.255.255.255)",
     "reserved or broadcast range (240.0.0.0/4, 255.255.255.255)"),
)  # fmt: skip
_GIVE_V4_FR, _GIVE_V4_EN = "indiquez l'adresse IPv4 elle-même", "give the IPv4 address itself"
_V6_REFUSED: tuple[tuple[str, str, str], ...] = (
    ("::/128", "adresse non spécifiée (::)", "unspecified address (::)"),
    ("::ffff:0:0/96", f"adresse IPv4 transposée (::ffff:0:0/96) : {_GIVE_V4_FR}",
     f"IPv4-mapped address (::ffff:0:0/96): {_GIVE_V4_EN}"),
    ("::/96", f"adresse « compatible IPv4 » (::a.b.c.d, ::/96) : {_GIVE_V4_FR}",
     f"IPv4-compatible address (::a.b.c.d, ::/96): {_GIVE_V4_EN}"),
    ("64:ff9b::/96", f"traduction NAT64 d'une adresse IPv4 (64:ff9b::/96) : {_GIVE_V4_FR}",
     f"NAT64 translation of an IPv4 address (64:ff9b::/96): {_GIVE_V4_EN}"),
    ("64:ff9b:1::/48", f"traduction NAT64 locale (64:ff9b:1::/48) : {_GIVE_V4_FR}",
     f"local-use NAT64 translation (64:ff9b:1::/48): {_GIVE_V4_EN}"),
    ("100::/64", "préfixe « à jeter » (100::/64)", "discard-only prefix (100::/64)"),
    ("100:0:0:1::/64", "préfixe factice (100:0:0:1::/64)", "dummy prefix (100:0:0:1::/64)"),
    ("::/8", "plage réservée IETF (::/8)", "IETF reserved range (::/8)"),
    ("2001::/32", f"tunnel Teredo vers une adresse IPv4 (2001::/32) : {_GIVE_V4_FR}",
     f"Teredo tunnel to an IPv4 address (2001::/32): {_GIVE_V4_EN}"),
    ("2001::/23", "plage de protocoles IETF (2001::/23)", "IETF protocol range (2001::/23)"),
    ("2001:db8::/32", "adresse de documentation (2001:db8::/32)",
     "documentation address (2001:db8::/32)"),
    ("2002::/16", f"adresse 6to4 d'une adresse IPv4 (2002::/16) : {_GIVE_V4_FR}",
     f"6to4 address of an IPv4 address (2002::/16): {_GIVE_V4_EN}"),
    ("2620:4f:8000::/48", "plage à usage spécial AS112 (2620:4f:8000::/48)",
     "AS112 special-purpose range (2620:4f:8000::/48)"),
    ("3fff::/20", "adresse de documentation (3fff::/20)", "documentation address (3fff::/20)"),
    ("5f00::/16", "identifiants de segment SRv6 (5f00::/16)",
     "SRv6 segment identifiers (5f00::/16)"),
    ("fc00::/7", "adresse privée (fc00::/7)", "private address (fc00::/7)"),
    ("fe80::/10", "adresse locale au lien (fe80::/10)", "link-local address (fe80::/10)"),
    ("fec0::/10", "adresse « site-local » obsolète (fec0::/10)",
     "deprecated site-local address (fec0::/10)"),
    ("ff00::/8", "adresse de multidiffusion (ff00::/8)", "multicast address (ff00::/8)"),
)  # fmt: skip
_V6_LOOPBACK = ipaddress.ip_network("::1/128")
_V6_GLOBAL = ipaddress.ip_network("2000::/3")
_V6_UNASSIGNED = Text(
    fr="adresse IPv6 hors de l'espace public attribué (2000::/3)",
    en="IPv6 address outside the assigned public space (2000::/3)",
)


@cache
def _refused_networks() -> tuple[tuple[IPNetwork, Text], ...]:
    return tuple(
        (ipaddress.ip_network(net), Text(fr=fr, en=en)) for net, fr, en in _V4_REFUSED + _V6_REFUSED
    )


def refusal(net: IPNetwork) -> Text | None:
    """Why `net` (an address is a /32 or /128) may not be scanned, or None.

    Loopback (127.0.0.0/8, ::1) is allowed: it only reaches the machine running cyberdiag (the
    demo and the tests use it). Every range of the IANA special-purpose registries is refused
    (private, shared, link-local, documentation, multicast, reserved, broadcast, the IPv6 forms
    that carry or route to an IPv4 address: mapped, compatible, NAT64, 6to4, Teredo), and so is
    any IPv6 outside the public space 2000::/3: they are not a municipality's public addresses,
    and scanning them from a laptop would probe whatever network the laptop happens to sit on.
    """
    if net.version == 6 and net == _V6_LOOPBACK:
        return None
    for bad, why in _refused_networks():
        if bad.version == net.version and net.overlaps(bad):
            return _with_embedded(net, why)
    if net.version == 6 and not net.subnet_of(_V6_GLOBAL):  # type: ignore[arg-type]
        return _V6_UNASSIGNED
    return None


def _with_embedded(net: IPNetwork, why: Text) -> Text:
    """The reason, naming the IPv4 address an IPv6 address carries (6to4, Teredo, NAT64…)."""
    if net.version != 6 or net.num_addresses != 1:
        return why
    addr = net.network_address
    assert isinstance(addr, ipaddress.IPv6Address)
    v4 = addr.ipv4_mapped or addr.sixtofour or (addr.teredo[1] if addr.teredo else None)
    if v4 is None and int(addr) >> 32 in (0, 0x64FF9B << 64):  # ::a.b.c.d, 64:ff9b::a.b.c.d
        v4 = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    if v4 is None:
        return why
    return Text(fr=f"{why.fr} — elle désigne {v4}", en=f"{why.en} — it stands for {v4}")


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _hostname(text: str) -> str | None:
    """The RFC 1123 host name in ASCII (IDN converted to punycode), or None if not one."""
    name = text.rstrip(".")
    if not name or any(c.isspace() for c in name):
        return None
    try:
        name = name.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        return None
    if labels[-1].isdigit():  # "127.1", "10.0.0.300": malformed addresses, not names
        return None
    return name


@dataclass(frozen=True)
class Entry:
    """One validated entry of the profile's public_addresses."""

    text: str
    kind: Literal["address", "network", "hostname"]
    network: IPNetwork | None = None
    hostname: str | None = None

    def size(self) -> int:
        return self.network.num_addresses if self.network is not None else 0


def _refuse(entry: str, fr: str, en: str) -> UserError:
    """« Cible refusée « x » : why. Rien n'a été envoyé. » (no « ?. » after a question)."""
    fr_end = " " if fr.endswith("?") else ". "
    en_end = " " if en.endswith("?") else ". "
    return UserError(
        f"Cible refusée « {entry} » : {fr}{fr_end}Rien n'a été envoyé.",
        f"Target refused '{entry}': {en}{en_end}Nothing was sent.",
    )


def _allowed(net: IPNetwork, shown: str) -> IPNetwork:
    """`net` itself, or UserError if it lies in a refused special-purpose range."""
    why = refusal(net)
    if why is not None:
        raise _refuse(shown, why.fr, why.en)
    return net


def _parse_network(text: str, shown: str, allow_wide_ranges: bool) -> IPNetwork:
    """A CIDR range, strictly written, no wider than allowed and not special-purpose."""
    try:
        net = ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        hint_fr, hint_en = "notation CIDR invalide", "invalid CIDR notation"
        if "host bits set" in str(exc):
            base = ipaddress.ip_network(text, strict=False)
            hint_fr = f"des bits d'hôte sont positionnés : vouliez-vous dire {base} ?"
            hint_en = f"host bits are set: did you mean {base}?"
        raise _refuse(shown, hint_fr, hint_en) from None
    narrowest, widest = (
        (MAX_PREFIX_V4, WIDE_PREFIX_V4) if net.version == 4 else (MAX_PREFIX_V6, WIDE_PREFIX_V6)
    )
    limit = widest if allow_wide_ranges else narrowest
    if net.prefixlen < limit:
        if allow_wide_ranges or net.prefixlen < widest:
            raise _refuse(
                shown,
                f"plage trop large (/{net.prefixlen}) : au plus /{widest}, même avec "
                "allow_wide_ranges",
                f"range too wide (/{net.prefixlen}): at most /{widest}, even with "
                "allow_wide_ranges",
            )
        raise _refuse(
            shown,
            f"plage trop large (/{net.prefixlen}) : au plus /{narrowest}, sauf si le profil "
            "indique allow_wide_ranges: true",
            f"range too wide (/{net.prefixlen}): at most /{narrowest} unless the profile "
            "sets allow_wide_ranges: true",
        )
    return _allowed(net, shown)


def parse_entry(raw: object, allow_wide_ranges: bool = False) -> Entry:
    """Validate one declared target; raise UserError (before any packet) if it is refused."""
    if not isinstance(raw, str):
        raise _refuse(str(raw), "ce n'est pas du texte", "not a text value")
    text = raw.strip()
    shown = "".join(c if c.isprintable() else "?" for c in text[:80])
    if not text:
        raise _refuse(shown, "valeur vide", "empty value")
    if "%" in text:
        raise _refuse(shown, "identifiant de zone IPv6 (%…) refusé", "IPv6 zone id (%…) refused")
    if "/" in text:
        net = _parse_network(text, shown, allow_wide_ranges)
        return Entry(text=text, kind="network", network=net)
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        addr = None
    if addr is not None:
        net = _allowed(ipaddress.ip_network(addr), shown)
        return Entry(text=text, kind="address", network=net)
    name = _hostname(text)
    if name is None:
        raise _refuse(
            shown,
            "ce n'est ni une adresse IPv4/IPv6, ni une plage CIDR, ni un nom d'hôte valide "
            "(lettres, chiffres, tirets et points seulement)",
            "neither an IPv4/IPv6 address, a CIDR range nor a valid host name (letters, digits, "
            "hyphens and dots only)",
        )
    return Entry(text=text, kind="hostname", hostname=name)


def declared_scope(profile: Profile) -> list[Entry]:
    """Every entry of profile.public_addresses, validated; all mistakes reported at once."""
    if not profile.public_addresses:
        raise UserError(
            "Le profil ne déclare aucune adresse publique (public_addresses) : rien à scanner.",
            "The profile declares no public address (public_addresses): nothing to scan.",
        )
    entries: list[Entry] = []
    errors: list[UserError] = []
    seen: set[object] = set()
    for raw in profile.public_addresses:
        try:
            entry = parse_entry(raw, profile.allow_wide_ranges)
        except UserError as exc:
            errors.append(exc)
            continue
        key = entry.network if entry.network is not None else entry.hostname
        if key not in seen:  # the same address written twice is scanned and reported once
            seen.add(key)
            entries.append(entry)
    if errors:
        if len(errors) == 1:
            raise errors[0]
        raise UserError(
            f"{len(errors)} cibles refusées dans public_addresses. Rien n'a été envoyé.",
            f"{len(errors)} targets refused in public_addresses. Nothing was sent.",
            lines=[f"{e.fr} / {e.en}" for e in errors],
        )
    return entries


def restrict_scope(entries: Sequence[Entry], wanted: Iterable[str]) -> list[Entry]:
    """Keep only the parts of the declared scope named by `wanted` (the --target option).

    Each wanted value must be a declared host name, or an address/range inside a declared
    address or range; anything else is out of scope and refused before any packet.
    """
    kept: list[Entry] = []
    for raw in wanted:
        want = parse_entry(raw, allow_wide_ranges=True)
        match: Entry | None = None
        for e in entries:
            if want.kind == "hostname" and e.kind == "hostname" and e.hostname == want.hostname:
                match = e
            elif (
                want.network is not None
                and e.network is not None
                and want.network.version == e.network.version
                and want.network.subnet_of(e.network)  # type: ignore[arg-type]
            ):
                match = want if want.network != e.network else e
            if match is not None:
                break
        if match is None:
            shown = raw.strip()[:80]
            raise UserError(
                f"Cible hors périmètre « {shown} » : elle ne figure pas dans les adresses "
                "publiques déclarées par le profil (public_addresses). Rien n'a été envoyé.",
                f"Out-of-scope target '{shown}': it is not among the public addresses declared "
                "in the profile (public_addresses). Nothing was sent.",
            )
        if match not in kept:
            kept.append(match)
    return kept
