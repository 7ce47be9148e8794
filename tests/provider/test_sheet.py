"""The sheet for the IT provider: its content, its languages, and what it never overwrites."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from provider_fixtures import fill, waiting_answers, write_profile

from cyberdiag.errors import UserError
from cyberdiag.loading import load_profile
from cyberdiag.provider import items_to_confirm, load_commune, write_sheet
from cyberdiag.provider.sheet import render_sheet, sheet_view


def commune_of(tmp_path: Path, name: str = "Petiteville"):  # type: ignore[no-untyped-def]
    profile = write_profile(tmp_path, name=name)
    waiting_answers(profile, tmp_path / "answers.yaml")
    return load_commune(load_profile(profile), tmp_path / "answers.yaml")


def test_view_items_in_both_languages(tmp_path: Path) -> None:
    commune = commune_of(tmp_path)
    questions = items_to_confirm(commune.questions, commune.answers)
    for lang, word in (("fr", "novembre"), ("en", "November")):
        view = sheet_view(commune, questions, lang, date(2026, 11, 1))  # type: ignore[arg-type]
        assert word in view.date and view.provider == "InfoPresta"
        assert [i.question_id for i in view.items] == [q.id for q in questions]
        for item, q in zip(view.items, questions, strict=True):
            assert item.question == q.text.get(lang)  # type: ignore[arg-type]
            assert item.confirm == (q.provider_note.get(lang) if q.provider_note else "")  # type: ignore[arg-type]
            assert all(
                kind_ok in ("answer", "not_applicable")
                for kind_ok in (
                    next(o.kind for o in q.options if o.id == oid) for oid, _ in item.options
                )
            )
    html = render_sheet(sheet_view(commune, questions, "en", date(2026, 11, 1)), inline_css=True)
    assert "Points for the IT provider to confirm" in html and "<style>" in html


def test_outside_text_is_escaped(tmp_path: Path) -> None:
    commune = commune_of(tmp_path, name="Ville <script>alert(1)</script>")
    questions = items_to_confirm(commune.questions, commune.answers)
    html = render_sheet(sheet_view(commune, questions, "fr", date(2026, 1, 1)), inline_css=False)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_file_already_answered_is_not_overwritten_without_force(tmp_path: Path) -> None:
    commune = commune_of(tmp_path)
    files = write_sheet(commune, tmp_path / "out", "fr")
    assert files is not None
    write_sheet(commune, tmp_path / "out", "fr")  # not answered yet: written again
    fill(files.yaml)
    answered = files.yaml.read_bytes()
    with pytest.raises(UserError, match="--force"):
        write_sheet(commune, tmp_path / "out", "fr")
    assert files.yaml.read_bytes() == answered
    write_sheet(commune, tmp_path / "out", "fr", force=True)
    assert all(i["option"] is None for i in yaml.safe_load(files.yaml.read_text())["items"])
