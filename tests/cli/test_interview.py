"""The interview driven through its real prompts: CliRunner input, and real signals."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cyberdiag.answering import applicable_questions
from cyberdiag.cli import main
from cyberdiag.cli.app import app
from cyberdiag.loading import load_grid, load_profile, load_questionnaire

PROFILE = """\
name: Petiteville
insee: "59001"
population: 600
agents: 6
it_staff: false
it_provider: Presta Nord
domains: [petiteville.test]
"""


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    p = tmp_path / "municipality.yaml"
    p.write_text(PROFILE, encoding="utf-8")
    return p


def questions(profile: Path):  # type: ignore[no-untyped-def]
    grid = load_grid()
    return applicable_questions(
        load_questionnaire("complet"),
        load_profile(profile),
        grid.tier_rules,
        {d.id: d.condition for d in grid.domains},
    )


def saved(path: Path) -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data.get("answers", {}) if data else {}


def invoke(profile: Path, answers: Path, text: str, *extra: str):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    return runner.invoke(
        app,
        ["questionnaire", "--profile", str(profile), "--answers", str(answers), *extra],
        input=text,
        env={"CYBERDIAG_LANG": "fr", "NO_COLOR": "1", "COLUMNS": "100"},
    )


def test_answers_saved_as_given_then_resumed(profile: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    qs = questions(profile)
    n = len(qs)
    assert 40 <= n <= 60  # tier 1: about forty scored questions and the pooling ones
    res = invoke(profile, answers, "1\n\n3\nun commentaire « accentué »\n1\n\nq\n")
    assert res.exit_code == 0, res.output
    got = saved(answers)
    assert list(got) == [q.id for q in qs[:3]]
    assert got[qs[1].id]["comment"] == "un commentaire « accentué »"
    assert got[qs[1].id]["option"] == qs[1].options[2].id
    assert oct(answers.stat().st_mode & 0o777) == "0o600"
    assert f"question 1 sur {n}" in res.output
    # Running the same command again resumes at question 4.
    res = invoke(profile, answers, "2\n\nq\n")
    assert "Reprise : 3 réponses déjà enregistrées sur " in res.output
    assert f"question 4 sur {n}" in res.output
    assert f"question 1 sur {n}" not in res.output
    assert list(saved(answers)) == [q.id for q in qs[:4]]


def test_why_skip_and_come_back(profile: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    qs = questions(profile)
    n = len(qs)
    # ? on the first question, then skip it; answer all the others; then the skipped one returns
    text = "?\ns\n" + "1\n\n" * (n - 1) + "2\n\n"
    res = invoke(profile, answers, text)
    assert res.exit_code == 0, res.output
    assert "Pourquoi c'est important" in res.output
    assert qs[0].why.fr.split()[0] in res.output
    assert "Questions passées : 1" in res.output
    got = saved(answers)
    assert set(got) == {q.id for q in qs}
    assert got[qs[0].id]["option"] == qs[0].options[1].id
    assert yaml.safe_load(answers.read_text())["skipped"] == []
    assert f"Terminé : {n}/{n} réponses" in res.output


def test_invalid_input_is_asked_again_and_back_works(profile: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    qs = questions(profile)
    res = invoke(profile, answers, "99\npeut-être\n1\n\n<\n3\n\nq\n")
    assert res.output.count("Réponse non reconnue") == 2
    got = saved(answers)
    # "<" went back to question 1, which was changed to option 3
    assert got[qs[0].id]["option"] == qs[0].options[2].id
    assert list(got) == [qs[0].id]


def test_not_applicable_needs_a_justification(tmp_path: Path, profile: Path) -> None:
    qs = questions(profile)
    idx, q = next(
        (i, q) for i, q in enumerate(qs) if any(o.kind == "not_applicable" for o in q.options)
    )
    na = next(k for k, o in enumerate(q.options, 1) if o.kind == "not_applicable")
    answers = tmp_path / "answers.yaml"
    text = "1\n\n" * idx + f"{na}\n\nnous n'avons pas ce service\nq\n"
    res = invoke(profile, answers, text)
    assert "Une courte justification est demandée" in res.output
    assert saved(answers)[q.id] == {
        **saved(answers)[q.id],
        "option": q.options[na - 1].id,
        "comment": "nous n'avons pas ce service",
    }


def test_review_changes_an_earlier_answer(profile: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    qs = questions(profile)
    invoke(profile, answers, "1\n\n1\n\nq\n")
    res = invoke(profile, answers, "\n3\n\nq\n", "--review")
    assert "réponse actuelle" in res.output
    got = saved(answers)
    assert got[qs[0].id]["option"] == qs[0].options[0].id  # kept with Enter
    assert got[qs[1].id]["option"] == qs[1].options[2].id  # changed


def test_end_of_input_keeps_answers_and_exits_130(
    profile: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    answers = tmp_path / "answers.yaml"
    monkeypatch.setattr(sys, "stdin", io.StringIO("1\n\n2\n\n"))
    code = main(["questionnaire", "-p", str(profile), "-a", str(answers), "--lang", "fr"])
    err = capsys.readouterr().err
    assert code == 130
    assert "réponses enregistrées dans" in err and "Relancez la même commande" in err
    assert len(saved(answers)) == 2


def test_hand_written_answers_are_validated(profile: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("questionnaire: complet\nanswers:\n  nope.q: {option: oui}\n")
    code = main(["questionnaire", "-p", str(profile), "-a", str(answers)])
    assert code == 1


def _spawn(profile: Path, answers: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "CYBERDIAG_LANG": "fr", "NO_COLOR": "1"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cyberdiag",
            "questionnaire",
            "-p",
            str(profile),
            "-a",
            str(answers),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for(answers: Path, count: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers.exists() and len(saved(answers)) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{count} answers not saved in time")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGKILL, -9), (signal.SIGINT, 130)])
def test_killed_mid_questionnaire_then_resumed(
    profile: Path, tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    answers = tmp_path / "answers.yaml"
    qs = questions(profile)
    proc = _spawn(profile, answers)
    assert proc.stdin is not None
    proc.stdin.write("1\npremier\n2\n\n")
    proc.stdin.flush()
    _wait_for(answers, 2)
    time.sleep(0.3)  # the comment of the 2nd answer is being asked: the 3rd question is not
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == code, err
    if sig == signal.SIGINT:
        assert "2/" in err and "Relancez la même commande pour reprendre" in err
        assert "Traceback" not in err
    got = saved(answers)  # the file is whole: written atomically
    assert list(got) == [qs[0].id, qs[1].id]
    assert got[qs[0].id]["comment"] == "premier"
    # Running it again resumes at the third question.
    proc = _spawn(profile, answers)
    out, err = proc.communicate("1\n\nq\n", timeout=30)
    assert f"question 3 sur {len(qs)}" in out
    assert list(saved(answers)) == [q.id for q in qs[:3]]


# ---- the comment prompt: keys act as commands; --review and --no-comments -------------------


def test_q_at_the_comment_prompt_stops_and_is_not_a_comment(profile: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    qs = questions(profile)
    res = invoke(profile, answers, "1\nq\n")
    assert res.exit_code == 0, res.output
    assert saved(answers) == {qs[0].id: {**saved(answers)[qs[0].id], "option": qs[0].options[0].id}}
    assert "comment" not in saved(answers)[qs[0].id]


def test_back_at_the_comment_prompt_goes_to_the_previous_question(
    profile: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.yaml"
    qs = questions(profile)
    # Q1: 1, no comment; Q2: 2 then "<" at its comment: back to Q1, changed to 3; Q2 again.
    res = invoke(profile, answers, "1\n\n2\n<\n3\nrevu\n\n\nq\n")
    assert res.exit_code == 0, res.output
    got = saved(answers)
    assert got[qs[0].id]["option"] == qs[0].options[2].id and got[qs[0].id]["comment"] == "revu"
    assert got[qs[1].id]["option"] == qs[1].options[1].id and "comment" not in got[qs[1].id]
    assert res.output.count(f"question 1 sur {len(qs)}") == 2
    assert not any(a.get("comment") == "<" for a in got.values())


def test_why_at_the_comment_prompt_shows_the_note_for_the_provider(
    profile: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.yaml"
    qs = questions(profile)
    idx, q = next((i, q) for i, q in enumerate(qs) if q.provider_note is not None)
    res = invoke(profile, answers, "1\n\n" * idx + "1\n?\nvu\nq\n")
    assert res.exit_code == 0, res.output
    assert "Pour le prestataire informatique" in res.output
    assert q.provider_note is not None
    assert " ".join(q.provider_note.fr.split()[:3]) in " ".join(res.output.split())
    assert saved(answers)[q.id]["comment"] == "vu"


def test_review_shows_the_comment_which_can_be_kept_changed_or_cleared(
    profile: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.yaml"
    qs = questions(profile)
    invoke(profile, answers, "1\npremier\n1\ndeuxième\n1\ntroisième\nq\n")
    # Q1 kept with Enter (answer and comment); Q2 same option, comment kept with Enter;
    # Q3 same option, comment cleared with "-"; Q4 stop.
    res = invoke(profile, answers, "\n1\n\n1\n-\nq\n", "--review")
    assert res.exit_code == 0, res.output
    assert "Commentaire actuel : premier" in res.output
    assert "Entrée : garder, - : effacer" in res.output
    got = saved(answers)
    assert got[qs[0].id]["comment"] == "premier" and got[qs[1].id]["comment"] == "deuxième"
    assert "comment" not in got[qs[2].id]
    res = invoke(profile, answers, "\n2\nautre\nq\n", "--review")
    assert saved(answers)[qs[1].id] == {
        **saved(answers)[qs[1].id],
        "option": qs[1].options[1].id,
        "comment": "autre",
    }


def test_no_comments_skips_the_prompt_but_not_a_justification(
    profile: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.yaml"
    qs = questions(profile)
    idx, q = next(
        (i, q) for i, q in enumerate(qs) if any(o.kind == "not_applicable" for o in q.options)
    )
    na = next(k for k, o in enumerate(q.options, 1) if o.kind == "not_applicable")
    res = invoke(profile, answers, "1\n" * idx + f"{na}\npas chez nous\nq\n", "--no-comments")
    assert res.exit_code == 0, res.output
    assert "Commentaire (facultatif" not in res.output
    got = saved(answers)
    assert list(got) == [x.id for x in qs[: idx + 1]]
    assert got[q.id]["comment"] == "pas chez nous"


WEBMAIL_PROFILE = """\
name: Petiteville
insee: "59001"
population: 600
agents: 6
it_provider: Presta Nord
official_email: mairie.petiteville@wanadoo.fr
"""


def test_what_the_profile_says_is_known_or_suggested(tmp_path: Path) -> None:
    prof = tmp_path / "municipality.yaml"
    prof.write_text(WEBMAIL_PROFILE, encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    qs = questions(prof)
    ids = [q.id for q in qs]
    idx = ids.index("msg.domain_owner")
    text = "".join("1\n\n" for q in qs[:idx] if q.id != "msg.official_address") + "\n\nq\n"
    res = invoke(prof, answers, text)
    assert res.exit_code == 0, res.output
    assert "Déjà connu d'après le profil (modifiable avec --review)" in res.output
    assert "suggérée d'après le profil" in res.output
    assert "Entrée : réponse suggérée" in res.output
    got = saved(answers)
    assert got["msg.official_address"]["option"] == "non"
    assert got["msg.official_address"]["comment"] == (
        "D'après le profil : mairie.petiteville@wanadoo.fr"
    )
    assert got["msg.domain_owner"] == {
        **got["msg.domain_owner"],
        "option": "non_applicable",
        "comment": "D'après le profil : pas de nom de domaine",
    }
