"""The group's anonymous summary over a folder of answers files, one of them corrupted."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cyberdiag.answering import save_answers
from cyberdiag.cli import main
from cyberdiag.models import AnswerFile
from cyberdiag.workshop.session import load_workshop_questionnaire


def squash(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return squash(out.stdout)


def write_participant(folder: Path, name: str, choice: dict[str, str]) -> None:
    q, _ = load_workshop_questionnaire("atelier")
    af = AnswerFile.model_validate(
        {
            "questionnaire": "atelier",
            "questionnaire_version": q.version,
            "answers": {
                qid: {
                    "option": o,
                    "comment": f"secret de {name}",
                    "answered_at": f"2026-11-23T09:{ord(name[0]) % 60:02d}:00Z",
                }
                for qid, o in choice.items()
            },
        }
    )
    save_answers(folder / f"atelier-{name}.yaml", af)


@pytest.fixture
def room(tmp_path: Path) -> tuple[Path, list[str]]:
    """Four participants, one corrupted file, one file of another questionnaire."""
    q, _ = load_workshop_questionnaire("atelier")
    ids = [x.id for x in q.questions]
    folder = tmp_path / "atelier"
    folder.mkdir()
    everyone_good = dict.fromkeys(ids, "oui")
    write_participant(folder, "albertine", {**everyone_good, ids[3]: "non"})
    write_participant(folder, "bertrand", {**everyone_good, ids[3]: "je_ne_sais_pas"})
    write_participant(folder, "camille", {**everyone_good, ids[3]: "non", ids[5]: "parfois"})
    # Dominique stopped after two questions.
    write_participant(folder, "dominique", {ids[0]: "non", ids[1]: "oui"})
    # Truncated while copying from a USB stick.
    (folder / "atelier-etienne.yaml").write_text(
        "questionnaire: atelier\nanswers:\n  atelier.mfa: {option: oui\n", encoding="utf-8"
    )
    (folder / "atelier-fanny.yaml").write_text(
        "questionnaire: complet\nanswers: {}\n", encoding="utf-8"
    )
    (folder / "notes.txt").write_text("not an answers file", encoding="utf-8")
    # Bertrand's file gathered twice (from two USB sticks).
    shutil.copy(folder / "atelier-bertrand.yaml", folder / "atelier-bertrand-copie.yaml")
    return folder, ids


def test_summary_reports_the_corrupted_file_and_uses_the_rest(
    room: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ids = room
    out = tmp_path / "synthese.pdf"
    code = main(["workshop", "summary", str(folder), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # Each bad file named with its reason, on stderr.
    assert re.search(r"atelier-etienne\.yaml — ligne \d+ : YAML invalide", captured.err)
    assert "atelier-fanny.yaml — ligne 1 : questionnaire: ces réponses sont pour le " in (
        captured.err
    )
    assert "notes.txt" not in captured.err
    assert "atelier-bertrand.yaml — même contenu que atelier-bertrand-copie.yaml" in captured.err
    assert "Synthèse de 4 participants écrite" in captured.out
    text = pdf_text(out)
    assert "4 participants" in text
    assert "3 fichiers écartés" in text
    # The room's weakest habit: question 4 (2 "no", 1 "don't know", 1 no answer).
    first = load_workshop_questionnaire("atelier")[0].questions[3]
    assert "Les réflexes les plus fragiles de la salle" in text
    assert "Q4 : 3 personnes sur 3 n’ont pas encore le bon réflexe" in text
    assert squash(first.reflex.fr) in text  # type: ignore[union-attr]
    # Anonymous: neither names nor comments.
    for name in ("albertine", "bertrand", "camille", "dominique", "secret de"):
        assert name not in text.lower()


def test_summary_json_counts(
    room: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, ids = room
    assert main(["workshop", "summary", str(folder), "--json", "--lang", "en"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["participants"] == 4
    assert sorted(r["file"] for r in data["rejected"]) == [
        "atelier-bertrand.yaml",
        "atelier-etienne.yaml",
        "atelier-fanny.yaml",
    ]
    by_id = {q["id"]: q for q in data["questions"]}
    q4 = {c["id"]: c["count"] for c in by_id[ids[3]]["counts"]}
    assert q4 == {"oui": 0, "parfois": 0, "non": 2, "je_ne_sais_pas": 1}
    assert by_id[ids[3]]["unanswered"] == 1
    assert by_id[ids[3]]["mean_gap"] == 1.0
    q1 = {c["id"]: c["count"] for c in by_id[ids[0]]["counts"]}
    assert q1 == {"oui": 3, "parfois": 0, "non": 1, "je_ne_sais_pas": 0}
    assert by_id[ids[5]]["mean_gap"] == round(0.5 / 3, 3)
    assert [q["id"] for q in data["weakest"]] == [ids[3], ids[0], ids[5]]
    assert data["talking_points"][0].startswith("Q4: 3 of 3 do not have the good habit yet")
    assert not data["small_group"]


def test_summary_html_for_the_projector(room: tuple[Path, list[str]], tmp_path: Path) -> None:
    folder, _ = room
    out = tmp_path / "synthese.html"
    assert main(["workshop", "summary", str(folder), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<style>" in html and "@media screen" in html
    assert "&#34;" not in html.split("</style>")[0]  # CSS not mangled by autoescape
    assert "albertine" not in html and "secret de" not in html
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_summary_without_usable_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "vide"
    folder.mkdir()
    (folder / "atelier-x.yaml").write_bytes(b"\xff\xfe\x00garbage")
    assert main(["workshop", "summary", str(folder), "-o", str(tmp_path / "s.pdf")]) == 1
    err = capsys.readouterr().err
    assert "Aucun fichier de réponses utilisable" in err
    assert "atelier-x.yaml" in err and "UTF-8" in err
    assert main(["workshop", "summary", str(tmp_path / "absent")]) == 1
    assert "dossier introuvable" in capsys.readouterr().err
    assert main(["workshop", "summary", str(folder), "-o", str(tmp_path / "s.docx")]) == 1


def test_small_group_warning(tmp_path: Path) -> None:
    folder = tmp_path / "duo"
    folder.mkdir()
    ids = [x.id for x in load_workshop_questionnaire("atelier")[0].questions]
    write_participant(folder, "a", dict.fromkeys(ids, "oui"))
    out = tmp_path / "s.pdf"
    assert main(["workshop", "summary", str(folder), "-o", str(out)]) == 0
    text = pdf_text(out)
    assert "Moins de trois participants" in text
    assert "Toutes les réponses correspondent aux bons réflexes" in text
