"""What a municipality's profile implies for scoring: its tier, its NIS2 status, its flags."""

from __future__ import annotations

from cyberdiag.models import Nis2Status, Profile, Text, TierRules


def derive_tier(profile: Profile, rules: TierRules) -> int:
    """T4 > large_above inhabitants; T3 > medium_up_to with IT staff (T2 without);
    T2 from small_below with IT staff; T1 otherwise (small, or no IT staff)."""
    pop = profile.population
    if pop > rules.large_above:
        return 4
    if pop > rules.medium_up_to:
        return 3 if profile.it_staff else 2
    if pop >= rules.small_below and profile.it_staff:
        return 2
    return 1


def nis2_status(profile: Profile, rules: TierRules) -> Nis2Status:
    """NIS2 pre-check: declared in the profile, or estimated from the population."""
    if profile.nis2_entity is not None:
        entity, estimated = profile.nis2_entity, False
    else:
        entity = "essential" if profile.population > rules.large_above else "none"
        estimated = True
    obligations: list[Text] = []
    if entity != "none":
        obligations = [
            Text(
                fr="S'enregistrer auprès de l'ANSSI (plateforme MonEspaceNIS2).",
                en="Register with ANSSI (MonEspaceNIS2 platform).",
            ),
            Text(
                fr="Signaler un incident important : alerte précoce sous 24 h, notification sous "
                "72 h, rapport final sous un mois (art. 23).",
                en="Report a significant incident: early warning within 24 h, notification within "
                "72 h, final report within one month (Art. 23).",
            ),
            Text(
                fr="Mettre en œuvre les mesures de l'article 21 (analyse de risques, continuité, "
                "chaîne d'approvisionnement, MFA, formation…), approuvées par l'exécutif.",
                en="Implement the Article 21 measures (risk analysis, continuity, supply chain, "
                "MFA, training…), approved by the executive.",
            ),
            Text(
                fr="Former les élus et la direction, responsables de ces mesures.",
                en="Train elected officials and management, who are accountable for them.",
            ),
        ]
    return Nis2Status(entity=entity, estimated=estimated, obligations=obligations)


def profile_flags(profile: Profile, nis2: Nis2Status) -> dict[str, bool]:
    """The flags a question or domain may require (models.PROFILE_FLAGS), for this profile."""
    return {
        "it_staff": profile.it_staff,
        "no_it_staff": not profile.it_staff,
        "it_provider": bool(profile.it_provider),
        "has_website": profile.has_website,
        "own_mail_server": profile.own_mail_server,
        "online_services": profile.online_services,
        "has_ot": profile.has_ot,
        "has_public_addresses": bool(profile.public_addresses),
        "nis2": nis2.entity != "none",
    }
