"""The workshop session without the terminal: participants, files, resuming, feedback content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cyberdiag.errors import UserError
from cyberdiag.loading import load_questionnaire
from cyberdiag.workshop.session import (
    best_score,
    good_reflex,
    is_good,
    load_workshop_questionnaire,
    open_session,
    participant_id,
    resume_command,
)


def test_participant_ids() -> None:
    assert participant_id("Élodie  Martin") == "elodie-martin"
    assert participant_id("../../etc/passwd") == "etc-passwd"
    assert re.fullmatch(r"p-[0-9a-f]{6}", participant_id(None))
    assert participant_id(None) != participant_id(None)


def test_resume_command_names_the_folder_unless_default() -> None:
    assert resume_command("Jo", "jo", Path("atelier/atelier-jo.yaml")) == (
        "cyberdiag workshop --participant Jo"
    )
    assert resume_command(None, "p-3fa2c1", Path("salle 2/atelier-p-3fa2c1.yaml")) == (
        "cyberdiag workshop --participant p-3fa2c1 --out 'salle 2'"
    )


def test_open_session_creates_the_folder_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "salle" / "matin"
    pid, session = open_session(out, "Élodie", "atelier", "fr", review=False)
    assert pid == "elodie" and out.is_dir()
    assert session.path == out / "atelier-elodie.yaml" and not session.path.exists()
    assert session.questions == session.questionnaire.questions
    assert session.answers.lang == "fr" and session.answers.questionnaire == "atelier"
    first = session.questions[0]
    session.choose(first, first.options[0].id)
    _, again = open_session(out, "Élodie", "atelier", "en", review=True)
    assert again.answers.answers[first.id].option == first.options[0].id
    assert again.review


def test_an_unusable_folder_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(UserError, match="Impossible de créer le dossier"):
        open_session(blocker / "atelier", "Jo", "atelier", "fr", review=False)


def test_feedback_content() -> None:
    questionnaire, names = load_workshop_questionnaire("atelier")
    assert set(names) >= {q.domain for q in questionnaire.questions}
    q = questionnaire.questions[0]
    best = max((o for o in q.options if o.kind == "answer"), key=lambda o: o.score or 0)
    assert best_score(q) == best.score and is_good(q, best)
    assert not any(is_good(q, o) for o in q.options if o.kind == "dont_know")
    assert good_reflex(q, "fr") == q.reflex.fr  # type: ignore[union-attr]
    no_reflex = q.model_copy(update={"reflex": None})
    assert good_reflex(no_reflex, "en") == q.recommendation.action.en


def test_the_fast_path_loads_what_the_full_loader_loads() -> None:
    assert load_workshop_questionnaire("atelier")[0] == load_questionnaire("atelier")
    with pytest.raises(UserError, match="Questionnaire introuvable"):
        load_workshop_questionnaire("../atelier")
