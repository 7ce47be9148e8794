"""HTML (Jinja2, autoescape) and PDF rendering for the workshop documents.

Templates and stylesheets live in report_templates/workshop/. The PDF goes through the report's
`html_to_pdf` (WeasyPrint behind a URL fetcher that serves only report_templates/); if that
module is not importable, WeasyPrint is called directly with a URL fetcher that refuses every
URL (the workshop documents need no external resource: CSS is handed over as a string).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from cyberdiag.errors import UserError
from cyberdiag.fileio import write_private
from cyberdiag.resources import data_dir


def templates_dir() -> Path:
    return data_dir("report_templates") / "workshop"


@cache
def _env() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def stylesheet(name: str) -> Path:
    return templates_dir() / name


def render(template: str, css: str | None = None, **context: Any) -> str:
    """Render a template; with `css` (a file name), the stylesheet is inlined (HTML output)."""
    from markupsafe import Markup

    inline = ""
    if css is not None:
        # Our own stylesheet, read from disk: marked safe so autoescape leaves the CSS intact.
        inline = stylesheet(css).read_text(encoding="utf-8")
    result: str = _env().get_template(template).render(css=Markup(inline), **context)
    return result


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
        try:
            from cyberdiag.report.pdf import html_to_pdf
        except ImportError:
            _pdf_direct(html, out, stylesheet(css))
            return
        html_to_pdf(html, out, stylesheets=[stylesheet(css)])
    except OSError as exc:
        raise _cannot_write(out, exc) from None


def _refuse_everything(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"cyberdiag: external resources are refused ({url[:100]})")


def _pdf_direct(html: str, out: Path, css_path: Path) -> None:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise UserError(
            f"WeasyPrint n'est pas utilisable pour produire le PDF ({exc}). Installer Pango "
            "(libpango-1.0-0 libpangoft2-1.0-0) ou demander le format HTML.",
            f"WeasyPrint cannot be used to produce the PDF ({exc}). Install Pango "
            "(libpango-1.0-0 libpangoft2-1.0-0) or ask for the HTML format.",
        ) from exc
    fetcher: Any = _refuse_everything
    urls = getattr(weasyprint, "urls", None)
    base = getattr(urls, "URLFetcher", None)
    if base is not None:

        class Refuse(base):  # type: ignore[misc,valid-type]
            def fetch(self, url: str, headers: Any = None) -> Any:
                return _refuse_everything(url)

        fetcher = Refuse()
    sheet = weasyprint.CSS(string=css_path.read_text(encoding="utf-8"), url_fetcher=fetcher)
    data = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[sheet])
    write_private(out, data)
