"""The municipality profile: build it from the options given, validate it, write municipality.yaml.

Each field typed on the terminal is checked on its own first (`clean_*`: the value, or a
UserError saying why in plain words and what to type instead). Reading the file back is
`cyberdiag.loading.load_profile`; asking for what is missing on the terminal is
`cyberdiag/cli/init_prompts.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import ValidationError

from cyberdiag.checks.exposure.scope import parse_entry
from cyberdiag.checks.mail.free_provider import is_free_webmail
from cyberdiag.errors import UserError
from cyberdiag.fileio import write_private
from cyberdiag.loading import pydantic_message
from cyberdiag.models import Profile, Text, is_hostname

HEADER = (
    "# Profil de la commune pour cyberdiag / municipality profile for cyberdiag.\n"
    "# Modifiable à la main ; cyberdiag le vérifie à chaque lecture.\n"
)

FIELD_NAMES = {
    "name": ("--name", "nom de la commune", "municipality name"),
    "insee": ("--insee", "code INSEE (5 caractères, ex. 59350)", "INSEE code (5 characters)"),
    "population": ("--population", "population", "population"),
    "agents": ("--agents", "nombre d'agents", "number of staff"),
    "domains": ("--domain", "nom de domaine", "domain name"),
    "official_email": ("--official-email", "adresse officielle", "official address"),
}


@dataclass
class ProfileInput:
    """What `cyberdiag init` was given (None: not given, to be asked for)."""

    name: str | None = None
    insee: str | None = None
    population: int | None = None
    agents: int | None = None
    it_staff: bool | None = None
    provider: str | None = None
    domains: list[str] = field(default_factory=list)
    dkim_selectors: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    official_email: str | None = None
    # None: not given (asked on the terminal; otherwise website yes, the others no).
    website: bool | None = None
    own_mail_server: bool | None = None
    online_services: bool | None = None
    ot: bool | None = None


def missing_required(inp: ProfileInput) -> list[str]:
    """The required items not given (name, insee, population, agents)."""
    return [k for k in ("name", "insee", "population", "agents") if getattr(inp, k) is None]


def profile_errors(exc: ValidationError) -> list[str]:
    """Readable lines for a profile that does not validate."""
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        opt = FIELD_NAMES.get(str(err["loc"][0]) if err["loc"] else "", (key,))[0]
        lines.append(f"{opt}: {pydantic_message(dict(err))}")
    return lines


def build_profile(inp: ProfileInput) -> Profile:
    """The validated profile; UserError listing each wrong option otherwise."""
    data: dict[str, Any] = {
        "name": inp.name,
        "insee": inp.insee,
        "population": inp.population,
        "agents": inp.agents,
        "it_staff": bool(inp.it_staff),
        "it_provider": inp.provider,
        "domains": inp.domains,
        "dkim_selectors": inp.dkim_selectors,
        "public_addresses": inp.addresses,
        "official_email": inp.official_email,
        "has_website": True if inp.website is None else inp.website,
        "own_mail_server": bool(inp.own_mail_server),
        "online_services": bool(inp.online_services),
        "has_ot": bool(inp.ot),
    }
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise UserError(
            "Profil invalide :", "Invalid profile:", lines=profile_errors(exc)
        ) from None


def profile_yaml(profile: Profile) -> str:
    """The text of municipality.yaml."""
    data = profile.model_dump(mode="json", exclude_none=True)
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def refuse_overwrite(output: Path, *, force: bool) -> None:
    """UserError when `output` exists and --force was not given."""
    if output.exists() and not force:
        raise UserError(
            f"{output} existe déjà : utilisez --force pour le remplacer, ou -o AUTRE.yaml.",
            f"{output} already exists: use --force to replace it, or -o OTHER.yaml.",
        )


def write_profile(profile: Profile, output: Path) -> None:
    """Write municipality.yaml atomically, readable by its owner only."""
    write_private(output, profile_yaml(profile))


# --------------------------------------------------------------------------------------------
# Each field as typed: its clean value (and a note when it was reduced), or UserError saying why
# --------------------------------------------------------------------------------------------

INSEE_HELP = Text(
    fr="Le code INSEE n'est pas le code postal : c'est le numéro officiel de la commune. Sur "
    "insee.fr, cherchez le nom de la commune : le code suit le nom, ex. « Lille (59350) », alors "
    "que le code postal de Lille est 59000. La préfecture le connaît aussi.",
    en="The INSEE code is not the postal code: it is the municipality's official number. On "
    "insee.fr, search the municipality's name: the code follows the name, e.g. 'Lille (59350)', "
    "while Lille's postal code is 59000. The prefecture knows it too.",
)
DOMAIN_HELP = Text(
    fr="Le nom de domaine de la commune est ce qui suit le @ de l'adresse e-mail de la mairie "
    "(mairie@ville-exemple.fr → ville-exemple.fr).",
    en="The municipality's domain name is what follows the @ of the town hall's e-mail address "
    "(mairie@ville-exemple.fr → ville-exemple.fr).",
)
_INSEE = re.compile(r"\d{5}|2[AB]\d{3}")
_SELECTOR = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,62}")


def shown(text: str, limit: int = 80) -> str:
    """Typed text, quoted back to the user: controls replaced, length bounded."""
    out = "".join(c if c.isprintable() else "?" for c in text[:limit])
    return out + ("…" if len(text) > limit else "")


def _with(help_text: Text, fr: str, en: str) -> UserError:
    return UserError(f"{fr} {help_text.fr}", f"{en} {help_text.en}")


def clean_name(text: str) -> str:
    """The municipality's name (1 to 200 characters)."""
    name = " ".join(text.split())
    if not name:
        raise UserError("Le nom de la commune est demandé.", "The municipality's name is needed.")
    if len(name) > 200:
        raise UserError("Nom trop long (200 caractères au plus).", "Name too long (200 at most).")
    return name


