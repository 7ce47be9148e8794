"""cyberdiag/loading/parse_messages.py: the YAML and JSON parsers' messages in French, with the
line and the column, through the commands that read the files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cyberdiag.cli import main
from cyberdiag.loading.parse_messages import json_problem, yaml_problem

CASES = [
    ("a: 1\nb:\n  c: d: e\n", 3, 7, "« : » inattendu ici"),
    ("a: [1, 2\nb: 3\n", 2, 2, "« , » ou « ] » attendu"),
    ("a: {b: 1\n", 2, 1, "« , » ou « } » attendu, trouvé la fin du fichier"),
    ("a:\n\t- 1\n", 2, 1, "tabulation interdite"),
    ("a: 'non fermé\n", 2, 1, "fin du fichier inattendue"),
    ("- a\nb: 2\n", 2, 1, "fin de bloc attendue, trouvé une clé"),
    ("a: *nulle\n", 1, 4, "alias « nulle » non défini"),
]


@pytest.mark.parametrize(("text", "line", "column", "french"), CASES)
def test_yaml_problems_in_french(text: str, line: int, column: int, french: str) -> None:
    with pytest.raises(yaml.YAMLError) as err:
        yaml.safe_load(text)
    problem, at_line, at_column = yaml_problem(err.value, "fr")
    assert french in problem and (at_line, at_column) == (line, column)
    english, _, _ = yaml_problem(err.value, "en")
    assert english == err.value.problem  # type: ignore[attr-defined]


def test_json_problems_in_french() -> None:
    for text, french in (("{\"a\": 1,\n \"b\": }", "ligne 2, colonne 7 : valeur attendue"),
                         ("{\"a\": 1 \"b\": 2}", "ligne 1, colonne 9 : « , » attendue"),
                         ("{\"a\": 1}\n{}", "ligne 2, colonne 1 : contenu en trop"),
                         ("{\"a\": \"x", "ligne 1, colonne 7 : texte entre guillemets")):
        with pytest.raises(json.JSONDecodeError) as err:
            json.loads(text)
        assert json_problem(err.value, "fr").startswith(french)
        assert json_problem(err.value, "en").startswith("line ")


def test_through_the_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("q.yaml").write_text("kind: questionnaire\nid: x\ntitle: a: b\n", encoding="utf-8")
    assert main(["validate", "q.yaml"]) == 1
    err = capsys.readouterr().err
    assert "q.yaml:3: YAML invalide, colonne 9 : « : » inattendu ici" in err
    assert "mapping values" not in err
    Path("diagnostic.json").write_text('{"schema_version": "1.1",\n "tier": }', encoding="utf-8")
    assert main(["report", "diagnostic.json"]) == 1
    assert "JSON invalide ligne 2, colonne 10 : valeur attendue" in capsys.readouterr().err
    # A YAML value shown in the reader's words, not Python's (« trouvé True »).
    Path("municipality.yaml").write_text(
        "name: X\ninsee: '59001'\npopulation: true\n", encoding="utf-8")
    assert main(["validate", "municipality.yaml"]) == 1
    err = capsys.readouterr().err
    assert "True" not in err
