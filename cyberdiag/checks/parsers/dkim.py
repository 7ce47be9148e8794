"""DKIM public-key records (RFC 6376 §3.6.1) at `<selector>._domainkey.<domain>` (pure)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cyberdiag.checks.parsers import ParseError, tag_list


@dataclass(frozen=True)
class DkimKey:
    text: str
    key_type: str  # "rsa" or "ed25519"
    bits: int  # 0 when the key is revoked (empty p=)
    revoked: bool
    testing: bool


def looks_like_dkim(text: str) -> bool:
    t = text.lstrip(" \t")
    return t.startswith("v=DKIM1") or "p=" in t


def parse_dkim(text: str) -> DkimKey:
    if len(text) > 8192:
        raise ParseError("DKIM record too long", "enregistrement DKIM trop long")
    tags = tag_list(text, what="DKIM")
    d: dict[str, str] = {}
    for i, (k, v) in enumerate(tags):
        if k == "v" and (i != 0 or v != "DKIM1"):
            raise ParseError("'v=DKIM1' must come first", "« v=DKIM1 » doit venir en premier")
        if k in d:
            raise ParseError(f"tag '{k}' appears twice", f"la balise « {k} » apparaît deux fois")
        d[k] = v
    if "p" not in d:
        raise ParseError("public key tag 'p' missing", "balise de clé publique « p » absente")
    key_type = d.get("k", "rsa").lower()
    if key_type not in ("rsa", "ed25519"):
        raise ParseError(
            f"unknown key type k={key_type[:20]}", f"type de clé inconnu k={key_type[:20]}"
        )
    testing = "y" in [f.strip() for f in d.get("t", "").split(":")]
    b64 = "".join(d["p"].split())
    if not b64:
        return DkimKey(text, key_type, 0, True, testing)
    try:
        der = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise ParseError(
            "public key is not valid base64", "la clé publique n'est pas du base64 valide"
        ) from None
    if key_type == "ed25519":
        if len(der) != 32:
            raise ParseError("Ed25519 key must be 32 bytes", "une clé Ed25519 fait 32 octets")
        return DkimKey(text, key_type, 256, False, testing)
    # lazy: start-up time (cryptography)
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        key = load_der_public_key(der)
    except (ValueError, TypeError, Exception):  # cryptography raises several types
        raise ParseError("public key cannot be decoded", "clé publique indécodable") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ParseError("k=rsa but the key is not RSA", "k=rsa mais la clé n'est pas RSA")
    return DkimKey(text, key_type, key.key_size, False, testing)