def clean_insee(text: str) -> str:
    """An INSEE commune code that can exist: 5 digits, or 2A/2B and 3 digits in Corsica.

    Refused with the reason: what is not 5 characters, and what can only be a postal code
    (20xxx in Corsica, a commune number 000, an overseas code ending in 00)."""
    code = text.strip().upper().replace(" ", "")
    you = shown(text.strip())
    if not code:
        raise _with(INSEE_HELP, "Le code INSEE est demandé.", "The INSEE code is needed.")
    if not _INSEE.fullmatch(code):
        raise _with(
            INSEE_HELP,
            f"« {you} » n'est pas un code INSEE : 5 chiffres (ex. 59350), ou 2A / 2B suivi de "
            "3 chiffres en Corse.",
            f"'{you}' is not an INSEE code: 5 digits (e.g. 59350), or 2A / 2B and 3 digits in "
            "Corsica.",
        )
    if code.startswith("20"):
        raise UserError(
            f"« {code} » est un code postal de Corse : le code INSEE d'une commune corse commence "
            f"par 2A ou 2B (ex. 2A004 pour Ajaccio). {INSEE_HELP.fr}",
            f"'{code}' is a Corsican postal code: the INSEE code of a Corsican municipality "
            f"starts with 2A or 2B (e.g. 2A004 for Ajaccio). {INSEE_HELP.en}",
        )
    if code[:2] in ("00", "96", "99"):
        raise _with(
            INSEE_HELP,
            f"« {code} » ne correspond à aucun département.",
            f"'{code}' matches no département.",
        )
    if code.endswith("000") or (code[:2] in ("97", "98") and code.endswith("00")):
        raise _with(
            INSEE_HELP,
            f"« {code} » est un code postal : aucune commune ne porte ce numéro INSEE.",
            f"'{code}' is a postal code: no municipality has this INSEE number.",
        )
    return code


def insee_looks_postal(code: str) -> bool:
    """A valid code ending in 0, as most postal codes do: worth a confirmation."""
    return code.endswith("0")


def clean_count(text: str, most: int) -> int:
    """A whole number from 0 to `most` (spaces allowed: 1 200)."""
    digits = "".join(text.split())
    if not digits.isdigit():
        raise UserError(
            "Un nombre entier est attendu (ex. 1 200).", "A whole number is expected (e.g. 1200)."
        )
    if int(digits) > most:
        raise UserError(
            f"Au plus {most:,} : vérifiez le nombre.".replace(",", " "),
            f"At most {most:,}: check the number.",
        )
    return int(digits)


