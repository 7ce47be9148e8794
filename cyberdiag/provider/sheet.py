"""The sheet for the IT provider (PDF and HTML) and its answers file, written side by side.

The sheet says, for each answer « le prestataire s'en charge » or « je ne sais pas » that the
provider can answer, what to confirm in technical words and which evidence to give, and how to
answer (the YAML file by hand, or `cyberdiag questionnaire --provider`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from markupsafe import Markup

from cyberdiag.errors import UserError
from cyberdiag.fileio import ensure_folder, write_private
from cyberdiag.i18n import Lang
from cyberdiag.loading.provider import provider_options, read_provider_file
from cyberdiag.models import Question
from cyberdiag.provider.answers_file import (
    new_provider_file,
    provider_file_name,
    save_provider_file,
)
from cyberdiag.provider.items import Commune, items_to_confirm
from cyberdiag.report.frtypo import format_date
from cyberdiag.report.pdf import html_to_pdf
from cyberdiag.report.templating import environment, templates_dir

TEMPLATE = "sheet.html.j2"
STYLESHEET = "sheet.css"


@dataclass(frozen=True)
class SheetItem:
    number: int
    question_id: str
    domain: str
    question: str
    # What to confirm, in technical words (the question's provider_note; "" when the question
    # itself says it).
    confirm: str
    expected: str
    commune_answer: str
    options: list[tuple[str, str]]
    critical: bool
    references: list[str]


@dataclass(frozen=True)
class SheetView:
    lang: Lang
    municipality: str
    insee: str
    provider: str
    date: str
    questionnaire: str
    yaml_name: str
    items: list[SheetItem]


@dataclass(frozen=True)
class SheetFiles:
    pdf: Path
    html: Path
    yaml: Path
    items: int


def _references(q: Question) -> list[str]:
    refs = q.references
    pairs = (("ANSSI", refs.anssi), ("CIS", refs.cis), ("NIS2", refs.nis2), ("CSF", refs.csf))
    return [f"{name} {v}" for name, values in pairs for v in values]


def _item(n: int, q: Question, commune: Commune, lang: Lang) -> SheetItem:
    answer = commune.answers.answers[q.id]
    option = next(o for o in q.options if o.id == answer.option)
    domain = commune.domain_names.get(q.domain)
    return SheetItem(
        number=n,
        question_id=q.id,
        domain=domain.get(lang) if domain else q.domain,
        question=q.text.get(lang),
        confirm=q.provider_note.get(lang) if q.provider_note else "",
        expected=q.recommendation.action.get(lang),
        commune_answer=option.label.get(lang),
        options=[(o.id, o.label.get(lang)) for o in provider_options(q)],
        critical=q.critical,
        references=_references(q),
    )


def sheet_view(commune: Commune, questions: list[Question], lang: Lang, today: date) -> SheetView:
    """What the sheet shows, in `lang`."""
    profile = commune.profile
    return SheetView(
        lang=lang,
        municipality=profile.name,
        insee=profile.insee,
        provider=profile.it_provider or "",
        date=format_date(today, lang),
        questionnaire=f"{commune.questionnaire.id} {commune.questionnaire.version}",
        yaml_name=provider_file_name(profile.insee),
        items=[_item(i, q, commune, lang) for i, q in enumerate(questions, start=1)],
    )


def render_sheet(view: SheetView, *, inline_css: bool) -> str:
    """The sheet as HTML; with `inline_css` the stylesheet is embedded (screen)."""
    css_path = templates_dir() / "provider" / STYLESHEET
    css = Markup(css_path.read_text(encoding="utf-8")) if inline_css else None
    template = environment("provider", view.lang).get_template(TEMPLATE)
    return template.render(v=view, css=css)


def _refuse_overwriting_answers(path: Path) -> None:
    """An answers file the provider has started to fill is not overwritten (without --force)."""
    if not path.exists():
        return
    try:
        answered = any(item.option for item in read_provider_file(path)[0].items)
    except UserError:
        answered = True  # unreadable: keep it, the user decides
    if answered:
        raise UserError(
            f"{path} existe déjà et contient des réponses du prestataire : reprenez-le avec "
            f"cyberdiag provider merge {path}, ou ajoutez --force pour le remplacer.",
            f"{path} already exists and holds the provider's answers: merge it with cyberdiag "
            f"provider merge {path}, or add --force to replace it.",
        )


def write_sheet(
    commune: Commune,
    folder: Path,
    lang: Lang,
    *,
    force: bool = False,
    today: date | None = None,
) -> SheetFiles | None:
    """Write prestataire-<insee>.pdf, .html and .yaml (0600) in `folder`; None when no answer
    is waiting for the provider."""
    questions = items_to_confirm(commune.questions, commune.answers)
    if not questions:
        return None
    ensure_folder(folder)
    insee = commune.profile.insee
    files = SheetFiles(
        pdf=folder / f"prestataire-{insee}.pdf",
        html=folder / f"prestataire-{insee}.html",
        yaml=folder / provider_file_name(insee),
        items=len(questions),
    )
    if not force:
        _refuse_overwriting_answers(files.yaml)
    view = sheet_view(commune, questions, lang, today or date.today())
    save_provider_file(files.yaml, new_provider_file(commune, questions, lang))
    write_private(files.html, render_sheet(view, inline_css=True))
    html_to_pdf(
        render_sheet(view, inline_css=False),
        files.pdf,
        stylesheets=[templates_dir() / "provider" / STYLESHEET],
    )
    return files
