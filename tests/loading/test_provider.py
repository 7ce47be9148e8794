"""Provider answers files read and checked: INSEE codes, blanks, unknown keys, duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest

from cyberdiag.errors import UserError, ValidationFailed
from cyberdiag.loading import load_questionnaire, validate_files
from cyberdiag.loading.provider import check_provider_items, provider_options, read_provider_file

HEAD = "kind: provider_answers\nquestionnaire: complet\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "prestataire.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def version() -> str:
    return load_questionnaire("complet").version


def test_codes_blanks_and_options(tmp_path: Path) -> None:
    q = load_questionnaire("complet")
    first = next(x for x in q.questions if provider_options(x))
    text = (
        f"{HEAD}questionnaire_version: '{version()}'\ncommunes: [59998, '2A004']\nprovider: ''\n"
        f"items:\n- question: {first.id}\n  option: ''\n  confirmed_on: ''\n  evidence: ' '\n"
    )
    provider_file, raw = read_provider_file(write(tmp_path, text))
    assert provider_file.communes == ["59998", "2A004"] and provider_file.provider is None
    item = provider_file.items[0]
    assert (item.option, item.confirmed_on, item.evidence) == (None, None, None)
    check_provider_items(raw, provider_file, q)
    assert raw.errors == []


def test_a_code_with_a_lost_leading_zero_is_refused(tmp_path: Path) -> None:
    text = f"{HEAD}questionnaire_version: '{version()}'\ncommunes: [1234]\nitems: []\n"
    with pytest.raises(ValidationFailed) as exc:
        read_provider_file(write(tmp_path, text))
    assert "prestataire.yaml:4 › communes[0]" in str([exc.value.fr, *exc.value.lines])


def test_unknown_key_and_not_a_provider_file(tmp_path: Path) -> None:
    text = f"{HEAD}questionnaire_version: '1'\ncommunes: ['59998']\noptoin: oui\n"
    with pytest.raises(ValidationFailed) as exc:
        read_provider_file(write(tmp_path, text))
    shown = str([exc.value.fr, *exc.value.lines])
    assert "clé inconnue" in shown and "prestataire.yaml:5 › optoin" in shown
    with pytest.raises(UserError, match="kind: provider_answers"):
        read_provider_file(write(tmp_path, "questionnaire: complet\nanswers: {}\n"))


def test_a_question_given_twice(tmp_path: Path) -> None:
    q = load_questionnaire("complet")
    qid = next(x.id for x in q.questions if provider_options(x))
    text = (
        f"{HEAD}questionnaire_version: '{version()}'\ncommunes: ['59998']\n"
        f"items:\n- question: {qid}\n- question: {qid}\n"
    )
    provider_file, raw = read_provider_file(write(tmp_path, text))
    check_provider_items(raw, provider_file, q)
    assert len(raw.errors) == 1
    assert raw.errors[0].endswith(
        f"prestataire.yaml:7 › {qid} › question: question donnée deux fois"
    )


def test_validate_lists_every_mistake_of_a_provider_file(tmp_path: Path) -> None:
    q = load_questionnaire("complet")
    first = next(x for x in q.questions if provider_options(x))
    qid = first.id
    good = write(
        tmp_path,
        f"{HEAD}questionnaire_version: '{version()}'\ncommunes: ['59998']\n"
        f"items:\n- question: {qid}\n  option: {provider_options(first)[0].id}\n",
    )
    assert validate_files([good]) == []
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f"{HEAD}questionnaire_version: '{version()}'\ncommunes: ['59998']\n"
        f"items:\n- question: x.nope\n- question: {qid}\n  option: peut_etre\n",
        encoding="utf-8",
    )
    errors = validate_files([bad])
    assert len(errors) == 2
    assert "question inconnue « x.nope »" in errors[0]
    assert f"› {qid} › option: réponse « peut_etre » non permise" in errors[1]
