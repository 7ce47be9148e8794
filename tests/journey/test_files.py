"""The journey's files read back: every mistake names the file and says what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from cyberdiag.errors import UserError
from cyberdiag.journey.files import load_check_runs, load_profile_file


def test_missing_profile_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(UserError) as exc:
        load_profile_file(tmp_path / "m.yaml")
    assert exc.value.fr.startswith("Profil introuvable : ")
    assert f"cyberdiag init -o {tmp_path / 'm.yaml'}" in exc.value.en


@pytest.mark.parametrize(
    ("content", "fr", "en"),
    [
        (None, "fichier introuvable", "file not found"),
        ('{\n  "kind": ', "JSON invalide ligne 2", "invalid JSON at line 2"),
        ('{"kind": "checks"}', "erreurs de format", "format errors"),
    ],
)
def test_check_run_mistakes(tmp_path: Path, content: str | None, fr: str, en: str) -> None:
    path = tmp_path / "checks.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_check_runs([path])
    assert str(path) in exc.value.fr and fr in exc.value.fr and en in exc.value.en
