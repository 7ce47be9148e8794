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
