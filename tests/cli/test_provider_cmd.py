"""`cyberdiag provider sheet` and `provider merge` from the command line, with real files: the
strate-1 scenario up to the report, and every refusal."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml
from provider_fixtures import best, fill, load_yaml, waiting_answers, write_profile

from cyberdiag.cli import main
from cyberdiag.loading import load_questionnaire


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CYBERDIAG_LANG", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def commune(tmp_path: Path) -> list[str]:
    """municipality.yaml and answers.yaml in the working folder; the ids waiting."""
    profile = write_profile(tmp_path)
    return waiting_answers(profile, tmp_path / "answers.yaml")


def sheet(capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["provider", "sheet", "-d", "out"]) == 0
    capsys.readouterr()
    return Path("out/prestataire-59998.yaml")


def overall(capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    assert main(["score", "-o", "diagnostic.json"]) == 0
    capsys.readouterr()
    return json.loads(Path("diagnostic.json").read_text(encoding="utf-8"))["overall"]


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run a merge that must be refused: exit 1, one line naming the file, answers untouched."""
    before = Path("answers.yaml").read_bytes()
    assert main(["provider", "merge", *args]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("Erreur : ")
    assert Path(args[0]).name in err
    assert Path("answers.yaml").read_bytes() == before
    return err


def test_sheet_files_and_prefilled_answers_file(
    commune: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["provider", "sheet", "-d", "out"]) == 0
    out = capsys.readouterr().out
    assert f"{len(commune)} points à faire confirmer par le prestataire :" in out
    assert "cyberdiag provider merge out/prestataire-59998.yaml" in out
    for name in ("prestataire-59998.pdf", "prestataire-59998.html", "prestataire-59998.yaml"):
        assert stat.S_IMODE((Path("out") / name).stat().st_mode) == 0o600
    data = load_yaml(Path("out/prestataire-59998.yaml"))
    q = load_questionnaire("complet")
    assert data["kind"] == "provider_answers"
    assert (data["questionnaire"], data["questionnaire_version"]) == (q.id, q.version)
    assert data["communes"] == ["59998"] and data["provider"] is None
    assert [item["question"] for item in data["items"]] == commune
    by_id = {x.id: x for x in q.questions}
    for item in data["items"]:
        question = by_id[item["question"]]
        assert item["text"] == question.text.fr
        assert item["option"] is None and item["evidence"] is None
        assert item["confirmed_on"] is None and item["confirmed_by"] is None
        kinds = {o.id: o.kind for o in question.options}
        assert best(question).id in item["options"]
        assert all(kinds[o] in ("answer", "not_applicable") for o in item["options"])
    text = Path("out/prestataire-59998.yaml").read_text(encoding="utf-8")
    assert "cyberdiag questionnaire --provider" in text
    assert "  option:\n" in text and "null" not in text  # empty fields read as blanks to fill


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_sheet_pdf_lists_each_item(commune: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    sheet(capsys)
    text = subprocess.run(
        ["pdftotext", "out/prestataire-59998.pdf", "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Points à confirmer par le prestataire informatique" in text
    assert "InfoPresta" in text and "59998" in text
    flat = " ".join(text.split())
    for qid in commune:
        assert qid in flat
    assert "cyberdiag questionnaire --provider prestataire-59998.yaml" in flat
    html = Path("out/prestataire-59998.html").read_text(encoding="utf-8")
    assert all(qid in html for qid in commune)


def test_strate1_scenario_reaches_its_target_with_the_provider(
    commune: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = overall(capsys)
    assert before["level"] < before["target_level"]
    path = sheet(capsys)
    fill(path)
    assert main(["provider", "merge", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"Repris ({len(commune)})" in out and "cyberdiag score" in out
    assert stat.S_IMODE(Path("answers.yaml").stat().st_mode) == 0o600
    saved = load_yaml(Path("answers.yaml"))["answers"]
    for qid in commune:
        assert saved[qid]["source"] == "provider"
        assert saved[qid]["confirmed_by"] == "InfoPresta"
        assert saved[qid]["confirmed_on"]  # the date of the merge: left empty in the file
        assert saved[qid]["evidence"] == f"export de la console, {qid}"
    assert all("source" not in a for qid, a in saved.items() if qid not in commune)
    after = overall(capsys)
    assert after["level"] >= after["target_level"] > before["level"]
    diag = json.loads(Path("diagnostic.json").read_text(encoding="utf-8"))
    confirmed = [a for a in diag["answers"] if a.get("source") == "provider"]
    assert {a["question_id"] for a in confirmed} == set(commune)
    assert all(a["confirmed_by"] == "InfoPresta" for a in confirmed)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_report_shows_who_confirmed_and_when(
    commune: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = sheet(capsys)
    data = fill(path)
    data["items"][0]["confirmed_on"] = "2026-03-01"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["provider", "merge", str(path)]) == 0
    overall(capsys)
    assert main(["report", "diagnostic.json", "-o", "rapport.pdf"]) == 0
    text = subprocess.run(
        ["pdftotext", "rapport.pdf", "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.replace("\u00a0", " ").split())
    assert "confirmé par InfoPresta le 1er mars 2026" in flat
    assert main(["report", "diagnostic.json", "-o", "report.html", "--lang", "en"]) == 0
    html = Path("report.html").read_text(encoding="utf-8")
    assert "confirmed by InfoPresta on 1 March 2026" in html


def test_nothing_to_confirm_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_profile(tmp_path)
    q = load_questionnaire("complet")
    Path("answers.yaml").write_text(
        f"questionnaire: {q.id}\nquestionnaire_version: '{q.version}'\nanswers: {{}}\n",
        encoding="utf-8",
    )
    assert main(["provider", "sheet", "-d", "out"]) == 0
    assert "Rien à faire confirmer" in capsys.readouterr().out
    assert not Path("out").exists()


def test_sheet_without_answers_says_how_to_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_profile(tmp_path)
    assert main(["provider", "sheet"]) == 1
    assert "Répondez d'abord : cyberdiag questionnaire" in capsys.readouterr().err


def test_refusals_leave_the_answers_untouched(
    commune: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = sheet(capsys)
    data = fill(path)
    other = Path("other.yaml")
    other.write_text(yaml.safe_dump({**data, "communes": ["59997", "59996"]}), encoding="utf-8")
    err = refused(capsys, str(other))
    assert "pour les communes 59997, 59996, pas pour Petiteville (59998)" in err
    older = Path("older.yaml")
    older.write_text(yaml.safe_dump({**data, "questionnaire_version": "2020.1"}), "utf-8")
    assert "version 2020.1" in refused(capsys, str(older))
    items = [dict(item) for item in data["items"]]
    items[0]["question"] = "acc.nope"
    unknown = Path("unknown.yaml")
    unknown.write_text(yaml.safe_dump({**data, "items": items}), encoding="utf-8")
    assert "question: question inconnue « acc.nope »" in refused(capsys, str(unknown))
    items = [dict(item) for item in data["items"]]
    items[1]["option"] = "peut_etre"
    bad = Path("bad.yaml")
    bad.write_text(yaml.safe_dump({**data, "items": items}), encoding="utf-8")
    err = refused(capsys, str(bad))
    assert f"› {items[1]['question']} › option: réponse « peut_etre » non permise" in err
    unnamed = Path("unnamed.yaml")
    unnamed.write_text(yaml.safe_dump({**data, "provider": None}), encoding="utf-8")
    assert "qui confirme ?" in refused(capsys, str(unnamed))
    assert "pas un fichier de réponses du prestataire" in refused(capsys, "answers.yaml")


def test_own_answer_kept_without_replace_and_replaced_with_it(
    commune: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = sheet(capsys)
    fill(path)
    answers = load_yaml(Path("answers.yaml"))
    own = commune[0]
    answers["answers"][own] = {"option": "non"}
    Path("answers.yaml").write_text(yaml.safe_dump(answers), encoding="utf-8")
    assert main(["provider", "merge", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"Repris ({len(commune) - 1})" in out
    assert "Gardés" in out and own in out.split("Gardés", 1)[1]
    saved = load_yaml(Path("answers.yaml"))["answers"]
    assert saved[own] == {"option": "non"}
    assert main(["provider", "merge", str(path), "--replace"]) == 0
    capsys.readouterr()
    saved = load_yaml(Path("answers.yaml"))["answers"]
    assert saved[own]["source"] == "provider" and saved[own]["option"] != "non"


def test_one_file_for_several_communes_applies_to_listed_ones_only(
    tmp_path: Path, commune: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = sheet(capsys)
    fill(path, communes=["59998", "59997"])
    shared = tmp_path / "prestataire-commun.yaml"
    shutil.copy(path, shared)
    for insee, listed in (("59997", True), ("59996", False)):
        folder = tmp_path / insee
        folder.mkdir()
        profile = write_profile(folder, insee=insee, name=f"Village-{insee}")
        waiting = waiting_answers(profile, folder / "answers.yaml")
        before = (folder / "answers.yaml").read_bytes()
        args = ["provider", "merge", str(shared), "-p", str(profile)]
        code = main([*args, "-a", str(folder / "answers.yaml")])
        captured = capsys.readouterr()
        if listed:
            assert code == 0 and f"Repris ({len(waiting)})" in captured.out
            saved = load_yaml(folder / "answers.yaml")["answers"]
            assert all(saved[qid]["source"] == "provider" for qid in waiting)
        else:
            assert code == 1
            assert f"pas pour Village-{insee} ({insee})" in captured.err
            assert (folder / "answers.yaml").read_bytes() == before
