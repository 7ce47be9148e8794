"""The awareness report: one municipality's diagnostic as PDF (WeasyPrint) or HTML (screen).

    from cyberdiag.report import write_report
    write_report(diagnostic, Path("rapport.pdf"), fmt="pdf", lang="fr", medians=None)

Layers: build.build_view (Diagnostic -> view.ReportView) -> render.render_html (Jinja2, autoescape)
-> pdf.html_to_pdf (WeasyPrint behind a URL fetcher that fetches nothing outside
report_templates/). `templating.environment` is the one Jinja environment of cyberdiag, and
`html_to_pdf` the one way to a PDF: the workshop and territorial documents use both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from cyberdiag.fileio import write_private
from cyberdiag.i18n import Lang
from cyberdiag.models import Diagnostic
from cyberdiag.report.build import build_view
from cyberdiag.report.pdf import FetchRefused, html_to_pdf, safe_url_fetcher
from cyberdiag.report.plan_csv import plan_csv
from cyberdiag.report.render import render_html, stylesheet_path
from cyberdiag.report.view import ReportView

Format = Literal["pdf", "html", "csv"]

__all__ = [
    "FetchRefused",
    "ReportView",
    "build_view",
    "html_to_pdf",
    "render_html",
    "report_html",
    "safe_url_fetcher",
    "stylesheet_path",
    "write_report",
]


def report_html(
    diag: Diagnostic, lang: Lang = "fr", medians: dict[str, float] | None = None
) -> str:
    """The self-contained HTML report (stylesheet inlined), for a screen or a projector."""
    return render_html(build_view(diag, lang, medians), inline_css=True)


def write_report(
    diag: Diagnostic,
    out: Path,
    *,
    fmt: Format = "pdf",
    lang: Lang = "fr",
    medians: dict[str, float] | None = None,
) -> None:
    """Render the report of `diag` to `out` (PDF, HTML, or the action plan as CSV), written
    with mode 0600."""
    if fmt == "csv":
        write_private(out, plan_csv(diag, lang))
        return
    view = build_view(diag, lang, medians)
    if fmt == "html":
        write_private(out, render_html(view, inline_css=True))
        return
    html_to_pdf(render_html(view, inline_css=False), out, stylesheets=[stylesheet_path()])
