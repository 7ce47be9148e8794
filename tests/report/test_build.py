"""Diagnostic -> view model: plan order, summary figures, medians, glossary, domains."""

from __future__ import annotations

from datetime import date, datetime

from report_fixtures import complete, sparse

from cyberdiag.report.build import build_view, plan_order
from cyberdiag.report.frtypo import NBSP
from cyberdiag.report.render import render_html


def test_plan_order_respects_rank_and_puts_quick_wins_first_among_equals() -> None:
    diag = complete()
    ordered = plan_order(list(reversed(diag.findings)))
    titles = [f.title.fr for f in ordered]
    # Ranks 3 (project) and 4 (quick win) share critical flag and priority: the quick win first.
    assert titles.index("Contacts d'urgence inconnus du secrétariat") < titles.index(
        "Pas de fiche réflexe en cas d'incident"
    )
    # Otherwise the scoring's rank order is kept.
    assert titles[0] == "Pas de copie de sauvegarde hors ligne"
    assert [f.rank for f in ordered][4:] == sorted(f.rank for f in ordered[4:])


def test_view_summary_figures() -> None:
    view = build_view(complete(), "fr", now=datetime(2026, 11, 23))
    assert view.overall_score == "50 / 100"
    assert view.overall_level.name == "Exposé"
    assert view.caps == ["pas de copie de sauvegarde hors ligne"]
    assert [d.id for d in view.weakest] == ["sauvegardes", "incidents", "acces"]
    assert [d.id for d in view.strongest] == ["exposition", "postes", "reseau"]
    assert len(view.top_actions) == 5
    assert view.risks[0].sentence.startswith("Un rançongiciel peut bloquer l'état civil")
    assert view.date == f"22{NBSP}novembre 2026"


def test_view_sparse_and_medians() -> None:
    view = build_view(sparse(), "en", medians={"gouvernance": 42.0})
    assert view.overall_score == "not assessed"
    assert len(view.unevaluated) == 8
    assert view.has_median
    html = render_html(view, inline_css=True)
    assert 'class="median"' in html and "42 / 100" in html
    empty = build_view(sparse(), "fr", medians={})
    assert not empty.has_median and "Pas encore assez de communes" in empty.median_note


def test_glossary_lists_only_words_used() -> None:
    terms = {t.term for t in build_view(complete(), "fr").glossary}
    assert "DMARC" in terms and "Rançongiciel" in terms and "NIS2" in terms
    sparse_terms = {t.term for t in build_view(sparse(), "fr").glossary}
    assert "DMARC" not in sparse_terms and "HSTS" not in sparse_terms


def test_domain_marks_blocking_items_and_hides_profile_not_applicable() -> None:
    diag = complete()
    first = diag.answers[0]  # gouvernance.q1
    answers = [first.model_copy(update={"applicable": False}), *diag.answers[1:]]
    domains = [
        d.model_copy(update={"blocking": ["gouvernance.q2", "dns.nowhere"]})
        if d.id == "gouvernance"
        else d
        for d in diag.domains
    ]
    view = build_view(diag.model_copy(update={"answers": answers, "domains": domains}), "fr")
    gov = next(d for d in view.domains if d.id == "gouvernance")
    assert gov.hidden_not_applicable == 1 and len(gov.answers) == 4
    assert [a.question_id for a in gov.answers if a.blocking] == ["gouvernance.q2"]
    assert gov.blocking_elsewhere == ["dns.nowhere"]  # unknown id: shown by its id
    html = render_html(view, inline_css=False)
    assert "1 question sans objet pour ce profil (taille, site web, équipements…), non listée." in (
        html
    )


def _mini(**opts: str):  # type: ignore[no-untyped-def]
    """Scored on the mini grid (tests/core_fixtures.py) plus a critical MFA (b.mfa)."""
    import copy

    from core_fixtures import CATALOGUE, GRID, NOW, T, answers, profile, questionnaire

    from cyberdiag.models import Grid
    from cyberdiag.scoring import score

    grid = copy.deepcopy(GRID)
    grid["critical"].append({"id": "crit-mfa", "label": T("pas de MFA"), "question": "b.mfa"})
    return score(
        grid=Grid.model_validate(grid),
        questionnaire=questionnaire(),
        profile=profile(it_provider="Info Nord"),
        answers=answers(**opts),
        checks=[],
        catalogue=CATALOGUE,
        tool_version="t",
        created_at=NOW,
    )


def test_first_page_names_each_cap_with_its_cause_when_the_score_alone_gives_0() -> None:
    # The backup « non » (a known gap), the MFA « je ne sais pas » (to confirm): a = 25, b = 0,
    # overall 16.7, so the score alone gives 0, and both caps at 0 hold it there.
    diag = _mini(a_backup="non", a_doc="oui", b_mfa="nsp")
    assert diag.overall.uncapped_level == 0
    view = build_view(diag, "fr")
    assert view.level_line == (
        "Niveau 0 — niveau 0 (fr) : 1 mesure critique manque, 1 est à confirmer auprès du "
        "prestataire"
    )
    assert view.cap_groups == [
        ("Écart constaté", ["pas de sauvegarde (fr)"], 0),
        ("À confirmer auprès du prestataire", ["pas de MFA (fr)"], 0),
    ]
    html = render_html(view, inline_css=False).replace(NBSP, " ").replace("\u202f", " ")
    assert (
        '<p class="lead"><strong>Niveau 0 — niveau 0 (fr) : 1 mesure critique manque, 1 est à '
        "confirmer auprès du prestataire</strong>." in html
    )
    # Each cause named once, known gaps first.
    assert (
        "Plafonné par :</strong> <em>Écart constaté :</em> pas de sauvegarde (fr). <em>À "
        "confirmer auprès du prestataire :</em> pas de MFA (fr)." in html
    )
    en = render_html(build_view(diag, "en"), inline_css=False)
    assert (
        "Level 0 — niveau 0 (en): 1 critical measure missing, 1 to be confirmed with the "
        "provider</strong>." in en
    )
    assert (
        "Capped by:</strong> <em>Known gap:</em> pas de sauvegarde (en). <em>To be confirmed "
        "with the provider:</em> pas de MFA (en)." in en
    )


def test_no_cap_no_level_line() -> None:
    view = build_view(_mini(a_backup="oui", a_doc="oui", b_mfa="oui"), "fr")
    assert view.caps == [] and view.level_line == "" and view.cap_groups == []
    assert "Plafonné par" not in render_html(view, inline_css=False)


def test_an_answer_confirmed_by_the_provider_says_who_and_when() -> None:
    diag = complete()
    first = next(a for a in diag.answers if a.applicable and a.option)
    confirmed = first.model_copy(
        update={
            "source": "provider",
            "confirmed_by": "InfoPresta",
            "confirmed_on": date(2026, 3, 1),
            "evidence": "export de la console",
        }
    )
    answers = [confirmed if a is first else a for a in diag.answers]
    diag = diag.model_copy(update={"answers": answers})
    for lang, line in (
        ("fr", f"confirmé par InfoPresta le 1er{NBSP}mars 2026"),
        ("en", "confirmed by InfoPresta on 1 March 2026"),
    ):
        view = build_view(diag, lang)  # type: ignore[arg-type]
        shown = [a for d in view.domains for a in d.answers]
        mine = next(a for a in shown if a.question_id == first.question_id)
        assert (mine.confirmed, mine.evidence) == (line, "export de la console")
        assert all(a.confirmed == "" for a in shown if a is not mine)
        assert line in render_html(view, inline_css=False)
