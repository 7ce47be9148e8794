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


def test_unscored_questions_and_domains() -> None:
    """scored: false (pooling, training needs): never critical, no score on its options, no
    checks in its domain, every question of an unscored domain says it; provider_note is a
    text in both languages. An unscored question may sit in a scored domain (sauv.copie)."""
    files = ["unscored-grid.yaml", "checks.yaml", "unscored.yaml"]
    assert validate_files([Path(f) for f in files]) == [
        "unscored-grid.yaml:17 › mutualisation › checks: un domaine non noté (scored: false) "
        "n'a pas de vérifications",
        "unscored-grid.yaml:25 › crit-1 › question: la question « mut.partage » n'est pas "
        "notée (scored: false) : elle ne peut pas plafonner le niveau",
        "unscored.yaml:10 › mut.partage › critical: une question non notée (scored: false) ne "
        "peut pas être critique",
        "unscored.yaml:13 › mut.partage › provider_note.en: traduction manquante : le texte en "
        "anglais est obligatoire",
        "unscored.yaml:15 › mut.partage › options[oui].score: une question non notée (scored: "
        "false) n'a pas de score sur ses options, trouvé 4",
        "unscored.yaml:19 › mut.offre › domain: le domaine « mutualisation » n'est pas noté "
        "(scored: false dans la grille) : ajoutez scored: false à la question, ou changez de "
        "domaine",
        "unscored.yaml:20 › mut.offre › scored: attendu true ou false, trouvé « peut-être »",
        "unscored.yaml:24 › mut.offre › options[oui].score: score manquant : attendu un entier "
        "entre 0 et 4",
        "unscored.yaml:25 › mut.offre › options[nsp].score: score manquant : attendu un entier "
        "entre 0 et 4",
    ]
