"""ReportView -> HTML, the awareness report's document.

Rendered with the one Jinja environment (report/templating.py: autoescape on, undefined names
are errors, French typography on every printed text).
"""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from cyberdiag.report.templating import environment
from cyberdiag.report.view import ReportView
from cyberdiag.resources import report_stylesheet

TEMPLATE = "report.html.j2"


def stylesheet_path() -> Path:
    """The report's stylesheet (report_templates/report.css)."""
    return report_stylesheet()


def render_html(view: ReportView, *, inline_css: bool) -> str:
    """The report as an HTML document; with `inline_css` the stylesheet is embedded (screen).

    The CSS is our own file, marked safe in Python (never user data, never through autoescape).
    """
    css = Markup(stylesheet_path().read_text(encoding="utf-8")) if inline_css else None
    template = environment("", view.lang).get_template(TEMPLATE)
    # `screen`: the HTML version also carries the raw evidence of every check (the PDF does not).
    return template.render(v=view, css=css, screen=inline_css)
