"""Diagnostic -> view model: plan order, summary figures, medians, glossary, domains."""

from __future__ import annotations

from datetime import datetime

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
    assert "1 question(s) sans objet pour ce profil" in html
