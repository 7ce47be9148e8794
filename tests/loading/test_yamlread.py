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
        "syntax.yaml:3: YAML invalide, colonne 6 : « : » inattendu ici (une valeur contenant "
        "« : » doit être entre guillemets, ou l'indentation est incorrecte)."
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


# ---- hostile input: every YAML reader bounded (through the CLI, real processes) -------------

def _laugh(prev: str, name: str) -> str:
    items = ", ".join(["*" + prev] * 9) if prev else ", ".join(['"lol"'] * 9)
    return f"{name}: &{name} [{items}]\n"


# A 500-byte file standing for 9**9 values once its aliases are expanded.
LAUGHS = "".join(_laugh(p, c) for p, c in zip(["", *"abcdefgh"], "abcdefghi", strict=True))


def _hostile_yaml(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "laughs": LAUGHS,
        "deep_flow": "[" * 100_000 + "]" * 100_000,
        "deep_block": "".join("  " * i + "- \n" for i in range(200)),
        "deep_map": "".join("  " * i + f"k{i}:\n" for i in range(200)),
    }
    out = {}
    for name, text in files.items():
        out[name] = folder / f"{name}.yaml"
        out[name].write_text(text, encoding="utf-8")
    return out


@pytest.mark.parametrize("kind", ["laughs", "deep_flow", "deep_block", "deep_map"])
@pytest.mark.parametrize("option", ["-p", "-a", "validate"])
def test_hostile_yaml_is_refused_in_one_line_quickly(
    kind: str, option: str, tmp_path: Path
) -> None:
    """Billion laughs and deep nesting, as a profile, an answers file or a file to validate:
    one line naming the file, exit 1, well under 2 s of CPU and 200 MB (it used to take
    minutes and gigabytes, or end in exit 3)."""
    from hostile_fixtures import cli, run_measured

    bad = _hostile_yaml(tmp_path / "in")[kind]
    good = tmp_path / "m.yaml"
    good.write_text('name: V\ninsee: "59350"\npopulation: 900\nagents: 3\n', encoding="utf-8")
    if option == "validate":
        argv = cli("validate", str(bad))
    elif option == "-p":
        argv = cli("score", "-p", str(bad), "-a", str(good), "-o", str(tmp_path / "d.json"))
    else:
        argv = cli("score", "-p", str(good), "-a", str(bad), "-o", str(tmp_path / "d.json"))
    code, err, cpu, peak_mb = run_measured(argv, tmp_path)
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0], err
    assert "trop" in lines[0] or "YAML invalide" in lines[0]
    assert cpu < 2.0 and peak_mb < 200, (cpu, peak_mb)
    assert not (tmp_path / "d.json").exists()


@pytest.mark.parametrize(("option", "device"), [("-p", "/dev/zero"), ("-a", "/dev/urandom")])
def test_endless_files_are_refused_on_the_bytes_read(
    option: str, device: str, tmp_path: Path
) -> None:
    """/dev/zero and /dev/urandom announce a size of 0: the limit counts the bytes read."""
    from hostile_fixtures import cli, run_measured

    good = tmp_path / "m.yaml"
    good.write_text('name: V\ninsee: "59350"\npopulation: 900\nagents: 3\n', encoding="utf-8")
    pair = ["-p", device, "-a", str(good)] if option == "-p" else ["-p", str(good), "-a", device]
    code, err, cpu, peak_mb = run_measured(cli("score", *pair, "-o", "d.json"), tmp_path)
    assert code == 1
    assert err.strip() == f"Erreur : {device} : fichier trop gros (plus de 2 Mo).", err
    assert cpu < 2.0 and peak_mb < 200, (cpu, peak_mb)


def test_the_limits_leave_real_files_alone() -> None:
    """The shipped files are far inside the limits (the full questionnaire: ~5,000 values)."""
    from cyberdiag.resources import data_dir

    for path in sorted(data_dir("questionnaires").glob("*.yaml")):
        raw = read_raw(path)
        assert raw.errors == [], raw.errors
    assert yamlread.MAX_NODES >= 20 * 5_000
