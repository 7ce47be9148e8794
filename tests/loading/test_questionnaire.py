"""Rules of a questionnaire file: every mistake, exact messages, line numbers, both languages."""

from __future__ import annotations

from pathlib import Path

from cyberdiag.i18n import set_lang
from cyberdiag.loading import validate_files


def test_broken_questionnaire() -> None:
    files = ["grid.yaml", "checks.yaml", "broken.yaml"]
    assert validate_files([Path(f) for f in files]) == [
        "broken.yaml:10 › sauv.copie › text.en: traduction manquante : le texte en anglais "
        "est obligatoire",
        "broken.yaml:12 › sauv.copie › colour: clé inconnue (faute de frappe ?), trouvé « blue »",
        "broken.yaml:13 › sauv.copie › options: aucune option « je ne sais pas » "
        "(kind: dont_know) : attendue dans chaque question",
        "broken.yaml:14 › sauv.copie › options[oui].score: score hors de l'échelle : attendu "
        "un entier entre 0 et 4, trouvé 7",
        "broken.yaml:17 › sauv.copie › id: identifiant en double : « sauv.copie » est déjà "
        "utilisé par l'élément n°1",
        "broken.yaml:18 › sauv.copie › domain: domaine inconnu de la grille : attendu l'un "
        "de sauvegardes, trouvé « sauvgardes »",
        "broken.yaml:20 › sauv.copie › why.en: traduction vide : attendu un texte en anglais",
        "broken.yaml:24 › sauv.copie › recommendation.effort: attendu l'une des valeurs "
        "'quick_win' ou 'project', trouvé « someday »",
    ]


def test_english_messages() -> None:
    set_lang("en")
    errors = validate_files([Path(f) for f in ("grid.yaml", "checks.yaml", "broken.yaml")])
    assert errors[0] == (
        "broken.yaml:10 › sauv.copie › text.en: missing translation: the English text is required"
    )
