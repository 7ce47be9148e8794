"""The municipality profile built from what `cyberdiag init` was given, validated, written."""

from __future__ import annotations

from pathlib import Path

import pytest

from cyberdiag.errors import UserError
from cyberdiag.loading import load_profile
from cyberdiag.municipality import (
    HEADER,
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
    profile_yaml,
    refuse_overwrite,
    write_profile,
)


def given(**kw: object) -> ProfileInput:
    base: dict[str, object] = {"name": "Testville", "insee": "59999", "population": 800}
    return ProfileInput(**{**base, "agents": 9, **kw})  # type: ignore[arg-type]


def test_what_is_missing() -> None:
    assert missing_required(ProfileInput()) == ["name", "insee", "population", "agents"]
    assert missing_required(given()) == []
    assert missing_required(given(agents=None)) == ["agents"]


def test_build_write_and_read_back(tmp_path: Path) -> None:
    profile = build_profile(given(domains=["Ville.TEST"], provider="Presta", ot=True))
    assert profile.domains == ["ville.test"] and profile.it_staff is False
    assert profile.it_provider == "Presta" and profile.has_ot
    out = tmp_path / "municipality.yaml"
    write_profile(profile, out)
    assert out.read_text(encoding="utf-8").startswith(HEADER)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert load_profile(out) == profile
    assert profile_yaml(profile) == out.read_text(encoding="utf-8")


def test_each_wrong_value_is_named_by_its_option() -> None:
    with pytest.raises(UserError) as info:
        build_profile(given(insee="5999", population=-5))
    assert info.value.message("fr") == "Profil invalide :"
    assert [line.split(":")[0] for line in info.value.lines] == ["--insee", "--population"]


def test_an_existing_file_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "municipality.yaml"
    refuse_overwrite(out, force=False)
    out.write_text("x", encoding="utf-8")
    with pytest.raises(UserError, match="existe déjà"):
        refuse_overwrite(out, force=False)
    refuse_overwrite(out, force=True)


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("5935", "n'est pas un code INSEE"),
        ("59000", "est un code postal"),
        ("97400", "est un code postal"),
        ("20167", "2A ou 2B"),
        ("96001", "aucun département"),
        ("", "est demandé"),
    ],
)
def test_an_insee_code_that_cannot_be_is_refused_with_the_reason(typed: str, why: str) -> None:
    with pytest.raises(UserError) as info:
        clean_insee(typed)
    assert why in info.value.message("fr") and "insee.fr" in info.value.message("fr")


def test_insee_codes_that_can_be() -> None:
    assert [clean_insee(c) for c in ("59001", " 2a004 ", "97411")] == ["59001", "2A004", "97411"]
    assert insee_looks_postal("59350") and not insee_looks_postal("59001")


@pytest.mark.parametrize(
    ("typed", "domain", "reduced"),
    [
        ("Ville-Exemple.FR", "ville-exemple.fr", False),
        ("mairie@ville-exemple.fr", "ville-exemple.fr", True),
        ("https://www.ville-exemple.fr/contact", "ville-exemple.fr", True),
        ("www.ville-exemple.fr", "ville-exemple.fr", True),
        ("mairie-évry.fr", "xn--mairie-vry-h7a.fr", False),
    ],
)
def test_a_domain_is_reduced_to_its_name(typed: str, domain: str, reduced: bool) -> None:
    name, note = clean_domain(typed)
    assert name == domain and (note is not None) == reduced
    if note is not None:
        assert f"son domaine, {domain}, est retenu" in note.fr


@pytest.mark.parametrize("typed", ["ville_exemple", "localhost", "orange.fr", "https://"])
def test_what_is_not_the_commune_s_domain_is_refused(typed: str) -> None:
    with pytest.raises(UserError):
        clean_domain(typed)


def test_e_mail_numbers_selectors_and_addresses() -> None:
    assert clean_email("Mairie@Ville.FR") == ("Mairie@ville.fr", None)
    email, note = clean_email("mairie.x@wanadoo.fr")
    assert note is not None and "grand public" in note.fr
    for wrong in ("mairie", "a@b@c.fr", "mairie @x.fr", "mairie@x"):
        with pytest.raises(UserError, match="n'est pas une adresse e-mail"):
            clean_email(wrong)
    assert clean_count("1 200", 10_000) == 1200
    with pytest.raises(UserError, match="Un nombre entier"):
        clean_count("-3", 10)
    with pytest.raises(UserError, match="Au plus"):
        clean_count("11", 10)
    assert clean_selector("selector1") == "selector1"
    with pytest.raises(UserError):
        clean_selector("sel ector")
    assert clean_address("81.2.69.160/29") == "81.2.69.160/29"
    with pytest.raises(UserError, match="le prestataire les connaît"):
        clean_address("192.168.1.1")
    assert clean_name("  Ville   Exemple ") == "Ville Exemple"
