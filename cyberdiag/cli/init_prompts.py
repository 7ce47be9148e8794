"""`cyberdiag init` on the terminal: ask for whatever the options did not give, then say the tier.

Each field is checked as it is typed (`municipality.clean_*`) and, when wrong, asked again with
the reason: only that field, nothing typed before is lost. The yes/no questions about the
commune (website, online services, own mail server, connected equipment) are put in plain words.
Ctrl-C stops with exit code 130 and writes nothing; the end of the input is a clear error.
Building, validating and writing the profile is `cyberdiag/municipality.py`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from cyberdiag.checks.mail.free_provider import is_free_webmail
from cyberdiag.errors import UserError
from cyberdiag.fileio import OUTPUT_HINT, check_writable
from cyberdiag.i18n import current, tr
from cyberdiag.loading import load_grid
from cyberdiag.models import Profile, Text
from cyberdiag.municipality import (
    INSEE_HELP,
    ProfileInput,
    build_profile,
    clean_address,
    clean_count,
    clean_domain,
    clean_email,
    clean_insee,
    clean_name,
    clean_selector,
    insee_looks_postal,
    missing_required,
    refuse_overwrite,
    shown,
    write_profile,
)
from cyberdiag.scoring import derive_tier, nis2_status

T = TypeVar("T")
Cleaner = Callable[[str], tuple[T, Text | None]]

YES = ("o", "oui", "y", "yes")
NO = ("n", "non", "no")


def _say(text: Text | UserError) -> None:
    print(text.message(current()) if isinstance(text, UserError) else text.get(current()))


def _read(label_fr: str, label_en: str, default: str = "") -> str:
    """One line typed (Enter gives `default`); UserError when the input ends. Ctrl-C goes
    through as KeyboardInterrupt (input(), not click's prompt, which makes both an Abort)."""
    label = tr(label_fr, label_en)
    if default:
        label += f" [{default}]"
    try:
        text = input(label + tr(" : ", ": "))
    except EOFError:
        raise UserError(
            f"Saisie interrompue : « {label_fr} » est demandé (ou passez-le en option).",
            f"Input ended: '{label_en}' is required (or pass it as an option).",
        ) from None
    return text.strip() or default


def _ask(label_fr: str, label_en: str, clean: Cleaner[T], default: str = "") -> T:
    """One field, asked again with the reason until it is right."""
    while True:
        typed = _read(label_fr, label_en, default)  # the end of the input goes through
        try:
            value, note = clean(typed)
        except UserError as exc:
            _say(exc)
            continue
        if note is not None:
            _say(note)
        return value


def _ask_list(label_fr: str, label_en: str, clean: Cleaner[str], default: str = "") -> list[str]:
    """Several values on one line (spaces or commas); only a wrong one is asked again."""
    values: list[str] = []
    for item in _read(label_fr, label_en, default).replace(",", " ").split():
        while item:
            try:
                value, note = clean(item)
            except UserError as exc:
                _say(exc)
                item = _read(
                    f"Corrigez « {shown(item)} » (Entrée pour l'enlever)",
                    f"Correct '{shown(item)}' (Enter to drop it)",
                )
                continue
            if note is not None:
                _say(note)
            if value not in values:
                values.append(value)
            break
    return values


def _ask_yes_no(label_fr: str, label_en: str) -> bool:
    """o/n (y/n in English), asked again until it is one of them."""
    while True:
        answer = _read(label_fr + " (o/n)", label_en + " (y/n)").lower()
        if answer in YES or answer in NO:
            return answer in YES
        _say(Text(fr="Répondez o (oui) ou n (non).", en="Answer y (yes) or n (no)."))


def _plain(clean: Callable[[str], T]) -> Cleaner[T]:
    return lambda text: (clean(text), None)


def _ask_insee() -> str:
    """The INSEE code; a code that looks like a postal code is confirmed first."""
    while True:
        code = _ask(
            "Code INSEE de la commune (5 caractères, ce n'est pas le code postal)",
            "INSEE code of the municipality (5 characters, not the postal code)",
            _plain(clean_insee),
        )
        if not insee_looks_postal(code):
            return code
        _say(
            Text(
                fr=f"« {code} » se termine par 0, comme la plupart des codes postaux. "
                + INSEE_HELP.fr,
                en=f"'{code}' ends in 0, as most postal codes do. " + INSEE_HELP.en,
            )
        )
        if _ask_yes_no(
            f"{code} est-il bien le code INSEE de la commune ?",
            f"Is {code} the municipality's INSEE code?",
        ):
            return code


def _ask_identity(inp: ProfileInput) -> None:
    """Name, INSEE code, population, staff, IT staff and provider."""
    if inp.name is None:
        inp.name = _ask("Nom de la commune", "Municipality name", _plain(clean_name))
    if inp.insee is None:
        inp.insee = _ask_insee()
    if inp.population is None:
        inp.population = _ask(
            "Population (habitants)",
            "Population (inhabitants)",
            _plain(lambda t: clean_count(t, 10_000_000)),
        )
    if inp.agents is None:
        inp.agents = _ask(
            "Nombre d'agents de la commune",
            "Number of municipal staff",
            _plain(lambda t: clean_count(t, 1_000_000)),
        )
    if inp.it_staff is None:
        inp.it_staff = _ask_yes_no(
            "La commune emploie-t-elle quelqu'un dont l'informatique est le métier ?",
            "Does the municipality employ someone whose job is IT?",
        )
    if inp.provider is None:
        inp.provider = (
            _ask(
                "Qui s'occupe de l'informatique à l'extérieur : nom du prestataire, du syndicat "
                "ou du service intercommunal (vide si personne)",
                "Who looks after IT from outside: name of the provider, syndicate or "
                "intercommunal service (empty if nobody)",
                _plain(lambda t: " ".join(t.split())[:200]),
            )
            or None
        )


def _ask_mail_and_domains(inp: ProfileInput) -> None:
    """The town hall's address first, then its domain (offered from the address)."""
    if inp.official_email is None:
        inp.official_email = (
            _ask(
                "Adresse e-mail de la mairie (ex. mairie@ville-exemple.fr ; vide si aucune)",
                "Town hall e-mail address (e.g. mairie@ville-exemple.fr; empty if none)",
                lambda t: clean_email(t) if t else ("", None),
            )
            or None
        )
    webmail = bool(inp.official_email and is_free_webmail(inp.official_email))
    if not inp.domains:
        own = inp.official_email.rsplit("@", 1)[1] if inp.official_email and not webmail else ""
        inp.domains = _ask_list(
            "Nom de domaine de la commune : ce qui suit le @ de son adresse e-mail "
            "(plusieurs séparés par des espaces ; vide si aucun)",
            "Domain name of the municipality: what follows the @ of its e-mail address "
            "(several separated by spaces; empty if none)",
            clean_domain,
            own,
        )
    if inp.own_mail_server is None and (webmail or not inp.domains):
        inp.own_mail_server = False  # the profile already says it: not asked


def _ask_services(inp: ProfileInput) -> None:
    """What the commune runs, in plain words (each maps to a flag of the profile)."""
    if inp.website is None:
        inp.website = _ask_yes_no(
            "La commune a-t-elle un site internet (même simple, même fait par un prestataire) ?",
            "Does the municipality have a website (even a simple one, even made by a provider)?",
        )
    if inp.online_services is None:
        inp.online_services = _ask_yes_no(
            "Les habitants peuvent-ils faire des démarches en ligne auprès de la commune "
            "(formulaires, paiement de la cantine, réservation de salle, portail famille) ?",
            "Can residents do things online with the municipality (forms, paying for school "
            "meals, booking a hall, a family portal)?",
        )
    if inp.own_mail_server is None:
        inp.own_mail_server = _ask_yes_no(
            "La messagerie de la mairie tourne-t-elle sur un serveur à elle, dans la mairie ou "
            "chez le prestataire (et non chez Orange, Microsoft 365, Google, OVH…) ? "
            "Si vous ne savez pas, répondez n",
            "Does the town hall's e-mail run on a server of its own, in the town hall or at the "
            "provider (not at Orange, Microsoft 365, Google, OVH…)? If you do not know, answer n",
        )
    if inp.ot is None:
        inp.ot = _ask_yes_no(
            "La commune a-t-elle des équipements techniques reliés à un réseau : "
            "vidéoprotection, gestion des bâtiments (chauffage, accès), eau ou assainissement "
            "pilotés à distance ?",
            "Does the municipality have technical equipment connected to a network: video "
            "surveillance, building management (heating, access), water or sewage run "
            "remotely?",
        )


def complete_interactively(inp: ProfileInput) -> ProfileInput:
    """Ask for whatever was not given as an option, each field checked as it is typed (only
    when a required item is missing: with all of them as options, nothing is asked)."""
    if not missing_required(inp):
        return inp
    _ask_identity(inp)
    _ask_mail_and_domains(inp)
    _ask_services(inp)
    if inp.domains and not inp.dkim_selectors:
        inp.dkim_selectors = _ask_list(
            "Sélecteurs DKIM de la messagerie (réglage technique : vide si vous ne savez pas)",
            "DKIM selectors of the e-mail (a technical setting: empty if you do not know)",
            _plain(clean_selector),
        )
    if not inp.addresses:
        inp.addresses = _ask_list(
            "Adresses IP publiques de la mairie, pour le scan facultatif (demandez-les au "
            "prestataire ; vide si vous ne savez pas)",
            "Public IP addresses of the town hall, for the optional scan (ask the provider; "
            "empty if you do not know)",
            _plain(clean_address),
        )
    return inp


def write_profile_interactively(inp: ProfileInput, output: Path, *, force: bool) -> Profile:
    """Complete, validate and write the profile; then say its tier and the next step.
    Ctrl-C: nothing is written, one line says so, exit 130 (the error handler)."""
    refuse_overwrite(output, force=force)
    check_writable(output, hint=OUTPUT_HINT)  # before any question: the answers will have a place
    try:
        complete_interactively(inp)
    except KeyboardInterrupt:
        sys.stderr.write(
            tr(
                f"\nProfil non écrit ({output}) : relancez cyberdiag init pour recommencer.\n",
                f"\nProfile not written ({output}): run cyberdiag init again to start over.\n",
            )
        )
        raise
    profile = build_profile(inp)
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
