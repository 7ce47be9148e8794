"""HTML (Jinja2, autoescape) and PDF rendering for the workshop documents.

Templates and stylesheets live in report_templates/workshop/. The PDF goes through the report's
`html_to_pdf` (WeasyPrint behind a URL fetcher that serves only report_templates/).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cyberdiag.errors import UserError
from cyberdiag.fileio import write_private
from cyberdiag.report.pdf import html_to_pdf
from cyberdiag.report.templating import environment
from cyberdiag.resources import data_dir


def templates_dir() -> Path:
    return data_dir("report_templates") / "workshop"


def stylesheet(name: str) -> Path:
    return templates_dir() / name


def render(template: str, css: str | None = None, **context: Any) -> str:
    """Render a template; with `css` (a file name), the stylesheet is inlined (HTML output)."""
    from markupsafe import Markup

    inline = ""
    if css is not None:
        # Our own stylesheet, read from disk: marked safe so autoescape leaves the CSS intact.
        inline = stylesheet(css).read_text(encoding="utf-8")
    return environment("workshop").get_template(template).render(css=Markup(inline), **context)


def _cannot_write(out: Path, exc: OSError) -> UserError:
    return UserError(
        f"Impossible d'écrire {out} ({exc.strerror or exc}).",
        f"Cannot write {out} ({exc.strerror or exc}).",
    )


def write_html(html: str, out: Path) -> None:
    try:
        write_private(out, html)
    except OSError as exc:
        raise _cannot_write(out, exc) from None


def write_pdf(html: str, out: Path, css: str) -> None:
    """Render `html` with the stylesheet `css` (file name in report_templates/workshop/)."""
    try:
        html_to_pdf(html, out, stylesheets=[stylesheet(css)])
    except OSError as exc:
        raise _cannot_write(out, exc) from None

