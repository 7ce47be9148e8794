"""HTML -> PDF with WeasyPrint (imported lazily), behind a URL fetcher that fetches nothing.

`safe_url_fetcher` is the policy: only `file:` URLs naming an existing file inside
report_templates/ are served; every other URL (http, https, ftp, data, file elsewhere, a symlink
escaping the folder) is refused, so a comment or a DNS record that slipped into the document can
neither trigger a request nor read a file. `html_to_pdf` is the one entry point, also used by the
territorial report; `render_document` lays a document out (in this process, or in a helper of
report/pdf_parts.py, with its margins numbered within the whole PDF).
"""

from __future__ import annotations

import contextlib
import ctypes.util
import gc
import io
import mimetypes
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from cyberdiag.errors import UserError
from cyberdiag.fileio import write_private
from cyberdiag.report import pdf_parts
from cyberdiag.resources import templates_dir


class FetchRefused(ValueError):
    """The report renderer refused to fetch a URL (outside report_templates/)."""


def allowed_path(url: str) -> Path | None:
    """The file inside report_templates/ that `url` names, or None if it names anything else."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    if parts.query or "\x00" in url:
        return None
    root = templates_dir()
    try:
        path = Path(unquote(parts.path)).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def safe_url_fetcher(url: str) -> dict[str, Any]:
    """Fetch `url` only if it is a file inside report_templates/; raise FetchRefused otherwise.

    Returns {"string": bytes, "mime_type": str, "redirected_url": url}.
    """
    path = allowed_path(url)
    if path is None:
        raise FetchRefused(f"refused: {url[:200]}")
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return {"string": path.read_bytes(), "mime_type": mime, "redirected_url": path.as_uri()}


def make_url_fetcher() -> Any:
    """A WeasyPrint URLFetcher applying `safe_url_fetcher` (imports WeasyPrint)."""
    _import_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # lazy: see _import_weasyprint

    class SafeURLFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            res = safe_url_fetcher(url)
            return URLFetcherResponse(
                res["redirected_url"], res["string"], {"Content-Type": res["mime_type"]}
            )

    return SafeURLFetcher(timeout=1, allowed_protocols=("file",), allow_redirects=False)


@contextmanager
def _direct_library_names() -> Iterator[None]:
    """While WeasyPrint loads Pango & co, skip ctypes.util.find_library.

    WeasyPrint tries several names per library; cffi sends each name without a direct match to
    find_library, which spawns ldconfig/gcc/ld subprocesses (≈ 0.2 s per report). Every list
    also holds the real soname (libpango-1.0.so.0...), which dlopen finds directly. If that
    fails on some system, the import is retried the normal way.
    """
    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = original


def _import_weasyprint() -> Any:
    """WeasyPrint, imported on first use (lazy: with Pango it takes about half a second, and
    only a PDF needs it); UserError when it or Pango is missing."""
    if "weasyprint" not in sys.modules:
        try:
            with _direct_library_names(), contextlib.redirect_stdout(io.StringIO()):
                import weasyprint  # noqa: F401
        except (ImportError, OSError):
            pass  # retried below with the normal library lookup (and its error message)
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise UserError(
            "WeasyPrint n'est pas utilisable pour produire le PDF "
            f"({exc}). Installer Pango (libpango-1.0-0 libpangoft2-1.0-0) ou utiliser "
            "--format html.",
            f"WeasyPrint cannot be used to produce the PDF ({exc}). Install Pango "
            "(libpango-1.0-0 libpangoft2-1.0-0) or use --format html.",
        ) from exc
    return weasyprint


def html_to_pdf(
    html: str,
    out: Path,
    *,
    stylesheets: list[Path] | None = None,
    helpers: pdf_parts.Helpers | None = None,
) -> None:
    """Render `html` to the PDF file `out` (written with mode 0600, atomically).

    Relative URLs resolve inside report_templates/; `stylesheets` are read by us and handed to
    WeasyPrint directly (never inlined through Jinja, whose autoescape would break CSS). With
    `helpers` (report/pdf_parts.py), a document with part marks is rendered on two cores;
    otherwise, or if that fails, in this process: same pages, same numbers.
    """
    data = None
    if helpers is not None:
        data = pdf_parts.render(html, stylesheets or [], helpers)
    if data is None:
        data = render_document(html, stylesheets or []).write_pdf()
    write_private(out, data)


def render_document(
    html: str,
    stylesheets: list[Path],
    *,
    extra_css: str = "",
    numbering: Callable[[int], tuple[int, int]] | None = None,
) -> Rendered:
    """Lay out `html` with our fetcher and `stylesheets`: its pages, ready to be drawn.

    `extra_css` is CSS we write ourselves (never data). `numbering`, given this document's page
    count once the pages are laid out, returns (pages before this document, pages in the whole
    PDF): the page counters in the margins then count from there (see `_page_numbers`).
    """
    weasyprint = _import_weasyprint()
    fetcher = make_url_fetcher()
    base = templates_dir().as_uri() + "/"
    css = [stylesheet(p) for p in stylesheets]
    if extra_css:
        css.append(weasyprint.CSS(string=extra_css, base_url=base, url_fetcher=fetcher))
    document = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher)
    with _collector_paused(), _page_numbers(numbering):
        return Rendered(document.render(stylesheets=css))


# Parsed stylesheets, by file and version of the file: a process that renders several documents
# (the helper that lays out a part of the report, then its cover) parses the report's once.
_parsed: dict[tuple[str, int, int], Any] = {}


def stylesheet(path: Path) -> Any:
    """The stylesheet at `path` parsed by WeasyPrint (~0.08 s for the report's), once per
    process and version of the file. It resolves its relative URLs from its own folder, still
    through our fetcher."""
    weasyprint = _import_weasyprint()
    resolved = path.resolve()
    st = resolved.stat()
    key = (str(resolved), st.st_mtime_ns, st.st_size)
    if key not in _parsed:
        _parsed[key] = weasyprint.CSS(
            string=resolved.read_text(encoding="utf-8"),
            base_url=resolved.parent.as_uri() + "/",
            url_fetcher=make_url_fetcher(),
        )
    return _parsed[key]


class Rendered:
    """A laid-out WeasyPrint Document (`pages`: its pages, with their anchors and links), whose
    `write_pdf` also runs with the cyclic collector paused."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.pages = document.pages

    def write_pdf(self) -> bytes:
        with _collector_paused():
            return bytes(self.document.write_pdf())


@contextmanager
def _collector_paused() -> Iterator[None]:
    """WeasyPrint allocates millions of small objects and frees them by reference counting; the
    cyclic collector scanning them again and again costs ~20 % of the rendering. Measured:
    peak memory 136 -> 139 MB for a 61-page report with it paused. Restored afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def can_number_pages() -> bool:
    """Whether this WeasyPrint lets `_page_numbers` renumber the margins (checked, not assumed:
    without it, a multi-part PDF is rendered in one process)."""
    layout = sys.modules.get("weasyprint.layout")
    return layout is not None and callable(getattr(layout, "make_margin_boxes", None))


@contextmanager
def _page_numbers(numbering: Callable[[int], tuple[int, int]] | None) -> Iterator[None]:
    """While laying out, shift `counter(page)` and set `counter(pages)` in the page margins.

    WeasyPrint builds the margin boxes once every page of the document is laid out, from each
    page's counter state; the first of those calls gives us the page count and asks `numbering`
    for the offset and the total, and each call then gets a copy of the state with those numbers.
    Only the margins are touched: the pages' content is laid out already and does not change.
    """
    if numbering is None:
        yield
        return
    layout: Any = sys.modules["weasyprint.layout"]
    original = layout.make_margin_boxes
    numbers: list[int] = []

    def make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
        counters = dict(state[1])
        if not numbers:
            numbers.extend(numbering(int(counters["pages"][-1])))
        before, total = numbers
        counters["page"] = [value + before for value in counters.get("page", [0])]
        counters["pages"] = [total]
        return original(context, page, (state[0], counters, *state[2:]))

    layout.make_margin_boxes = make_margin_boxes
    try:
        yield
    finally:
        layout.make_margin_boxes = original
