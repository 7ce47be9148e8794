"""`cyberdiag validate`: every mistake, exact messages, line numbers, exit code 1, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from cyberdiag.cli import main
from cyberdiag.i18n import set_lang
from cyberdiag.loading import validate_files

DATA = Path(__file__).parent / "data" / "validation"


@pytest.fixture(autouse=True)
def _french(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    monkeypatch.delenv("CYBERDIAG_LANG", raising=False)
    set_lang("fr")


CASES = {
    "good questionnaire": (["grid.yaml", "checks.yaml", "good.yaml"], []),
    "broken questionnaire": (
        ["grid.yaml", "checks.yaml", "broken.yaml"],
        [
            "broken.yaml:10 › sauv.copie › text.en: traduction manquante : le texte en anglais "
            "est obligatoire",
            "broken.yaml:12 › sauv.copie › colour: clé inconnue (faute de frappe ?), "
            "trouvé « blue »",
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
        ],
    ),
    "grid referring to missing question and check": (
        ["badgrid.yaml", "checks.yaml", "good.yaml"],
        [
            "badgrid.yaml:14 › sauvegardes › checks[mail.nope].id: vérification inconnue : aucun "
            "catalogue checks/*.yaml ne définit « mail.nope »",
            "badgrid.yaml:15 › tiers: strates manquantes : attendu 1, 2, 3 et 4, il manque [3, 4]",
            "badgrid.yaml:17 › tiers[2] › target_level: attendu une valeur ≤ 4, trouvé 9",
            "badgrid.yaml:19 › crit-1 › question: question inconnue : aucun questionnaire ne "
            "définit « sauv.absente »",
            "good.yaml:9 › sauv.copie › critical: question marquée critique mais la grille n'a "
            "aucun élément critique qui s'y réfère (section critical)",
        ],
    ),
    "duplicate key and bad severity": (
        ["grid.yaml", "dupkey.yaml", "good.yaml"],
        [
            "dupkey.yaml:8 › mail.spf › title: clé en double (la seconde valeur écraserait la "
            "première)",
            "dupkey.yaml:9 › mail.spf › severity: attendu l'une des valeurs 'info', 'low', "
            "'medium', 'high' ou 'critical', trouvé « extreme »",
        ],
    ),
    "YAML syntax": (["syntax.yaml"], ["syntax.yaml:3: YAML invalide (mapping values are not "
                                      "allowed here)."]),
    "missing file": (["absent.yaml"], ["absent.yaml : fichier introuvable."]),
    "answers file": (
        ["grid.yaml", "checks.yaml", "good.yaml", "answers-bad.yaml"],
        [
            "answers-bad.yaml:3 › sauv.copie › option: réponse inconnue : "
            "attendu l'une de oui, nsp, trouvé « peut-etre »",
            "answers-bad.yaml:4 › sauv.inconnue: question inconnue du questionnaire « bon »",
            "answers-bad.yaml:5 › autre › humeur: clé inconnue (faute de frappe ?), "
            "trouvé « bonne »",
            "answers-bad.yaml:5 › autre: question inconnue du questionnaire « bon »",
        ],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_messages(case: str) -> None:
    files, expected = CASES[case]
    assert validate_files([Path(f) for f in files]) == expected


def test_english_messages() -> None:
    set_lang("en")
    errors = validate_files([Path(f) for f in ("grid.yaml", "checks.yaml", "broken.yaml")])
    assert errors[0] == (
        "broken.yaml:10 › sauv.copie › text.en: missing translation: the English text is required"
    )


def test_cli_exit_code_and_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "grid.yaml", "checks.yaml", "broken.yaml"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err
    assert err.splitlines()[0] == "Erreur : 8 erreur(s) de validation."
    assert "  broken.yaml:14 › sauv.copie › options[oui].score" in err


def test_cli_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "grid.yaml", "checks.yaml", "good.yaml"]) == 0
    assert "OK : 3 fichier(s) valide(s)." in capsys.readouterr().out
