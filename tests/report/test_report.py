"""The awareness report rendered for real (WeasyPrint) and read back with pdftotext.

Complete, sparse and extreme diagnostics, in French and English. Each PDF is rendered once per
test session (module fixture) and the tests assert on its text: sections in order, figures,
names, escaping, page numbers, no English in the French report and vice versa.
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from report_fixtures import CAP_LABEL, MUNICIPALITY, complete, extreme, sparse

from cyberdiag.models import Diagnostic
from cyberdiag.report import write_report

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")

FACTORIES: dict[str, Callable[[], Diagnostic]] = {
    "complete": complete,
    "sparse": sparse,
    "extreme": extreme,
}
SECTIONS = {
    "fr": [
        "Synthèse pour les élus",
        "Vue d'ensemble par domaine",
        "Plan d'action",
        "Domaine par domaine",
        "Annexe technique pour le prestataire",
        "Glossaire et contacts utiles",
    ],
    "en": [
        "Summary for elected officials",
        "Overview by domain",
        "Action plan",
        "Domain by domain",
        "Technical annex for the IT provider",
        "Glossary and whom to call",
    ],
}


class Rendered:
    def __init__(self, path: Path) -> None:
        self.path = path
        raw = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
        # Non-breaking spaces (French typography) read back as plain spaces for the assertions.
        self.pages = [p.replace("\u00a0", " ").replace("\u202f", " ") for p in raw.split("\f")]
        self.pages = [p for p in self.pages if p.strip()]
        self.text = "\n".join(self.pages)
        # Lines joined: a long sentence wrapped by the layout is found whole.
        self.flat = re.sub(r"\s+", " ", self.text)

    def page_of(self, needle: str, start: int = 1) -> int:
        for i, page in enumerate(self.pages[start:], start=start):
            if needle in re.sub(r"\s+", " ", page):
                return i
        raise AssertionError(f"{needle!r} not found after page {start}")


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Rendered]:
    cache: dict[tuple[str, str], Rendered] = {}
    folder = tmp_path_factory.mktemp("reports")

    def _render(kind: str, lang: str) -> Rendered:
        if (kind, lang) not in cache:
            out = folder / f"{kind}-{lang}.pdf"
            write_report(FACTORIES[kind](), out, fmt="pdf", lang=lang)  # type: ignore[arg-type]
            cache[(kind, lang)] = Rendered(out)
        return cache[(kind, lang)]

    return _render


@pytest.mark.parametrize("kind", ["complete", "sparse", "extreme"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sections_in_order_and_page_numbers(
    render: Callable[[str, str], Rendered], kind: str, lang: str
) -> None:
    r = render(kind, lang)
    assert r.path.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(r.path.stat().st_mode) == 0o600
    pages = [r.page_of(title) for title in SECTIONS[lang]]  # after the cover's contents
    assert pages == sorted(pages) and pages[0] == 1, pages
    assert pages[1] == 2, "the summary for elected officials must fit on one page"
    n = len(r.pages)
    # Footer "page / pages" on every page but the cover.
    for i in range(1, n):
        assert re.search(rf"\b{i + 1} ?/ ?{n}\b", r.pages[i]), f"no page number on page {i + 1}"
    marking = "DIFFUSION RESTREINTE" if lang == "fr" else "RESTRICTED DISTRIBUTION"
    assert marking in r.pages[0] and marking in r.pages[-1]
    # No page holds a lone line: a few lines at least between the running header and footer.
    for i, page in enumerate(r.pages[1:], start=2):
        body = [line for line in page.splitlines() if line.strip()][1:-1]
        assert len(body) >= 3, f"page {i} holds only {body}"


def test_complete_french(render: Callable[[str, str], Rendered]) -> None:
    r = render("complete", "fr")
    cover, summary = r.pages[0], re.sub(r"\s+", " ", r.pages[1])
    assert MUNICIPALITY in cover and "22 novembre 2026" in cover
    assert "cyberdiag 0.1.0" in cover and "complet 1.0" in cover and "grille-mel 1.0" in cover
    # One-page summary: level, score, cap by name, target and gap, domains, actions, risks, NIS2.
    assert "0 — Exposé" in summary and "50 / 100" in summary
    assert re.search(rf"Plafonné par : [^:.]+ : {re.escape(CAP_LABEL.fr)}", summary)
    assert "niveau 1 — Hygiène de base" in summary  # what the level would be without the cap
    assert "niveau 3 — Maîtrisé" in summary and "3 niveaux" in summary
    assert "Sauvegardes et continuité 19 / 100" in summary
    assert "Exposition sur Internet et site web 80 / 100" in summary
    for title in ("Pas de copie de sauvegarde hors ligne", "Contacts d'urgence inconnus"):
        assert title in summary
    assert "Un rançongiciel peut bloquer l'état civil, la paie" in summary
    assert "NIS2 : Entité importante" in summary
    # Radar page: inline SVG labels and the domain table.
    overview = re.sub(r"\s+", " ", r.pages[r.page_of("Vue d'ensemble par domaine")])
    assert "La commune" in overview and "Objectif de la strate" in overview
    assert "GV Gouverner" in overview
    # Action plan: planning column, explanation shown beside its finding (never hiding it).
    assert "Échéance prévue" in r.flat
    plan = r.page_of("Plan d'action", 2)
    assert "Action planifiée · 31 mars 2027 Budget voté pour 2027." in re.sub(
        r"\s+", " ", r.pages[plan]
    )
    assert "Risque accepté Passage en quarantaine après la migration." in r.flat
    # Domain pages: answers with comments; the annex: each point to fix with the record found.
    assert "Vu avec le DGS en réunion." in r.flat
    assert "Pour atteindre le niveau suivant :" in r.flat
    assert "v=DMARC1; p=none;" in r.flat and "rua=mailto:d@x.example" in r.flat
    assert "Ce qui ne va pas" in r.flat and "DS / DNSKEY" in r.flat
    # Annex and contacts.
    assert "2 × Non conforme" in r.flat and "1 × Non testé" in r.flat
    assert "délai dépassé (réseau)" in r.flat
    for who in ("17cyber.gouv.fr", "cybermalveillance.gouv.fr", "CSIRT Hauts-de-France"):
        assert who in r.flat
    assert "72 heures" in r.flat and "CNIL" in r.flat
    # No English leaking into the French report.
    for english in ("Summary", "Action plan", "Capped by", "Restricted", "the"):
        assert not re.search(rf"\b{english}\b", r.flat), english


def test_complete_english(render: Callable[[str, str], Rendered]) -> None:
    r = render("complete", "en")
    assert "22 November 2026" in r.pages[0] and "12,345 inhabitants" in r.pages[0]
    summary = re.sub(r"\s+", " ", r.pages[1])
    assert "0 — Exposed" in summary and "50 / 100" in summary
    assert re.search(rf"Capped by: [^:.]+: {re.escape(CAP_LABEL.en)}", summary)
    assert "Ransomware can block civil registration" in summary
    assert "NIS2: Important entity" in summary
    assert "Planned date" in r.flat and "Planned action" in r.flat
    # No French leaking into the English report (the municipality's own words aside: its name,
    # comments and explanations are printed as written).
    flat = r.flat.replace(MUNICIPALITY, "")
    for own in ("Vu avec le DGS en réunion.", "Passage en quarantaine après la migration."):
        flat = flat.replace(own, "")
    for french in ("Synthèse", "Plafonné", "Échéance", "Diffusion", "habitants", "le", "la"):
        assert not re.search(rf"\b{french}\b", flat), french


def test_sparse(render: Callable[[str, str], Rendered]) -> None:
    r = render("sparse", "fr")
    summary = re.sub(r"\s+", " ", r.pages[1])
    assert "Score global : non évalué" in summary
    assert "Non évalués (aucune réponse)" in summary
    assert "Savoir s'il existe une sauvegarde hors ligne" in summary
    assert "Aucune vérification automatique n'a été lancée" in r.flat
    assert "Non répondu" in r.flat and "Je ne sais pas" in r.flat
    assert "Petit-Village" in r.pages[0] and "1er mars 2026" in r.pages[0]
    en = render("sparse", "en")
    assert "Overall score: not assessed" in re.sub(r"\s+", " ", en.pages[1])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_extreme_hostile_content_printed_as_text(
    render: Callable[[str, str], Rendered], lang: str
) -> None:
    r = render("extreme", lang)
    assert len(r.pages) > 20
    nospace = re.sub(r"\s+", "", r.text)
    # Markup from the data shows up literally: it was escaped, not interpreted.
    assert '<script>alert("x")</script>&Cie' in nospace
    assert '<imgsrc="http://127.0.0.1:9/img.png">commentaire' in nospace
    assert '<iframesrc="file:///etc/passwd"></iframe>' in nospace
    assert "{{7*7}}" in nospace
    assert "<b>nongras</b>" in nospace
    # Raw evidence is not in the PDF (the HTML version and checks.json hold it); 500-character
    # comments are printed whole.
    assert "A" * 300 not in nospace
    assert "Commentaire très long" in r.flat
    # Every check failed: the annex counts them.
    assert ("24 × Non conforme" if lang == "fr" else "24 × Fail") in r.flat


def test_html_format_same_document(tmp_path: Path) -> None:
    out = tmp_path / "rapport.html"
    write_report(complete(), out, fmt="html", lang="fr")
    html = out.read_text(encoding="utf-8")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    text = unescape(html)
    for title in SECTIONS["fr"]:
        assert title in text
    assert "<svg" in html and "@media screen" in html


def test_real_scoring_of_the_example(tmp_path: Path) -> None:
    """A diagnostic produced by the real scoring (examples/ville-exemple) renders, and the PDF
    prints its own figures: score, level, the first cap, the tier target."""
    from report_fixtures import from_example

    from cyberdiag.report.frtypo import format_number

    diag = from_example(tmp_path)
    out = tmp_path / "rapport.pdf"
    write_report(diag, out, fmt="pdf", lang="fr")
    r = Rendered(out)
    summary = re.sub(r"\s+", " ", r.pages[1])
    level = next(lv for lv in diag.levels if lv.id == diag.overall.level)
    assert f"{diag.overall.level} — {level.name.fr}" in summary
    if diag.overall.score is not None:
        score = format_number(round(diag.overall.score), "fr").replace("\u202f", " ")
        assert f"{score} / 100" in summary
    if diag.overall.capped_by:
        # Known gaps named first, each cause once.
        first = sorted(diag.overall.capped_by, key=lambda c: c.cause != "gap")[0]
        assert re.search(rf"Plafonné par : [^:.]+ : {re.escape(first.label.fr)}", summary)
    target = next(lv for lv in diag.levels if lv.id == diag.overall.target_level)
    assert f"niveau {target.id} — {target.name.fr}" in summary
    assert diag.profile.name in r.pages[0]
    # The radar draws the tier target from the grid's thresholds.
    html = tmp_path / "r.html"
    write_report(diag, html, fmt="html", lang="fr")
    assert 'class="target"' in html.read_text(encoding="utf-8")


def test_first_page_says_what_caps_the_level_and_why(tmp_path: Path) -> None:
    """Mini grid (tests/core_fixtures.py) plus a critical MFA: the backup « non » (a known gap)
    and the MFA « je ne sais pas » (to confirm). a = 25, b = 0, overall 16.7: the score alone
    gives 0, and the first page still says what caps the level, each cap with its cause."""
    import copy

    from core_fixtures import CATALOGUE, GRID, NOW, T, answers, profile, questionnaire

    from cyberdiag.models import Grid
    from cyberdiag.scoring import score

    grid = copy.deepcopy(GRID)
    grid["critical"].append({"id": "crit-mfa", "label": T("pas de MFA"), "question": "b.mfa"})
    diag = score(
        grid=Grid.model_validate(grid),
        questionnaire=questionnaire(),
        profile=profile(it_provider="Info Nord"),
        answers=answers(a_backup="non", a_doc="oui", b_mfa="nsp"),
        checks=[],
        catalogue=CATALOGUE,
        tool_version="t",
        created_at=NOW,
    )
    for lang, line, capped in [
        (
            "fr",
            "Niveau 0 — niveau 0 (fr) : 1 mesure critique manque, 1 est à confirmer auprès du "
            "prestataire.",
            "Plafonné par : Écart constaté : pas de sauvegarde (fr). À confirmer auprès du "
            "prestataire : pas de MFA (fr).",
        ),
        (
            "en",
            "Level 0 — niveau 0 (en): 1 critical measure missing, 1 to be confirmed with the "
            "provider.",
            "Capped by: Known gap: pas de sauvegarde (en). To be confirmed with the provider: "
            "pas de MFA (en).",
        ),
    ]:
        out = tmp_path / f"rapport-{lang}.pdf"
        write_report(diag, out, fmt="pdf", lang=lang)  # type: ignore[arg-type]
        summary = re.sub(r"\s+", " ", Rendered(out).pages[1])
        assert line in summary and capped in summary


def test_raw_evidence_only_in_the_html_version(tmp_path: Path) -> None:
    """The PDF's annex gives the key facts; the HTML version adds each check's raw evidence,
    cut with a visible marker when huge."""
    html_out = tmp_path / "rapport.html"
    write_report(extreme(), html_out, fmt="html", lang="fr")
    html = unescape(html_out.read_text(encoding="utf-8"))
    assert "<details>" in html and "Éléments bruts" in html
    assert "caractères de plus]" in html and "A" * 2000 in html and "A" * 30000 not in html
