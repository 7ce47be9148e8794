"""diagnostic.json: JSON Schema round trip, mode 0600, clear errors for corrupted/other versions,
migration of older files (1.0: caps without their cause)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from core_fixtures import CATALOGUE, NOW, answers, check, grid, profile, questionnaire

from cyberdiag.diagnostic import SCHEMA_PATH, build, dumps, json_schema, load_diagnostic, save
from cyberdiag.errors import UserError
from cyberdiag.i18n import set_lang
from cyberdiag.models import SCHEMA_VERSION, Explanation
from cyberdiag.scoring.causes import level_sentence

OLD_FILE = Path(__file__).parent / "data" / "diagnostic-1.0.json"


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
    shipped = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert shipped == json_schema(), "stale schema: python tools/gen_schema.py"


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
    assert data["schema_version"] == SCHEMA_VERSION == "1.1"
    assert data["questionnaire"] == {"id": "mini", "version": "1"}


def test_schema_rejects_a_broken_record(tmp_path: Path) -> None:
    data = json.loads(diag().model_dump_json())
    data["overall"]["level"] = "high"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema_version": "1.1", "tool', "diagnostic illisible (JSON invalide ligne 1, colonne"),
        ("[1, 2]", "ce n'est pas un diagnostic cyberdiag"),
        (
            '{"schema_version": "2.0"}',
            "diagnostic au format 2.0, cette version de cyberdiag lit "
            "le format 1.1. Mettez cyberdiag à jour.",
        ),
        (
            '{"schema_version": "1.2"}',
            "diagnostic au format 1.2, cette version de cyberdiag lit "
            "le format 1.1. Mettez cyberdiag à jour.",
        ),
        ('{"schema_version": "0.9"}', "Refaites le calcul avec cyberdiag score."),
        ('{"schema_version": "10.0"}', "Mettez cyberdiag à jour."),
        ('{"schema_version": "1.1", "tier": 2}', "diagnostic corrompu ("),
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


def test_clear_errors_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text('{"schema_version": "1.2", "overall": {}}', encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_diagnostic(path)
    assert "\n" not in exc.value.fr and "\n" not in exc.value.en
    assert exc.value.en.endswith("this cyberdiag reads format 1.1. Update cyberdiag.")


def test_an_older_file_is_migrated_at_load(tmp_path: Path) -> None:
    """tests/data/diagnostic-1.0.json was written by cyberdiag with schema 1.0 (caps without a
    cause), on the mini grid of core_fixtures plus four critical items: a.doc answered « non »,
    b.mfa delegated to the provider (not confirmed), b.t3only unanswered, check mail.spf warning."""
    raw = json.loads(OLD_FILE.read_text(encoding="utf-8"))
    assert raw["schema_version"] == "1.0"
    assert all("cause" not in c for c in raw["overall"]["capped_by"])
    d = load_diagnostic(OLD_FILE)
    assert d.schema_version == SCHEMA_VERSION
    assert [(c.item, c.cause) for c in d.overall.capped_by] == [
        ("crit-doc", "gap"),  # answered « non »: a known gap
        ("crit-mfa", "unknown"),  # delegated, no confirmation
        ("crit-spf", "gap"),  # a check that warns
        ("crit-t3", "unknown"),  # not answered
    ]
    # everything else is kept as it was
    assert d.overall.level == raw["overall"]["level"] == 0
    assert len(d.answers) == len(raw["answers"]) and len(d.findings) == len(raw["findings"])
    assert level_sentence(d, "fr") == (
        "Niveau 0 — niveau 0 (fr) : 2 mesures critiques manquent, 2 sont à confirmer auprès du "
        "prestataire"
    )
    # saved again, it is a valid current record that loads unchanged
    path = tmp_path / "migrated.json"
    save(d, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, json_schema())
    assert data["schema_version"] == SCHEMA_VERSION
    assert load_diagnostic(path) == d


def test_migration_keeps_a_cause_already_there_and_checks_are_gaps(tmp_path: Path) -> None:
    raw = json.loads(OLD_FILE.read_text(encoding="utf-8"))
    raw["overall"]["capped_by"][0]["cause"] = "unknown"  # a 1.0 file edited by hand
    path = tmp_path / "d.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    causes = [c.cause for c in load_diagnostic(path).overall.capped_by]
    assert causes == ["unknown", "unknown", "gap", "unknown"]


def test_current_records_round_trip_their_causes(tmp_path: Path) -> None:
    d = build(
        grid=grid(),
        questionnaire=questionnaire(),
        profile=profile(),
        answers=answers(a_backup="nsp", a_doc="oui", b_mfa="oui"),
        checks=[],
        catalogue=CATALOGUE,
        now=NOW,
    )
    text = dumps(d)
    assert '"cause": "unknown"' in text
    path = tmp_path / "d.json"
    path.write_text(text, encoding="utf-8")
    assert load_diagnostic(path).overall.capped_by == d.overall.capped_by
