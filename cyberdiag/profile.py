"""The municipality profile (municipality.yaml): ask for it, validate it, write it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cyberdiag.errors import UserError
from cyberdiag.fileio import write_private
from cyberdiag.i18n import current, tr
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


def _split(text: str) -> list[str]:
    return [p for p in text.replace(",", " ").split() if p]


def _prompt(label_fr: str, label_en: str, default: str | None = None) -> str:
    import typer

    try:
        value: str = typer.prompt(
            tr(label_fr, label_en),
            default=default if default is not None else "",
            show_default=bool(default),
        )
    except (EOFError, typer.Abort):
        raise UserError(
            f"Saisie interrompue : « {label_fr} » est demandé (ou passez-le en option).",
            f"Input ended: '{label_en}' is required (or pass it as an option).",
        ) from None
    return value.strip()


def complete_interactively(inp: ProfileInput) -> ProfileInput:
    """Ask for whatever required item was not given as an option."""
    missing = [k for k in ("name", "insee", "population", "agents") if getattr(inp, k) is None]
    if not missing:
        return inp
    if inp.name is None:
        inp.name = _prompt("Nom de la commune", "Municipality name")
    if inp.insee is None:
        inp.insee = _prompt("Code INSEE (5 caractères)", "INSEE code (5 characters)").upper()
    for key, fr, en in (
        ("population", "Population (habitants)", "Population (inhabitants)"),
        ("agents", "Nombre d'agents", "Number of staff"),
    ):
        while getattr(inp, key) is None:
            text = _prompt(fr, en).replace(" ", "").replace("\u202f", "")
            if text.isdigit():
                setattr(inp, key, int(text))
            else:
                print(tr("Un nombre entier est attendu.", "A whole number is expected."))
    if inp.it_staff is None:
        ans = _prompt(
            "La commune a-t-elle du personnel informatique ? (o/n)",
            "Does the municipality have IT staff? (y/n)",
            "n",
        )
        inp.it_staff = ans.lower().startswith(("o", "y"))
    if inp.provider is None:
        inp.provider = (
            _prompt(
                "Prestataire informatique (nom, vide si aucun)", "IT provider (name, empty if none)"
            )
            or None
        )
    if not inp.domains:
        inp.domains = _split(
            _prompt(
                "Noms de domaine (ex. ville-exemple.fr, séparés par des espaces)",
                "Domain names (e.g. ville-exemple.fr, separated by spaces)",
            )
        )
    if not inp.dkim_selectors:
        inp.dkim_selectors = _split(
            _prompt("Sélecteurs DKIM connus (vide si inconnus)", "Known DKIM selectors (or empty)")
        )
    if not inp.addresses:
        inp.addresses = _split(
            _prompt(
                "Adresses IP publiques de la commune (pour le scan facultatif, vide sinon)",
                "Public IP addresses of the municipality (for the optional scan, or empty)",
            )
        )
    if inp.official_email is None:
        inp.official_email = (
            _prompt(
                "Adresse e-mail officielle de la mairie (vide si aucune)",
                "Official e-mail address of the town hall (or empty)",
            )
            or None
        )
    return inp


def profile_errors(exc: ValidationError) -> list[str]:
    """Readable lines for a profile that does not validate."""
    from cyberdiag.loading import _pydantic_message

    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        opt = FIELD_NAMES.get(str(err["loc"][0]) if err["loc"] else "", (key,))[0]
        lines.append(f"{opt}: {_pydantic_message(dict(err))}")
    return lines


def build_profile(inp: ProfileInput) -> Profile:
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
    data = profile.model_dump(mode="json", exclude_none=True)
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write_profile_interactively(inp: ProfileInput, output: Path, *, force: bool) -> Profile:
    if output.exists() and not force:
        raise UserError(
            f"{output} existe déjà : utilisez --force pour le remplacer, ou -o AUTRE.yaml.",
            f"{output} already exists: use --force to replace it, or -o OTHER.yaml.",
        )
    profile = build_profile(complete_interactively(inp))
    write_private(output, profile_yaml(profile))
    from cyberdiag.loading import load_grid
    from cyberdiag.scoring import derive_tier, nis2_status

    grid = load_grid()
    tier = derive_tier(profile, grid.tier_rules)
    tier_obj = next(t for t in grid.tiers if t.id == tier)
    nis2 = nis2_status(profile, grid.tier_rules)
    lang = current()
    print(tr(f"Profil écrit : {output}", f"Profile written: {output}"))
    print(
        tr(
            f"Strate {tier} — {tier_obj.name.fr} (niveau visé : {tier_obj.target_level}).",
            f"Tier {tier} — {tier_obj.name.en} (target level: {tier_obj.target_level}).",
        )
    )
    if nis2.entity != "none":
        kind = {"essential": ("essentielle", "essential"), "important": ("importante", "important")}
        fr, en = kind[nis2.entity]
        print(
            tr(
                f"NIS2 : probablement entité {fr} (à confirmer) — voir le rapport.",
                f"NIS2: probably an {en} entity (to be confirmed) — see the report.",
                lang,
            )
        )
    print(
        tr(
            f"Étape suivante : cyberdiag questionnaire --profile {output}",
            f"Next step: cyberdiag questionnaire --profile {output}",
        )
    )
    return profile
