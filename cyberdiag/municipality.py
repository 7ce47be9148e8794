"""The municipality profile: build it from the options given, validate it, write municipality.yaml.

Reading the file back is `cyberdiag.loading.load_profile`; asking for what is missing on the
terminal is `cyberdiag/cli/init_prompts.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cyberdiag.errors import UserError
from cyberdiag.fileio import write_private
from cyberdiag.loading import pydantic_message
from cyberdiag.models import Profile

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
    website: bool = True
    own_mail_server: bool = False
    online_services: bool = False
    ot: bool = False


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
        "has_website": inp.website,
        "own_mail_server": inp.own_mail_server,
        "online_services": inp.online_services,
        "has_ot": inp.ot,
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
