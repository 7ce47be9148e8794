"""Rules of a grid file: the questions and checks it names exist, tiers and levels hold."""

from __future__ import annotations

from pathlib import Path

from cyberdiag.loading import validate_files


def test_grid_referring_to_missing_question_and_check() -> None:
    files = ["badgrid.yaml", "checks.yaml", "good.yaml"]
    assert validate_files([Path(f) for f in files]) == [
        "badgrid.yaml:14 › sauvegardes › checks[mail.nope].id: vérification inconnue : aucun "
        "catalogue checks/*.yaml ne définit « mail.nope »",
        "badgrid.yaml:15 › tiers: strates manquantes : attendu 1, 2, 3 et 4, il manque [3, 4]",
        "badgrid.yaml:17 › tiers[2] › target_level: attendu une valeur ≤ 4, trouvé 9",
        "badgrid.yaml:19 › crit-1 › question: question inconnue : aucun questionnaire ne "
        "définit « sauv.absente »",
        "good.yaml:9 › sauv.copie › critical: question marquée critique mais la grille n'a "
        "aucun élément critique qui s'y réfère (section critical)",
    ]
