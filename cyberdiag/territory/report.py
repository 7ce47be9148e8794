"""The territorial report: a TerritoryView -> HTML (jinja2, autoescaped) -> PDF (WeasyPrint).

An .html report is the dashboard: one self-contained file (territory.css, dashboard.css and
dashboard.js inline, a content security policy forbidding any load) with sortable, filterable
tables, usable offline from a USB stick.

Templates and the stylesheet live in report_templates/territory/. The PDF goes through the
report's html_to_pdf (URL fetcher refusing everything outside report_templates/); the HTML file
embeds its stylesheet so it can be opened, edited and mailed on its own. In an anonymised report
every count of municipalities from 1 to MIN_GROUP − 1 is written « < 5 » (count_text).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cyberdiag.errors import UserError
from cyberdiag.fileio import write_private
from cyberdiag.i18n import Lang, one_or_many
from cyberdiag.models import Text
from cyberdiag.report.frtypo import format_number, typo
from cyberdiag.report.pdf import html_to_pdf
from cyberdiag.report.templating import environment
from cyberdiag.resources import data_dir
from cyberdiag.territory.aggregate import TerritoryView
from cyberdiag.territory.pooling import Proposal


def templates_dir() -> Path:
    """report_templates/territory: the report's templates, stylesheet and pooling.yaml."""
    return data_dir("report_templates") / "territory"


def count_text(n: int, lang: Lang, *, named: bool, min_group: int) -> str:
    """A count of municipalities as the report writes it: exact in a named report, and in an
    anonymised one « < 5 » from 1 to min_group − 1 (0 and larger counts stay exact)."""
    if named or n == 0 or n >= min_group:
        return format_number(n, lang, 0)
    return f"<\u00a0{min_group}"


def proposal_sentence(
    p: Proposal, level0: str, lang: Lang, k: Callable[[int], str] | None = None
) -> str:
    """The pooling proposal in one sentence, with the honest estimate of levels gained; `k`
    writes the counts (count_text in an anonymised report)."""
    k = k or str

    def _plural(n: int, one: str, many: str) -> str:  # « < 5 communes »: plural when masked
        return many if k(n).startswith("<") else one_or_many(n, one, many)

    if lang == "en":
        head = (
            f"“{p.top_title.en}”: a gap in {k(p.top_count)} "
            f"{_plural(p.top_count, 'municipality', 'municipalities')}"
        )
        if p.count > p.top_count:
            head += f" ({k(p.count)} with at least one gap this service answers)"
        if p.lifted_from_zero:
            tail = f"“{p.name.en}” would lift {k(p.lifted_from_zero)} of them above “{level0}”"
            if p.lifted > p.lifted_from_zero:
                tail += f" ({k(p.lifted)} would gain at least one overall level)"
        elif p.lifted:
            tail = f"“{p.name.en}” would raise {k(p.lifted)} of them by at least one overall level"
        else:
            tail = (
                f"“{p.name.en}” alone would not change any overall level (other critical items "
                "remain)"
            )
        return f"{head}. {tail}."
    head = (
        f"« {p.top_title.fr} » : écart dans {k(p.top_count)} "
        f"{_plural(p.top_count, 'commune', 'communes')}"
    )
    if p.count > p.top_count:
        head += f" ({k(p.count)} ont au moins un écart que ce service traiterait)"
    name = f"« {p.name.fr} »"
    if p.lifted_from_zero:
        tail = f"{name} en ferait passer {k(p.lifted_from_zero)} au-dessus de « {level0} »"
        if p.lifted > p.lifted_from_zero:
            tail += f" ({k(p.lifted)} gagneraient au moins un niveau global)"
    elif p.lifted:
        tail = (
            f"{name} ferait gagner au moins un niveau global à {k(p.lifted)} "
            f"{_plural(p.lifted, 'commune', 'communes')}"
        )
    else:
        tail = f"{name} ne changerait seul aucun niveau global (d'autres points critiques restent)"
    return typo(f"{head}. {tail}.", "fr")


def render_html(
    view: TerritoryView, lang: Lang, *, embed_css: bool, interactive: bool = False
) -> str:
    """The report as HTML; `interactive`: the self-contained dashboard (filters, sortable
    tables: inline dashboard.css and dashboard.js, nothing loaded from outside)."""
    from markupsafe import Markup

    def t(fr: str, en: str) -> str:
        return typo(en if lang == "en" else fr, lang)

    def L(text: Text | None) -> str:  # noqa: N802 - short name used in templates
        return "" if text is None else typo(text.get(lang), lang)

    def num(value: float | None, decimals: int = 0) -> str:
        return "–" if value is None else format_number(value, lang, decimals)

    def pct(value: float | None) -> str:
        return "–" if value is None else format_number(100 * value, lang, 0) + "\u00a0%"

    levels = {lv.id: lv for lv in view.levels}
    level0 = levels[0].name.get(lang) if 0 in levels else "0"

    def level_name(i: int) -> str:
        return levels[i].name.get(lang) if i in levels else str(i)

    def k(n: int) -> str:
        return count_text(n, lang, named=view.named, min_group=view.min_group)

    def nc(n: int) -> str:  # « 12 communes », « 1 commune » (named), « < 5 communes »
        one, many = ("municipality", "municipalities") if lang == "en" else ("commune", "communes")
        shown = k(n)
        return f"{shown}\u00a0{many if shown.startswith('<') else one_or_many(n, one, many)}"

    def share(count: int, base: int) -> str:
        """count / base as a percentage; « – » when it would give away a count under
        min_group in an anonymised report."""
        if not base or (not view.named and 0 < count < view.min_group):
            return "–"
        return pct(count / base)

    css = (templates_dir() / "territory.css").read_text(encoding="utf-8") if embed_css else ""
    js = ""
    if interactive:
        css += (templates_dir() / "dashboard.css").read_text(encoding="utf-8")
        js = (templates_dir() / "dashboard.js").read_text(encoding="utf-8")
    ctx: dict[str, Any] = {
        "v": view,
        "lang": lang,
        "t": t,
        "L": L,
        "num": num,
        "pct": pct,
        "level_name": level_name,
        "level_ids": sorted(levels) or [0, 1, 2, 3, 4],
        "proposal_sentence": lambda p: proposal_sentence(p, level0, lang, k),
        "k": k,
        "nc": nc,
        "css": Markup(css),  # our own stylesheet file, never user data
        "share": share,
        "interactive": interactive,
        "js": Markup(js),  # our own script file, never user data
        "gap_limit": 20,
    }
    return environment("territory").get_template("report.html.j2").render(ctx)


def write_report(view: TerritoryView, out: Path, lang: Lang) -> None:
    """Write the report to `out`: .html (self-contained) or .pdf. Mode 0600."""
    suffix = out.suffix.lower()
    if suffix in (".html", ".htm"):
        write_private(out, render_html(view, lang, embed_css=True, interactive=True))
    elif suffix == ".pdf":
        html = render_html(view, lang, embed_css=False)
        html_to_pdf(html, out, stylesheets=[templates_dir() / "territory.css"])
    else:
        raise UserError(
            f"Format de sortie inconnu « {out.suffix} » : utiliser .pdf ou .html.",
            f"Unknown output format '{out.suffix}': use .pdf or .html.",
        )
