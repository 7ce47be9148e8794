"""The cause of a cap and the summary line that counts them, in French and English."""

from __future__ import annotations

import pytest
from core_fixtures import CATALOGUE, NOW, answers, grid, profile, questionnaire

from cyberdiag.i18n import Lang
from cyberdiag.models import Cap, Diagnostic, Text
from cyberdiag.scoring import score
from cyberdiag.scoring.causes import answer_cause, cause_counts, counts_text, level_sentence


@pytest.mark.parametrize(
    ("kind", "confirmed", "cause"),
    [
        ("answer", False, "gap"),
        ("dont_know", False, "unknown"),
        (None, False, "unknown"),
        ("delegated", False, "unknown"),
        ("delegated", True, "gap"),
        ("answer", True, "gap"),
        ("dont_know", True, "unknown"),  # the provider does not know either
    ],
)
def test_answer_cause(kind: str | None, confirmed: bool, cause: str) -> None:
    assert answer_cause(kind, confirmed=confirmed) == cause


@pytest.mark.parametrize(
    ("gaps", "unknown", "provider", "lang", "text"),
    [
        (0, 0, True, "fr", ""),
        (1, 0, True, "fr", "1 mesure critique manque"),
        (2, 0, True, "fr", "2 mesures critiques manquent"),
        (
            2,
            3,
            True,
            "fr",
            "2 mesures critiques manquent, 3 sont à confirmer auprès du prestataire",
        ),
        (1, 1, True, "fr", "1 mesure critique manque, 1 est à confirmer auprès du prestataire"),
        (0, 1, True, "fr", "1 mesure critique est à confirmer auprès du prestataire"),
        (0, 4, False, "fr", "4 mesures critiques sont à confirmer"),
        (1, 0, True, "en", "1 critical measure missing"),
        (2, 3, True, "en", "2 critical measures missing, 3 to be confirmed with the provider"),
        (0, 1, False, "en", "1 critical measure to be confirmed"),
        (0, 2, True, "en", "2 critical measures to be confirmed with the provider"),
    ],
)
def test_counts_text_plurals(
    gaps: int, unknown: int, provider: bool, lang: Lang, text: str
) -> None:
    assert counts_text(gaps, unknown, provider, lang) == text


def _cap(item: str, cause: str) -> Cap:
    return Cap.model_validate(
        {
            "item": item,
            "label": Text(fr=item, en=item),
            "level": 0,
            "source": "question",
            "ref": item,
            "cause": cause,
        }
    )


def test_cause_counts() -> None:
    caps = [_cap("a", "gap"), _cap("b", "unknown"), _cap("c", "unknown")]
    assert cause_counts(caps) == (1, 2)
    assert cause_counts([]) == (0, 0)


def test_level_sentence_of_a_scored_diagnostic() -> None:
    def run(prov: str | None, **opts: str) -> Diagnostic:
        return score(
            grid=grid(),
            questionnaire=questionnaire(),
            profile=profile(it_provider=prov),
            answers=answers(**opts),
            checks=[],
            catalogue=CATALOGUE,
            tool_version="t",
            created_at=NOW,
        )

    # backup « je ne sais pas »: level 0, one cap to confirm (see tests/scoring/test_score.py)
    d = run("Info Nord", a_backup="nsp", a_doc="oui", b_mfa="oui")
    assert level_sentence(d, "fr") == (
        "Niveau 0 — niveau 0 (fr) : 1 mesure critique est à confirmer auprès du prestataire"
    )
    assert level_sentence(d, "en", overall=True) == (
        "Overall level 0 — niveau 0 (en): 1 critical measure to be confirmed with the provider"
    )
    # no provider declared and nothing delegated: "to confirm", with nobody named
    d = run(None, a_backup="nsp", a_doc="oui", b_mfa="oui")
    assert level_sentence(d, "fr").endswith(": 1 mesure critique est à confirmer")
    # nothing caps: the level alone
    d = run(None, a_backup="oui", a_doc="oui", b_mfa="oui")
    assert level_sentence(d, "fr") == "Niveau 4 — niveau 4 (fr)"
