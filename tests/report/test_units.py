"""Report building blocks: French typography, evidence bounds, plan order, radar, view model."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from report_fixtures import complete, extreme, sparse

from cyberdiag.report.build import build_view, plan_order
from cyberdiag.report.evidence import key_items, pretty
from cyberdiag.report.frtypo import NBSP, NNBSP, format_date, format_number, typo
from cyberdiag.report.radar import Axis, radar_svg
from cyberdiag.report.render import render_html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Plafonné par : x", f"Plafonné par{NBSP}: x"),
        ("Vraiment ? Oui ! Bon ; fin", f"Vraiment{NNBSP}? Oui{NNBSP}! Bon{NNBSP}; fin"),
        ("« appliquer ou expliquer »", f"«{NBSP}appliquer ou expliquer{NBSP}»"),
        ("«déjà»", f"«{NBSP}déjà{NBSP}»"),
        (f"«{NBSP}déjà{NBSP}»", f"«{NBSP}déjà{NBSP}»"),
        ("sous 72 h", f"sous 72{NBSP}h"),
        # Left alone: URLs, times, ids, IPv6, a colon without a space before it.
        ("https://x.example:8443/a?b", "https://x.example:8443/a?b"),
        ("12:30 dns.spf fe80::1", "12:30 dns.spf fe80::1"),
        ("Note: en anglais", "Note: en anglais"),
    ],
)
def test_french_spaces(text: str, expected: str) -> None:
    assert typo(text, "fr") == expected


def test_english_text_untouched() -> None:
    assert typo("Capped by : x « y »", "en") == "Capped by : x « y »"


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (date(2026, 11, 22), "fr", f"22{NBSP}novembre 2026"),
        (datetime(2026, 8, 1, 23, 59), "fr", f"1er{NBSP}août 2026"),
        (date(2026, 2, 3), "fr", f"3{NBSP}février 2026"),
        (date(2026, 11, 22), "en", "22 November 2026"),
    ],
)
def test_format_date(value: date, lang: str, expected: str) -> None:
    assert format_date(value, lang) == expected  # type: ignore[arg-type]


def test_format_number() -> None:
    assert format_number(1234567, "fr") == f"1{NNBSP}234{NNBSP}567"
    assert format_number(12345.5, "fr", 1) == f"12{NNBSP}345,5"
    assert format_number(1234567, "en") == "1,234,567"
    assert format_number(999, "fr") == "999"


def test_evidence_is_bounded_with_visible_marker() -> None:
    text = pretty({"blob": "A" * 30000, "n": list(range(500))}, "fr")
    assert len(text) < 2700
    assert text.rstrip().endswith("caractères de plus]")
    assert "tronqué" in text
    small = pretty({"record": "v=spf1 -all"}, "en")
    assert "truncated" not in small and "v=spf1 -all" in small
    assert pretty({}, "fr") == ""


def test_key_items_scalars_first_and_short() -> None:
    items = key_items({"nested": {"a": 1}, "record": "x" * 500, "status": 301}, "en")
    assert [k for k, _ in items] == ["record", "status", "nested"]
    assert len(items[0][1]) < 200 and "truncated" in items[0][1]


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


def test_radar_escapes_labels_and_draws_every_series() -> None:
    axes = [
        Axis(label=f"<b>D{i}</b> & co", score=10.0 * i, target=50, median=40, note=f"{i}")
        for i in range(10)
    ]
    svg = str(radar_svg(axes, 'Titre "<x>"'))
    assert "<b>" not in svg and "&lt;b&gt;D3&lt;/b&gt; &amp; co" in svg
    assert 'class="municipality"' in svg and 'class="target"' in svg
    assert 'class="median"' in svg
    assert len(re.findall(r"<circle", svg)) == 10
    no_median = str(radar_svg([Axis(label="a", score=None)] * 5, "t"))
    assert 'class="median"' not in no_median


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


def test_html_french_typography_and_inlined_css() -> None:
    html = render_html(build_view(complete(), "fr"), inline_css=True)
    assert f"Plafonné par{NBSP}:" in html
    assert '"DejaVu Sans"' in html and "&#34;DejaVu" not in html  # CSS not autoescaped
    assert "@page" in html and "http://" not in html.split("</style>")[0]
    # Everything in one file: no external resource at all.
    assert not re.search(r"""(src|href)=["'](?!#)""", html)


def test_extreme_view_keeps_hostile_text_as_text() -> None:
    html = render_html(build_view(extreme("http://127.0.0.1:9"), "fr"), inline_css=False)
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert "&lt;script&gt;alert(" in html
    assert "{{ 7*7 }}" in html  # template syntax in data is never evaluated


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