def clean_domain(text: str) -> tuple[str, Text | None]:
    """A domain name; an e-mail address or a web address typed is reduced to its domain (said in
    the note). A consumer mailbox provider's domain (orange.fr, gmail.com…) is refused."""
    raw = text.strip().removeprefix("mailto:")
    name, note = raw.lower(), None
    if "@" in raw:
        name = raw.rsplit("@", 1)[1].strip().lower()
        note = Text(
            fr=f"« {shown(raw)} » est une adresse e-mail : son domaine, {shown(name)}, est retenu.",
            en=f"'{shown(raw)}' is an e-mail address: its domain, {shown(name)}, is kept.",
        )
    elif "/" in raw or raw.lower().startswith("www."):
        try:
            host = urlsplit(raw if "//" in raw else "//" + raw).hostname or ""
        except ValueError:
            host = ""
        name = host.removeprefix("www.")
        note = Text(
            fr=f"« {shown(raw)} » est l'adresse d'un site : son domaine, {shown(name)}, "
            "est retenu.",
            en=f"'{shown(raw)}' is a web address: its domain, {shown(name)}, is kept.",
        )
    name = _ascii_name(name.rstrip("."))
    if not is_hostname(name) or "." not in name:
        raise _with(
            DOMAIN_HELP,
            f"« {shown(raw)} » n'est pas un nom de domaine.",
            f"'{shown(raw)}' is not a domain name.",
        )
    if is_free_webmail(name):
        raise UserError(
            f"{name} appartient à un fournisseur de messagerie grand public, pas à la commune. Si "
            "l'adresse de la mairie est chez lui, la commune n'a pas de nom de domaine à elle : "
            "laissez vide.",
            f"{name} belongs to a consumer mailbox provider, not to the municipality. If the town "
            "hall's address is there, the municipality has no domain of its own: leave empty.",
        )
    return name, note


def _ascii_name(name: str) -> str:
    """An accented domain name in its DNS form (mairie-évry.fr → xn--…); as typed if it fails."""
    if name.isascii():
        return name
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name


def clean_email(text: str) -> tuple[str, Text | None]:
    """An e-mail address (one @, a domain after it); the note says when it is at a consumer
    mailbox provider (known from then on: the questionnaire does not ask it again)."""
    raw = text.strip().removeprefix("mailto:")
    local, _, dom = raw.rpartition("@")
    dom = _ascii_name(dom.strip().lower().rstrip("."))
    if (
        not local
        or "@" in local
        or any(c.isspace() for c in raw)
        or not (is_hostname(dom) and "." in dom)
    ):
        raise UserError(
            f"« {shown(raw)} » n'est pas une adresse e-mail (ex. mairie@ville-exemple.fr).",
            f"'{shown(raw)}' is not an e-mail address (e.g. mairie@ville-exemple.fr).",
        )
    note = None
    if is_free_webmail(dom):
        note = Text(
            fr=f"Adresse chez un fournisseur grand public ({dom}) : c'est noté, le questionnaire "
            "ne le redemandera pas.",
            en=f"An address at a consumer mailbox provider ({dom}): noted, the questionnaire will "
            "not ask it again.",
        )
    return f"{local}@{dom}", note


def clean_selector(text: str) -> str:
    """A DKIM selector (letters, digits, dots, hyphens, underscores)."""
    sel = text.strip()
    if not _SELECTOR.fullmatch(sel):
        raise UserError(
            f"« {shown(sel)} » n'est pas un sélecteur DKIM (lettres, chiffres, tirets ; ex. "
            "selector1). Laissez vide si vous ne savez pas.",
            f"'{shown(sel)}' is not a DKIM selector (letters, digits, hyphens; e.g. selector1). "
            "Leave empty if you do not know.",
        )
    return sel


def clean_address(text: str) -> str:
    """A public IP address, CIDR range or host name the scan accepts (see exposure.scope)."""
    try:
        return parse_entry(text.strip()).text
    except UserError as exc:
        raise UserError(
            exc.fr + " Laissez vide si vous ne savez pas : le prestataire les connaît.",
            exc.en + " Leave empty if you do not know: the provider knows them.",
        ) from None
