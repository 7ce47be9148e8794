"""The awareness report: one municipality's diagnostic as PDF (WeasyPrint) or HTML (screen).

    from cyberdiag.report import write_report
    write_report(diagnostic, Path("rapport.pdf"), fmt="pdf", lang="fr", medians=None)

Layers: build.build_view (Diagnostic -> view.ReportView) -> render.render_html (Jinja2, autoescape)
-> pdf.html_to_pdf (WeasyPrint behind a URL fetcher that fetches nothing outside
report_templates/; the report's PDF laid out on two cores by pdf_parts.py's helper processes when
it can be). `templating.environment` is the one Jinja environment of cyberdiag, and
`html_to_pdf` the one way to a PDF: the workshop and territorial documents use both.
"""

from __future__ import annotations

import contextlib
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from cyberdiag.i18n import Lang
from cyberdiag.report import pdf_parts

if TYPE_CHECKING:
    from cyberdiag.models import Diagnostic
    from cyberdiag.report.build import build_view
    from cyberdiag.report.pdf import FetchRefused, html_to_pdf, safe_url_fetcher
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

# Loaded on first use, so that the PDF worker (report/pdf_worker.py), which imports only
# report/pdf.py, does not load the models and Jinja2.
_LAZY = {
    "FetchRefused": "cyberdiag.report.pdf",
    "html_to_pdf": "cyberdiag.report.pdf",
    "safe_url_fetcher": "cyberdiag.report.pdf",
    "build_view": "cyberdiag.report.build",
    "render_html": "cyberdiag.report.render",
    "stylesheet_path": "cyberdiag.report.render",
    "ReportView": "cyberdiag.report.view",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def report_html(
    diag: Diagnostic, lang: Lang = "fr", medians: dict[str, float] | None = None
) -> str:
    """The self-contained HTML report (stylesheet inlined), for a screen or a projector."""
    from cyberdiag.report.build import build_view
    from cyberdiag.report.render import render_html

    return render_html(build_view(diag, lang, medians), inline_css=True)


def write_report(
    diag: Diagnostic,
    out: Path,
    *,
    fmt: Format = "pdf",
    lang: Lang = "fr",
    medians: dict[str, float] | None = None,
    helpers: pdf_parts.Helpers | None = None,
) -> None:
    """Render the report of `diag` to `out` (PDF, HTML, or the action plan as CSV), written
    with mode 0600. A PDF is rendered on two cores when it can be: by `helpers` when given
    (started early by the caller), else by helper processes started here (report/pdf_parts.py).
    """
    from cyberdiag.fileio import write_private
    from cyberdiag.report.build import build_view
    from cyberdiag.report.pdf import html_to_pdf
    from cyberdiag.report.plan_csv import plan_csv
    from cyberdiag.report.render import render_html, stylesheet_path

    if fmt == "csv":
        write_private(out, plan_csv(diag, lang))
        return
    if fmt == "html":
        write_private(out, render_html(build_view(diag, lang, medians), inline_css=True))
        return
    # The helpers start first: they import WeasyPrint while this process builds the report.
    with contextlib.nullcontext(helpers) if helpers else pdf_parts.helpers() as started:
        html = render_html(build_view(diag, lang, medians), inline_css=False)
        html_to_pdf(html, out, stylesheets=[stylesheet_path()], helpers=started)
