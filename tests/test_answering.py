"""The walk over the questions and the answers file, driven by a scripted dialogue (no terminal)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from core_fixtures import grid, profile, questionnaire

from cyberdiag.answering import (
    HEADER,
    Action,
    AnswerSession,
    StopInterview,
    applicable_questions,
    profile_session,
    save_answers,
)
from cyberdiag.loading import load_answers, load_questionnaire
from cyberdiag.models import Answer, AnswerFile, Question


def applicable(**kw: object) -> list[str]:
    g = grid()
    conditions = {d.id: d.condition for d in g.domains}
    qs = applicable_questions(questionnaire(), profile(**kw), g.tier_rules, conditions)
    return [q.id for q in qs]


def test_applicable_questions_follow_tier_and_flags() -> None:
    assert applicable() == ["a.backup", "a.doc", "b.mfa"]  # tier 2
    assert applicable(population=50000) == ["a.backup", "a.doc", "b.mfa", "b.t3only"]
    assert applicable(has_ot=True) == ["a.backup", "a.doc", "b.mfa", "ot.cam"]  # domain condition


class Script:
    """A Dialogue that plays keys: an option id, "s" (skip), "<" (back), "=" (keep), "q"."""

    def __init__(self, session: AnswerSession, keys: list[str]) -> None:
        self.session = session
        self.keys = keys
        self.asked: list[tuple[str, int, int]] = []
        self.said: list[str] = []

    def question(self, q: Question, k: int, n: int) -> Action:
        self.asked.append((q.id, k, n))
        key = self.keys.pop(0)
        if key == "q":
            raise StopInterview
        if key == "s":
            self.session.skip(q)
            return "skip"
        if key == "<":
            return "back"
        if key == "=":
            return "kept"
        option, _, comment = key.partition(":")
        self.session.choose(q, option)
        if comment:
            self.session.comment(q, option, comment)
        return "answered"

    def all_answered(self, total: int) -> None:
        self.said.append(f"all {total}")

    def resuming(self, done: int, total: int) -> None:
        self.said.append(f"resuming {done}/{total}")

    def coming_back(self, pending: int) -> None:
        self.said.append(f"back to {pending}")


def session(path: Path, *, review: bool = False) -> AnswerSession:
    q = questionnaire()
    answers = load_answers(path, q, missing_ok=True)
    return AnswerSession(q, list(q.questions[:3]), answers, path, review=review)


def test_skip_comes_back_at_the_end_and_back_goes_to_the_previous(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    s = session(path)
    script = Script(s, ["s", "oui", "<", "non:un commentaire", "partiel", "oui"])
    s.walk(script)
    assert [a[0] for a in script.asked] == [
        "a.backup",  # skipped
        "a.doc",
        "b.mfa",  # "<": back to a.doc
        "a.doc",
        "b.mfa",
        "a.backup",  # the skipped one, once more
    ]
    assert [a[1:] for a in script.asked][:3] == [(1, 3), (2, 3), (3, 3)]
    assert script.said == ["back to 1"]
    saved = load_answers(path, questionnaire())
    assert {k: a.option for k, a in saved.answers.items()} == {
        "a.doc": "non",
        "b.mfa": "partiel",
        "a.backup": "oui",
    }
    assert saved.answers["a.doc"].comment == "un commentaire"
    assert saved.skipped == []
    assert s.given == 4 and s.answered() == 3


def test_every_answer_is_saved_at_once_private_and_readable(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    s = session(path)
    with pytest.raises(StopInterview):
        s.walk(Script(s, ["oui", "s", "q"]))
    text = path.read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    data = yaml.safe_load(text)
    assert list(data["answers"]) == ["a.backup"] and data["skipped"] == ["a.doc"]
    assert data["answers"]["a.backup"]["answered_at"]
    # The next run resumes: the skipped question comes after the unanswered one.
    s = session(path)
    script = Script(s, ["non", "oui"])
    s.walk(script)
    assert script.said == ["resuming 1/3"]
    assert [a[0] for a in script.asked] == ["b.mfa", "a.doc"]


def test_review_asks_everything_and_keeps_with_enter(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    s = session(path)
    s.walk(Script(s, ["oui", "oui", "oui"]))
    s = session(path)
    script = Script(s, [])
    s.walk(script)
    assert script.said == ["all 3"] and script.asked == []
    s = session(path, review=True)
    script = Script(s, ["=", "non", "="])
    s.walk(script)
    assert script.said == []  # no "resuming" with --review
    assert [a[0] for a in script.asked] == ["a.backup", "a.doc", "b.mfa"]
    saved = load_answers(path, questionnaire())
    assert saved.answers["a.doc"].option == "non" and saved.answers["a.backup"].option == "oui"


def test_a_new_answer_keeps_the_earlier_comment(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    s = session(path)
    q = s.questions[0]
    s.choose(q, "oui")
    s.comment(q, "oui", "vu avec le prestataire")
    s.choose(q, "partiel")
    answer = load_answers(path, questionnaire()).answers[q.id]
    assert (answer.option, answer.comment) == ("partiel", "vu avec le prestataire")


def test_profile_session_starts_empty_then_resumes(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    prof = profile(population=600, it_staff=False)
    s = profile_session(prof, "complet", path, "fr", review=False)
    assert not path.exists() and s.answers.answers == {}
    assert 40 <= len(s.questions) <= 60
    assert s.domain_names[s.questions[0].domain]
    first = s.questions[0]
    s.choose(first, first.options[0].id)
    again = profile_session(prof, "complet", path, "en", review=True)
    assert again.answers.answers[first.id].option == first.options[0].id
    assert again.review and again.todo() == again.questions
    empty = AnswerFile(questionnaire="complet")
    save_answers(path, empty)
    assert load_answers(path, load_questionnaire("complet")).answers == {}


def test_reviewing_keeps_who_confirmed_an_answer_until_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    q = questionnaire()
    confirmed = Answer(
        option="oui",
        source="provider",
        confirmed_by="InfoPresta",
        confirmed_on=date(2026, 3, 1),
        evidence="export",
    )
    save_answers(path, AnswerFile(questionnaire=q.id, answers={"a.backup": confirmed}))
    s = session(path, review=True)
    s.walk(Script(s, ["oui:relu en conseil", "oui", "oui"]))
    kept = load_answers(path, q).answers["a.backup"]
    assert (kept.source, kept.confirmed_by, kept.confirmed_on) == (
        "provider",
        "InfoPresta",
        date(2026, 3, 1),
    )
    assert kept.comment == "relu en conseil" and kept.evidence == "export"
    s = session(path, review=True)
    s.walk(Script(s, ["non", "=", "="]))
    own = load_answers(path, q).answers["a.backup"]
    assert (own.option, own.source, own.confirmed_by, own.evidence) == ("non", "self", None, None)
    assert "source" not in yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]["a.backup"]


# ---- the answers file under stress: real processes, a real terminal, a real full disk --------

PROFILE_TEXT = 'name: Ville\ninsee: "59350"\npopulation: 2500\nagents: 30\n'


def test_a_second_questionnaire_on_the_same_file_is_refused(tmp_path: Path) -> None:
    """Two `questionnaire` on one answers file used to lose the first one's answers: the
    second is refused at once, naming the process that holds the file."""
    import subprocess

    from hostile_fixtures import Terminal, cli, env

    (tmp_path / "m.yaml").write_text(PROFILE_TEXT, encoding="utf-8")
    first = Terminal(cli("questionnaire", "-p", "m.yaml"), cwd=tmp_path, environ=env())
    try:
        assert b"Votre r" in first.read_until("Votre réponse".encode())
        second = subprocess.run(
            cli("questionnaire", "-p", "m.yaml"), cwd=tmp_path, env=env(), text=True,
            capture_output=True, stdin=subprocess.DEVNULL, timeout=60,
        )  # fmt: skip
        assert second.returncode == 1
        assert second.stderr.strip() == (
            "Erreur : Le fichier de réponses answers.yaml est en cours d'écriture par un autre "
            f"processus (PID {first.proc.pid} : cyberdiag questionnaire) : attendez qu'il se "
            "termine (ou fermez-le), puis relancez la commande."
        )
        first.type(b"1\r")
        first.read_until(b"Commentaire")
        first.type(b"\r")
        first.read_until("Votre réponse".encode() * 2)
        first.type(b"q\r")
    finally:
        code, _ = first.finish()
    assert code == 0
    saved = yaml.safe_load((tmp_path / "answers.yaml").read_text(encoding="utf-8"))
    assert len(saved["answers"]) == 1
    assert not (tmp_path / ".answers.yaml.lock").exists()  # released and removed


def test_answers_folder_checked_before_the_first_question(tmp_path: Path) -> None:
    import subprocess

    from hostile_fixtures import cli, env, needs_root_mounts, read_only

    if needs_root_mounts.args[0]:
        pytest.skip(needs_root_mounts.kwargs["reason"])
    (tmp_path / "m.yaml").write_text(PROFILE_TEXT, encoding="utf-8")
    ro = tmp_path / "ro"
    ro.mkdir()
    proc = subprocess.run(
        read_only(ro, cli("questionnaire", "-p", "m.yaml", "-a", str(ro / "answers.yaml"))),
        cwd=tmp_path, env=env(), text=True, capture_output=True, input="1\n", timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"Erreur : Impossible d'écrire {ro / 'answers.yaml'} (système de fichiers en lecture "
        "seule) : choisissez un autre emplacement ou libérez de la place, puis relancez la "
        "commande."
    ]
    assert "Votre réponse" not in proc.stdout


def test_disk_full_while_answering_keeps_every_answer(tmp_path: Path) -> None:
    """The disk fills up during the questionnaire: the answer just typed is not lost. It is
    kept, with the others, in a private rescue file whose path the one error line gives."""
    from hostile_fixtures import Terminal, cli, env, fill_mount, in_tmpfs, needs_root_mounts

    if needs_root_mounts.args[0]:
        pytest.skip(needs_root_mounts.kwargs["reason"])
    (tmp_path / "m.yaml").write_text(PROFILE_TEXT, encoding="utf-8")
    disk = tmp_path / "disk"
    disk.mkdir()
    state = tmp_path / "state"
    argv = in_tmpfs(disk, "4m", cli("questionnaire", "-p", "m.yaml", "-a", str(disk / "a.yaml")))
    term = Terminal(argv, cwd=tmp_path, environ=env(XDG_STATE_HOME=str(state)))
    try:
        term.read_until("Votre réponse".encode())
        term.type(b"1\r")  # saved
        term.read_until(b"Commentaire")
        term.type(b"\r")
        term.read_until("Votre réponse".encode() * 2)
        fill_mount(term.proc.pid, disk)  # the disk is now full
        term.type(b"2\r")  # this answer cannot be saved in a.yaml
    finally:
        code, out = term.finish()
    text = out.decode("utf-8", "replace")
    assert code == 1, text
    assert f"Impossible d'écrire {disk / 'a.yaml'} (disque plein)" in text
    rescued = sorted((state / "cyberdiag" / "rescued").glob("answers-rescued-*.yaml"))
    assert len(rescued) == 1 and str(rescued[0]) in " ".join(text.split())
    assert (rescued[0].stat().st_mode & 0o777) == 0o600
    kept = yaml.safe_load(rescued[0].read_text(encoding="utf-8"))
    assert len(kept["answers"]) == 2  # the first one and the one just typed
    assert "Traceback" not in text and "Erreur interne" not in text


def _shipped(prof):  # type: ignore[no-untyped-def]
    from cyberdiag.loading import load_grid

    g = load_grid()
    conditions = {d.id: d.condition for d in g.domains}
    return {
        q.id: q
        for q in applicable_questions(load_questionnaire("complet"), prof, g.tier_rules, conditions)
    }


def test_a_declared_domain_removes_the_no_domain_option() -> None:
    with_domain = _shipped(profile(population=600, it_staff=False, domains=["ville.test"]))
    without = _shipped(profile(population=600, it_staff=False))
    for qid in ("msg.domain_owner", "msg.domain_renewal"):
        assert "non_applicable" not in [o.id for o in with_domain[qid].options]
        assert "non_applicable" in [o.id for o in without[qid].options]


def test_a_consumer_mailbox_is_known_and_the_rest_suggested(tmp_path: Path) -> None:
    prof = profile(
        population=600, it_staff=False, it_provider="Presta", official_email="mairie@orange.fr"
    )
    s = profile_session(prof, "complet", tmp_path / "answers.yaml", "fr", review=False)
    assert s.known == ["msg.official_address"]
    known = s.answers.answers["msg.official_address"]
    assert (known.option, known.comment) == ("non", "D'après le profil : mairie@orange.fr")
    assert "msg.official_address" not in [q.id for q in s.todo()]
    assert s.suggested["msg.domain_owner"] == (
        "non_applicable",
        "D'après le profil : pas de nom de domaine",
    )
    assert s.suggested["mut.it_operator"] == ("prestataire_prive", "D'après le profil : Presta")
    # An answer already given is never replaced; an own domain suggests nothing.
    s.choose(next(q for q in s.questions if q.id == "msg.official_address"), "oui")
    again = profile_session(prof, "complet", s.path, "fr", review=False)
    assert again.known == [] and again.answers.answers["msg.official_address"].option == "oui"
    own = profile(population=600, it_staff=True, official_email="mairie@ville.test")
    s = profile_session(own, "complet", tmp_path / "other.yaml", "fr", review=False)
    assert s.known == [] and s.suggested == {
        "mut.it_operator": ("agents", s.suggested["mut.it_operator"][1])
    }
