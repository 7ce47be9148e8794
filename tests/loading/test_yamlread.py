"""The one YAML reader: libyaml when present, the same messages as the pure-Python parser,
line numbers, duplicate keys, missing files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cyberdiag.errors import ValidationFailed
from cyberdiag.loading import read_model, read_raw, read_yaml, validate_files, yamlread
from cyberdiag.models import Profile


def test_yaml_syntax() -> None:
    assert validate_files([Path("syntax.yaml")]) == [
        "syntax.yaml:3: YAML invalide (mapping values are not allowed here)."
    ]


def test_missing_file() -> None:
    assert validate_files([Path("absent.yaml")]) == ["absent.yaml : fichier introuvable."]


def test_libyaml_is_used_when_present() -> None:
    assert yaml.__with_libyaml__, "PyYAML without libyaml: the reader falls back to Python"
    assert yamlread._FAST_LOADER is yaml.CSafeLoader


def test_syntax_message_does_not_depend_on_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    with_c = read_raw(Path("syntax.yaml")).errors
    monkeypatch.setattr(yamlread, "_FAST_LOADER", yaml.SafeLoader)
    assert read_raw(Path("syntax.yaml")).errors == with_c


def test_lines_of_keys_and_items() -> None:
    raw = read_raw(Path("dupkey.yaml"))
    assert raw.line(("checks", 0, "severity")) == 9
    assert raw.line(("checks", 0, "nowhere")) == 5  # the nearest parent's line
    assert raw.data["checks"][0]["title"] == {"fr": "SPF2", "en": "SPF2"}


def test_read_yaml_refuses_duplicate_keys_and_bad_files() -> None:
    with pytest.raises(ValidationFailed) as exc:
        read_yaml(Path("dupkey.yaml"))
    assert exc.value.lines == [
        "dupkey.yaml:8 › mail.spf › title: clé en double (la seconde valeur écraserait la première)"
    ]
    with pytest.raises(ValidationFailed) as exc:
        read_yaml(Path("absent.yaml"))
    assert exc.value.lines == ["absent.yaml : fichier introuvable."]
    assert read_yaml(Path("grid.yaml"))["kind"] == "grid"


def test_only_safe_loading(tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text("x: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        read_yaml(evil)
    assert "YAML invalide" in exc.value.lines[0] and ":1:" in exc.value.lines[0]


def test_read_model_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "municipality.yaml"
    path.write_text("name: Ville\ninsee: '59350'\npopulation: beaucoup\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        read_model(path, Profile)
    assert f"{path}:3 › population: attendu un nombre entier, trouvé « beaucoup »" in (
        exc.value.lines
    )
