"""diagnostic.json: JSON Schema round trip, mode 0600, clear errors for corrupted/other versions."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from core_fixtures import CATALOGUE, NOW, answers, check, grid, profile, questionnaire

from cyberdiag.diagnostic import SCHEMA_PATH, build, json_schema, load_diagnostic, save
from cyberdiag.errors import UserError
from cyberdiag.i18n import set_lang
from cyberdiag.models import Explanation


@pytest.fixture(autouse=True)
def _fr() -> None:
    set_lang("fr")


def diag():  # type: ignore[no-untyped-def]
    ans = answers(a_backup="partiel", a_doc="nsp", b_mfa="prest")
    ans.answers["a.doc"] = ans.answers["a.doc"].model_copy(
        update={
            "comment": "<b>commentaire</b> « libre »",
            "explanation": Explanation(kind="planned", text="budget 2027", date="2027-03-01"),
        }
    )
    return build(
        grid=grid(),
        questionnaire=questionnaire(),
        profile=profile(),
        answers=ans,
        checks=[check("mail.spf", "x.test", "fail"), check("mail.spf", "y.test", "not_tested")],
        catalogue=CATALOGUE,
        now=NOW,
    )


def test_shipped_schema_is_in_step_with_the_models() -> None:
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == json_schema()


def test_round_trip_against_the_schema(tmp_path: Path) -> None:
    d = diag()
    path = tmp_path / "diagnostic.json"
    save(d, path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, json_schema())
    assert load_diagnostic(path) == d
    # comply or explain travels with the finding, beside it
    f = next(f for f in d.findings if f.ref == "a.doc")
    assert f.explanation is not None and f.explanation.text == "budget 2027"
    assert data["schema_version"] == "1.0"
    assert data["questionnaire"] == {"id": "mini", "version": "1"}


def test_schema_rejects_a_broken_record(tmp_path: Path) -> None:
    data = json.loads(diag().model_dump_json())
    data["overall"]["level"] = "high"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema_version": "1.0", "tool', "diagnostic illisible (JSON invalide ligne 1)"),
        ("[1, 2]", "ce n'est pas un diagnostic cyberdiag"),
        (
            '{"schema_version": "2.0"}',
            "diagnostic au format 2.0, cette version de cyberdiag lit "
            "le format 1.0. Mettez cyberdiag à jour.",
        ),
        ('{"schema_version": "0.9"}', "Refaites le calcul avec cyberdiag score."),
        ('{"schema_version": "10.0"}', "Mettez cyberdiag à jour."),
        ('{"schema_version": "1.0", "tier": 2}', "diagnostic corrompu ("),
    ],
)
def test_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "d.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_diagnostic(path)
    assert message in exc.value.fr
    assert str(path) in exc.value.fr


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="introuvable"):
        load_diagnostic(tmp_path / "nope.json")
