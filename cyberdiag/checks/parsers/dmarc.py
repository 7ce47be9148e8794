"""DMARC records (RFC 7489): syntax and policy values (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cyberdiag.checks.parsers import ParseError, tag_list

POLICIES = ("none", "quarantine", "reject")
_MAILTO = re.compile(r"^mailto:([^@\s!,]+)@([A-Za-z0-9._\-]+)(![0-9]+[kmgt]?)?$", re.IGNORECASE)


@dataclass(frozen=True)
class DmarcRecord:
    text: str
    p: str
    sp: str | None
    pct: int
    rua: tuple[str, ...]
    ruf: tuple[str, ...]
    adkim: str
    aspf: str
    tags: tuple[tuple[str, str], ...]

    @property
    def subdomain_policy(self) -> str:
        return self.sp or self.p


def is_dmarc(text: str) -> bool:
    """Does this TXT record claim to be DMARC (first tag v=DMARC1)?"""
    head = text.lstrip(" \t")[:8]
    return head == "v=DMARC1"


def _uris(value: str, tag: str) -> tuple[str, ...]:
    out: list[str] = []
    for raw in value.split(","):
        uri = raw.strip()
        if not uri:
            continue
        if not _MAILTO.match(uri) and not uri.lower().startswith("https://"):
            raise ParseError(
                f"{tag}: invalid address '{uri[:80]}' (expected mailto:…)",
                f"{tag} : adresse invalide « {uri[:80]} » (attendu mailto:…)",
            )
        out.append(uri)
    if not out:
        raise ParseError(f"{tag}: empty list", f"{tag} : liste vide")
    return tuple(out)


def mailto_domain(uri: str) -> str | None:
    """Domain part of a 'mailto:' URI (lower case), None for other URIs."""
    m = _MAILTO.match(uri.strip())
    return m.group(2).lower().rstrip(".") if m else None


def parse_dmarc(text: str) -> DmarcRecord:
    """Parse a DMARC record. Raises ParseError with the first mistake found."""
    if len(text) > 4096:
        raise ParseError("DMARC record too long", "enregistrement DMARC trop long")
    tags = tag_list(text, what="DMARC")
    if not tags or tags[0] != ("v", "DMARC1"):
        raise ParseError(
            "the record does not start with 'v=DMARC1'",
            "l'enregistrement ne commence pas par « v=DMARC1 »",
        )
    seen: dict[str, str] = {}
    for k, v in tags:
        key = k.lower()
        if key in seen:
            raise ParseError(
                f"tag '{key}' appears twice", f"la balise « {key} » apparaît deux fois"
            )
        seen[key] = v
    if "p" not in seen:
        raise ParseError("policy tag 'p' missing", "balise de politique « p » absente")
    p = seen["p"].lower()
    if p not in POLICIES:
        raise ParseError(
            f"invalid policy p={seen['p'][:30]}", f"politique invalide p={seen['p'][:30]}"
        )
    sp = seen.get("sp")
    if sp is not None:
        sp = sp.lower()
        if sp not in POLICIES:
            raise ParseError(
                f"invalid subdomain policy sp={sp[:30]}",
                f"politique de sous-domaine invalide sp={sp[:30]}",
            )
    pct = 100
    if "pct" in seen:
        if not seen["pct"].isdigit() or int(seen["pct"]) > 100:
            raise ParseError(
                f"invalid pct={seen['pct'][:20]} (0 to 100)",
                f"pct={seen['pct'][:20]} invalide (0 à 100)",
            )
        pct = int(seen["pct"])
    for tag in ("adkim", "aspf"):
        if tag in seen and seen[tag].lower() not in ("r", "s"):
            raise ParseError(
                f"invalid {tag}={seen[tag][:20]} (r or s)",
                f"{tag}={seen[tag][:20]} invalide (r ou s)",
            )
    rua = _uris(seen["rua"], "rua") if "rua" in seen else ()
    ruf = _uris(seen["ruf"], "ruf") if "ruf" in seen else ()
    return DmarcRecord(
        text=text,
        p=p,
        sp=sp,
        pct=pct,
        rua=rua,
        ruf=ruf,
        adkim=seen.get("adkim", "r").lower(),
        aspf=seen.get("aspf", "r").lower(),
        tags=tuple(tags),
    )
