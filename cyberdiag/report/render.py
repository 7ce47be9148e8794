"""ReportView -> HTML with Jinja2 (templates in report_templates/).

Autoescape is on and undefined names are errors. The environment's `finalize` applies French
typography to every text printed with {{ }} (plain str only: our Markup — the radar SVG and the
inlined CSS — is left alone, and autoescape still applies after it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from cyberdiag.i18n import Lang
from cyberdiag.report.frtypo import format_number, typo
from cyberdiag.report.labels import templates_dir
from cyberdiag.report.view import ReportView

TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"


def stylesheet_path() -> Path:
    return templates_dir() / STYLESHEET


def _environment(lang: Lang) -> Environment:
    def finalize(value: Any) -> Any:
        # French typography on every text printed with {{ }}; Markup (our SVG, the CSS) is
        # left alone. Returns plain str, so autoescape still applies after it.
        if isinstance(value, str) and not isinstance(value, Markup):
            return typo(value, lang)
        return value

    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def t(fr: str, en: str) -> str:
        return en if lang == "en" else fr

    env.globals["t"] = t
    env.filters["num"] = lambda v, d=0: format_number(v, lang, d)
    return env


def render_html(view: ReportView, *, inline_css: bool) -> str:
    """The report as an HTML document; with `inline_css` the stylesheet is embedded (screen).

    The CSS is our own file, marked safe in Python (never user data, never through autoescape).
    """
    css = Markup(stylesheet_path().read_text(encoding="utf-8")) if inline_css else None
    template = _environment(view.lang).get_template(TEMPLATE)
    return template.render(v=view, css=css)
