"""`cyberdiag init` on the terminal: ask for whatever the options did not give, then say the tier.

Building, validating and writing the profile is `cyberdiag/municipality.py`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from cyberdiag.errors import UserError
from cyberdiag.i18n import tr
from cyberdiag.loading import load_grid
from cyberdiag.models import Profile
from cyberdiag.municipality import (
    ProfileInput,
    build_profile,
    missing_required,
    refuse_overwrite,
    write_profile,
)
from cyberdiag.scoring import derive_tier, nis2_status


def _split(text: str) -> list[str]:
    return [p for p in text.replace(",", " ").split() if p]


def _prompt(label_fr: str, label_en: str, default: str | None = None) -> str:
    """One answer typed at the prompt; UserError when the input ends."""
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


def _ask_number(fr: str, en: str) -> int:
    """A whole number (spaces allowed: 1 200), asked again until it is one."""
    while True:
        text = _prompt(fr, en).replace(" ", "").replace("\u202f", "")
        if text.isdigit():
            return int(text)
        print(tr("Un nombre entier est attendu.", "A whole number is expected."))


def complete_interactively(inp: ProfileInput) -> ProfileInput:
    """Ask for whatever required item was not given as an option (and then the optional ones)."""
    if not missing_required(inp):
        return inp
    if inp.name is None:
        inp.name = _prompt("Nom de la commune", "Municipality name")
    if inp.insee is None:
        inp.insee = _prompt("Code INSEE (5 caractères)", "INSEE code (5 characters)").upper()
    if inp.population is None:
        inp.population = _ask_number("Population (habitants)", "Population (inhabitants)")
    if inp.agents is None:
        inp.agents = _ask_number("Nombre d'agents", "Number of staff")
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


def write_profile_interactively(inp: ProfileInput, output: Path, *, force: bool) -> Profile:
    """Complete, validate and write the profile; then say its tier and the next step."""
    refuse_overwrite(output, force=force)
    profile = build_profile(complete_interactively(inp))
    write_profile(profile, output)
    print_tier(profile, output)
    return profile


def print_tier(profile: Profile, output: Path) -> None:
    """The profile written, its tier and target level, NIS2 if it applies, the next step."""
    grid = load_grid()
    tier = derive_tier(profile, grid.tier_rules)
    tier_obj = next(t for t in grid.tiers if t.id == tier)
    nis2 = nis2_status(profile, grid.tier_rules)
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
            )
        )
    print(
        tr(
            f"Étape suivante : cyberdiag questionnaire --profile {output}",
            f"Next step: cyberdiag questionnaire --profile {output}",
        )
    )
