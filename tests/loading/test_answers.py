"""Answer files checked against their questionnaire: each mistake named by question id."""

from __future__ import annotations

from pathlib import Path

from cyberdiag.loading import validate_files


def test_answers_file() -> None:
    files = ["grid.yaml", "checks.yaml", "good.yaml", "answers-bad.yaml"]
    assert validate_files([Path(f) for f in files]) == [
        "answers-bad.yaml:3 › sauv.copie › option: réponse inconnue : "
        "attendu l'une de oui, nsp, trouvé « peut-etre »",
        "answers-bad.yaml:4 › sauv.inconnue: question inconnue du questionnaire « bon »",
        "answers-bad.yaml:5 › autre › humeur: clé inconnue (faute de frappe ?), trouvé « bonne »",
        "answers-bad.yaml:5 › autre: question inconnue du questionnaire « bon »",
    ]
