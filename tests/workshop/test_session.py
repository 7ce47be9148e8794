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
        "cyberdiag workshop --participant p-3fa2c1 --dir 'salle 2'"
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


# ---- two participants never share a file ----------------------------------------------------


def _workshop(out: Path, name: str, typed: str) -> object:
    from typer.testing import CliRunner

    from cyberdiag.cli.app import app

    env = {"CYBERDIAG_LANG": "fr", "NO_COLOR": "1", "COLUMNS": "100"}
    return CliRunner().invoke(
        app,
        ["workshop", "--participant", name, "--out", str(out), "-f", "html"],
        input=typed,
        env=env,
    )


def test_same_name_another_person_gets_a_file_of_their_own(tmp_path: Path) -> None:
    """« Élodie » then « elodie » (case and accents do not count): asked whether the file is
    theirs; « n »: a file of their own, and the first one's answers are untouched."""
    import yaml

    first = _workshop(tmp_path, "Élodie", "1\n1\nq\n")
    assert first.exit_code == 0, first.output  # type: ignore[attr-defined]
    mine = tmp_path / "atelier-elodie.yaml"
    before = mine.read_text(encoding="utf-8")
    second = _workshop(tmp_path, "elodie", "n\n3\nq\n")
    out = " ".join(second.output.split())  # type: ignore[attr-defined]
    assert second.exit_code == 0, out  # type: ignore[attr-defined]
    assert "Un fichier d'atelier existe déjà pour « elodie » (2 réponses, dernière le" in out
    assert "Un autre participant s'appelle déjà « elodie »" in out
    assert "--participant elodie-2" in out
    assert mine.read_text(encoding="utf-8") == before
    theirs = yaml.safe_load((tmp_path / "atelier-elodie-2.yaml").read_text(encoding="utf-8"))
    assert len(theirs["answers"]) == 1
    assert (tmp_path / "fiche-elodie.html").exists() and (tmp_path / "fiche-elodie-2.html").exists()


def test_a_file_in_use_is_never_shared(tmp_path: Path) -> None:
    """Two « Marie » at the same moment: the second one is not even asked, the first one's
    file being in use; she answers in a file of her own."""
    import subprocess

    from hostile_fixtures import Terminal, cli, env

    first = Terminal(cli("workshop", "--participant", "Marie", "--out", str(tmp_path), "-f",
                         "html"), cwd=tmp_path, environ=env())  # fmt: skip
    try:
        assert "Votre réponse".encode() in first.read_until("Votre réponse".encode())
        second = subprocess.run(
            cli("workshop", "--participant", "MARIE", "--out", str(tmp_path), "-f", "html"),
            input="1\nq\n", capture_output=True, text=True, env=env(), timeout=120,
        )  # fmt: skip
        first.type(b"q\r")
    finally:
        first.finish()
    out = " ".join(second.stdout.split())
    assert second.returncode == 0, second.stderr
    assert "existe déjà" not in out  # not asked: the file was in use
    assert "atelier-marie-2.yaml" in out


def test_the_personal_file_says_what_it_is(tmp_path: Path) -> None:
    res = _workshop(tmp_path, "Jo", "1\nq\n")
    assert res.exit_code == 0  # type: ignore[attr-defined]
    head = (tmp_path / "atelier-jo.yaml").read_text(encoding="utf-8").split("questionnaire:")[0]
    assert "fichier PERSONNEL d'un participant" in head
    assert "Ce n'est pas le diagnostic de la commune" in head
    assert "décrit les faiblesses de la commune" not in head
