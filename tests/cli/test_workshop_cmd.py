"""The workshop commands driven through their real prompts (CliRunner input) to the PDF sheet."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cyberdiag.cli import main
from cyberdiag.cli.app import app
from cyberdiag.models import Question
from cyberdiag.resources import data_dir
from cyberdiag.workshop.session import load_workshop_questionnaire

ENV = {"CYBERDIAG_LANG": "fr", "NO_COLOR": "1", "COLUMNS": "100"}


def questions() -> list[Question]:
    return load_workshop_questionnaire("atelier")[0].questions


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return squash(out.stdout)


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    m = re.search(r"^Pages:\s+(\d+)", out.stdout, re.M)
    assert m
    return int(m.group(1))


def squash(text: str) -> str:
    """One space between words whatever the line breaks and (narrow) non-breaking spaces."""
    text = re.sub(r"[\u2500-\u257f]", " ", text)  # panel borders of the terminal output
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def option_number(q: Question, kind_or_id: str) -> int:
    for i, o in enumerate(q.options, start=1):
        if o.id == kind_or_id or o.kind == kind_or_id:
            return i
    raise AssertionError(kind_or_id)


def best_number(q: Question) -> int:
    scores = [(o.score or 0) if o.kind == "answer" else -1 for o in q.options]
    return scores.index(max(scores)) + 1


def worst_number(q: Question) -> int:
    scores = [(o.score or 0) if o.kind == "answer" else 99 for o in q.options]
    return scores.index(min(scores)) + 1


def run(args: list[str], text: str) -> object:
    return CliRunner().invoke(app, args, input=text, env=ENV)


def test_workshop_to_the_pdf_with_the_three_actions(tmp_path: Path) -> None:
    qs = questions()
    assert 12 <= len(qs) <= 20
    # Three weak answers (two "no", one "I don't know"), the good reflex everywhere else.
    weak = {2: "worst", 6: "dont_know", 11: "worst"}
    lines = []
    for i, q in enumerate(qs):
        if weak.get(i) == "worst":
            lines.append(str(worst_number(q)))
        elif weak.get(i) == "dont_know":
            lines.append(str(option_number(q, "dont_know")))
        else:
            lines.append(str(best_number(q)))
    out = tmp_path / "atelier"
    res = run(["workshop", "--participant", "Élodie Martin", "--out", str(out)], "\n".join(lines))
    assert res.exit_code == 0, res.output
    output = squash(res.output)
    # After each answer: the feedback (why + good reflex when weak, "good reflex" otherwise).
    assert output.count("Le bon réflexe :") == 3
    assert output.count("✓ Bon réflexe") == len(qs) - 3
    assert squash(qs[2].why.fr) in output
    assert squash(qs[2].reflex.fr) in output  # type: ignore[union-attr]
    # Answers saved, private, readable by the loader.
    answers = out / "atelier-elodie-martin.yaml"
    assert oct(answers.stat().st_mode & 0o777) == "0o600"
    data = yaml.safe_load(answers.read_text(encoding="utf-8"))
    assert data["questionnaire"] == "atelier"
    dont_know = qs[6].options[option_number(qs[6], "dont_know") - 1].id
    assert data["answers"][qs[6].id]["option"] == dont_know
    assert len(data["answers"]) == len(qs)
    # The PDF: one page, the participant, the three actions with their reflexes.
    sheet = out / "fiche-elodie-martin.pdf"
    assert sheet.exists() and oct(sheet.stat().st_mode & 0o777) == "0o600"
    assert pdf_pages(sheet) == 1
    text = pdf_text(sheet)
    assert "Élodie Martin" in text
    assert "Mes trois actions pour lundi" in text
    for i in weak:
        assert squash(qs[i].recommendation.action.fr) in text, qs[i].id
        assert squash(qs[i].reflex.fr) in text  # type: ignore[union-attr]
    # Nothing from the good answers is an action.
    for i, q in enumerate(qs):
        if i not in weak:
            assert squash(q.recommendation.action.fr) not in text
    assert f"{len(qs) - 3} / {len(qs)}" in text  # good habits already in place
    # The terminal lists them too, and names the sheet.
    assert "Vos actions pour lundi" in output
    assert str(sheet) in res.output


def test_stop_then_resume_with_the_same_participant(tmp_path: Path) -> None:
    qs = questions()
    out = tmp_path / "salle"
    res = run(["workshop", "--participant", "Jo", "--out", str(out)], "1\n3\n?\n2\nq\n")
    assert res.exit_code == 0, res.output
    assert "Pourquoi c'est important" in res.output  # "?" explains the question
    path = out / "atelier-jo.yaml"
    assert list(yaml.safe_load(path.read_text())["answers"]) == [q.id for q in qs[:3]]
    assert f"Pour reprendre : cyberdiag workshop --participant Jo --dir {out}" in squash(res.output)
    # A sheet is already written from the three answers.
    assert (out / "fiche-jo.pdf").exists()
    # The file of "Jo" exists: the participant says it is theirs ("o") and resumes.
    res = run(["workshop", "--participant", "Jo", "--out", str(out)], "o\n" + "1\n" * (len(qs) - 3))
    assert res.exit_code == 0, res.output
    exists = "Un fichier d'atelier existe déjà pour « Jo » (3 réponses, dernière le"
    assert exists in squash(res.output)
    assert "Reprise : 3 réponses déjà enregistrées sur " in res.output
    assert f"question 4 sur {len(qs)}" in res.output
    assert f"question 1 sur {len(qs)}" not in res.output
    assert len(yaml.safe_load(path.read_text())["answers"]) == len(qs)
    # Once complete: --review to change an answer (Enter keeps the others).
    res = run(["workshop", "--participant", "Jo", "--out", str(out)], "o\n")
    assert "Utilisez --review pour les modifier" in res.output
    res = run(["workshop", "--participant", "Jo", "--out", str(out), "--review"],
              "3\n" + "\n" * len(qs))
    assert res.exit_code == 0, res.output
    assert yaml.safe_load(path.read_text())["answers"][qs[0].id]["option"] == qs[0].options[2].id


def test_anonymous_participant_and_english(tmp_path: Path) -> None:
    qs = questions()
    out = tmp_path / "room"
    res = run(
        ["workshop", "--lang", "en", "--out", str(out), "--json"],
        "\n".join(str(option_number(q, "dont_know")) for q in qs),
    )
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 2
    assert re.fullmatch(r"atelier-p-[0-9a-f]{6}\.yaml", files[0]), files
    assert re.fullmatch(r"fiche-p-[0-9a-f]{6}\.pdf", files[1]), files
    assert "The good habit:" in res.output and "Why it matters:" in res.output
    # --json: the dialogue on stderr, only the JSON on stdout.
    summary = json.loads(res.stdout)
    assert summary["answered"] == summary["total"] == len(qs)
    assert len(summary["actions"]) == 3
    assert summary["sheet"].endswith(files[1])
    text = pdf_text(out / files[1])
    assert "My three actions for Monday" in text
    assert "Anonymous participant" in text
    assert "You did not know" in text
    # Worst case for the length: every answer "I don't know" still fits on one page.
    assert pdf_pages(out / files[1]) == 1


def test_html_sheet_and_sheet_command(tmp_path: Path) -> None:
    qs = questions()
    out = tmp_path / "a"
    res = run(
        ["workshop", "--participant", "Lou", "--out", str(out), "--format", "html"],
        "\n".join("3" for _ in qs),
    )
    assert res.exit_code == 0, res.output
    html = (out / "fiche-lou.html").read_text(encoding="utf-8")
    assert "<style>" in html and "&#34;" not in html.split("</style>")[0]
    assert "Mes trois actions pour lundi" in html
    # The sheet can be produced again from the answers file.
    again = tmp_path / "again.pdf"
    res = run(["workshop", "sheet", str(out / "atelier-lou.yaml"), "-o", str(again)], "")
    assert res.exit_code == 0, res.output
    assert "Mes trois actions pour lundi" in pdf_text(again)


def test_user_mistakes_are_one_clear_line(tmp_path: Path) -> None:
    assert main(["workshop", "--participant", "!!!", "--out", str(tmp_path)]) == 1
    assert main(["workshop", "--questionnaire", "nope", "--out", str(tmp_path)]) == 1
    assert main(["workshop", "--format", "docx", "--out", str(tmp_path)]) == 1
    assert main(["workshop", "sheet", str(tmp_path / "missing.yaml")]) == 1
    bad = tmp_path / "atelier-x.yaml"
    bad.write_text("questionnaire: complet\nanswers: {}\n", encoding="utf-8")
    assert main(["workshop", "sheet", str(bad)]) == 1


def test_a_trainers_own_questionnaire(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = yaml.safe_load((data_dir("questionnaires") / "atelier.yaml").read_text("utf-8"))
    data["id"] = "atelier-elus"
    data["questions"] = data["questions"][:4]
    own = tmp_path / "atelier-elus.yaml"
    own.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "salle"
    res = run(["workshop", "-q", str(own), "--participant", "Maire", "--out", str(out)],
              "3\n3\n1\n1\n")
    assert res.exit_code == 0, res.output
    assert "question 4 sur 4" in res.output
    assert (out / "atelier-elus-maire.yaml").exists()
    assert "Mes actions pour lundi" in pdf_text(out / "fiche-maire.pdf")  # two actions only
    res = run(["workshop", "summary", str(out), "-q", str(own), "--json"], "")
    assert res.exit_code == 0, res.output
    assert '"participants": 1' in res.output
    # A mistake in the trainer's file is explained, file › item › field.
    data["questions"][0]["options"][0]["score"] = "beaucoup"
    own.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    capsys.readouterr()
    assert main(["workshop", "-q", str(own), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "atelier-elus.yaml" in err and "score" in err


@pytest.mark.parametrize(
    "command",
    [["workshop"], ["workshop", "summary"], ["workshop", "sheet"], ["demo"], ["run"]],
)
def test_help_has_examples(command: list[str]) -> None:
    res = CliRunner().invoke(app, [*command, "--help"], env=ENV)
    assert res.exit_code == 0, res.output
    assert re.search("Ex[ea]mples? ?:", res.output), res.output
    assert "cyberdiag " + command[0] in res.output


def test_outside_text_is_shown_as_text(tmp_path: Path) -> None:
    data = yaml.safe_load((data_dir("questionnaires") / "atelier.yaml").read_text("utf-8"))
    data["id"] = "atelier-balises"
    data["questions"] = data["questions"][:1]
    q = data["questions"][0]
    q["text"]["fr"] = "[bold red]Pas une balise[/] \x1b[31m ?"
    q["why"]["fr"] = "Ligne une\nligne [link=x]deux[/link]"
    own = tmp_path / "balises.yaml"
    own.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "salle"
    res = run(["workshop", "-q", str(own), "--participant", "[red]Jo[/]", "--out", str(out)],
              "?\nq\n")
    assert res.exit_code == 0, res.output
    assert "— [red]Jo[/]" in res.output
    assert "[bold red]Pas une balise[/] \\x1b[31m ?" in res.output
    assert "\x1b" not in res.output
    assert "Ligne une" in res.output and "ligne [link=x]deux[/link]" in res.output
