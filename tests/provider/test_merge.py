"""Merging a provider answers file: what is merged, kept, left aside, and the provenance."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from provider_fixtures import fill, load_yaml, waiting_answers, write_profile

from cyberdiag.errors import UserError
from cyberdiag.loading import load_profile, load_questionnaire
from cyberdiag.provider import load_commune, merge_provider_file, write_sheet
from cyberdiag.provider.items import Commune

TODAY = date(2026, 11, 20)


@pytest.fixture
def commune(tmp_path: Path) -> Commune:
    profile = write_profile(tmp_path)
    waiting_answers(profile, tmp_path / "answers.yaml")
    return load_commune(load_profile(profile), tmp_path / "answers.yaml")


@pytest.fixture
def provider_yaml(commune: Commune, tmp_path: Path) -> Path:
    files = write_sheet(commune, tmp_path / "out", "fr", today=TODAY)
    assert files is not None
    return files.yaml


def again(commune: Commune) -> Commune:
    return load_commune(commune.profile, commune.answers_path)


def test_provenance_dates_and_names(commune: Commune, provider_yaml: Path) -> None:
    data = fill(provider_yaml, provider="InfoPresta")
    data["items"][0]["confirmed_on"] = "2026-10-01"
    data["items"][0]["confirmed_by"] = "J. Martin (InfoPresta)"
    provider_yaml.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    outcome = merge_provider_file(provider_yaml, commune, today=TODAY)
    first, second = outcome.merged[:2]
    answers = again(commune).answers.answers
    assert answers[first].confirmed_on == date(2026, 10, 1)
    assert answers[first].confirmed_by == "J. Martin (InfoPresta)"
    assert answers[second].confirmed_on == TODAY and answers[second].confirmed_by == "InfoPresta"
    assert answers[second].source == "provider" and answers[second].answered_at is not None


def test_not_applicable_and_empty_items_are_set_aside(
    commune: Commune, provider_yaml: Path
) -> None:
    data = fill(provider_yaml)
    q = load_questionnaire("complet")
    elsewhere = next(
        x
        for x in q.questions
        if x.id not in {c.id for c in commune.questions}
        and any(o.kind == "answer" for o in x.options)
    )
    option = next(o.id for o in elsewhere.options if o.kind == "answer")
    data["items"].append({"question": elsewhere.id, "option": option})
    data["items"][0]["option"] = None
    provider_yaml.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    outcome = merge_provider_file(provider_yaml, commune, today=TODAY)
    assert outcome.not_applicable == [elsewhere.id]
    assert outcome.empty == [data["items"][0]["question"]]
    answers = again(commune).answers.answers
    assert elsewhere.id not in answers
    assert answers[data["items"][0]["question"]].source == "self"


def test_a_later_provider_answer_replaces_an_earlier_one(
    commune: Commune, provider_yaml: Path
) -> None:
    data = fill(provider_yaml)
    merge_provider_file(provider_yaml, commune, today=TODAY)
    qid = data["items"][0]["question"]
    allowed = list(data["items"][0]["options"])
    data["items"][0]["option"] = allowed[-1]
    provider_yaml.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    outcome = merge_provider_file(provider_yaml, again(commune), today=date(2026, 12, 1))
    assert qid in outcome.merged and not outcome.kept
    answer = again(commune).answers.answers[qid]
    assert answer.option == allowed[-1] and answer.confirmed_on == date(2026, 12, 1)


def test_skipped_question_confirmed_is_no_longer_skipped(
    commune: Commune, provider_yaml: Path
) -> None:
    data = fill(provider_yaml)
    qid = data["items"][0]["question"]
    saved = load_yaml(commune.answers_path)
    saved["skipped"] = [qid]
    commune.answers_path.write_text(yaml.safe_dump(saved), encoding="utf-8")
    merge_provider_file(provider_yaml, again(commune), today=TODAY)
    assert again(commune).answers.skipped == []


def test_nothing_merged_nothing_written(commune: Commune, provider_yaml: Path) -> None:
    before = commune.answers_path.read_bytes()
    outcome = merge_provider_file(provider_yaml, commune, today=TODAY)  # left empty
    assert not outcome.merged and len(outcome.empty) == len(load_yaml(provider_yaml)["items"])
    assert commune.answers_path.read_bytes() == before


def test_a_delegated_answer_from_the_provider_is_refused(
    commune: Commune, provider_yaml: Path
) -> None:
    data = fill(provider_yaml)
    q = {x.id: x for x in commune.questions}[data["items"][0]["question"]]
    waiting = next(o.id for o in q.options if o.kind in ("delegated", "dont_know"))
    data["items"][0]["option"] = waiting
    provider_yaml.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(UserError, match=f"réponse « {waiting} » non permise"):
        merge_provider_file(provider_yaml, commune, today=TODAY)
