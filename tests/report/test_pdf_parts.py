"""The report's PDF rendered on two cores (report/pdf_parts.py) is the PDF rendered in one.

Each report is rendered for real both ways (WeasyPrint, a real helper process) and read back
with pdftotext and pypdf: the same pages with the same text, page numbers counted across the
parts, the contents' numbers and links pointing at the sections, the same bookmarks, metadata
and language. Also: a helper that dies or is not there means the same PDF from one process, and
no helper process outlives the report.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from report_fixtures import complete, extreme, sparse

from cyberdiag.models import Diagnostic
from cyberdiag.report import build_view, pdf_parts, render_html, stylesheet_path, write_report
from cyberdiag.report.pdf import html_to_pdf, render_document

pytestmark = [
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing"),
    # Forced below even on one core, where the report itself renders in one process.
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the helpers run on Linux"),
]


@contextmanager
def _started() -> Iterator[pdf_parts.Helpers]:
    helpers = pdf_parts.Helpers([stylesheet_path()])
    try:
        yield helpers
    finally:
        helpers.stop()


def _html(diag: Diagnostic, lang: str = "fr") -> str:
    return render_html(build_view(diag, lang, None), inline_css=False)  # type: ignore[arg-type]


def _one_process(html: str) -> bytes:
    data = render_document(html, [stylesheet_path()]).write_pdf()
    assert isinstance(data, bytes)
    return data


def _two_processes(html: str) -> bytes:
    with _started() as helpers:
        data = pdf_parts.render(html, [stylesheet_path()], helpers)
        assert data is not None, "the two-process rendering fell back"
        return data


def _page_texts(data: bytes, tmp: Path) -> list[str]:
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "doc.pdf"
    path.write_bytes(data)
    pages = len(PdfReader(path).pages)
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for i in range(1, pages + 1)
    ]


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    found: list[tuple[int, str, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def _cover_links(reader: PdfReader) -> list[tuple[tuple[int, ...], int]]:
    """The cover's links: (rectangle rounded to points, target page index), sorted."""
    links = []
    for ref in reader.pages[0].get("/Annots") or []:
        annot = ref.get_object()
        if annot.get("/Subtype") != "/Link":
            continue
        dest = annot.get("/Dest")
        if dest is None and "/A" in annot:
            dest = annot["/A"].get("/D")
        if isinstance(dest, str):  # a named destination (WeasyPrint's own links)
            page = reader.get_destination_page_number(reader.named_destinations[dest])
        else:
            page = reader.get_page_number(dest[0].get_object())
        x1, y1, x2, y2 = (round(float(v)) for v in annot["/Rect"])
        links.append(((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)), page))
    return sorted(links)


@pytest.mark.parametrize(
    ("factory", "lang"),
    [(complete, "fr"), (complete, "en"), (sparse, "fr"), (extreme, "fr")],
    ids=["complete-fr", "complete-en", "sparse-fr", "extreme-fr"],
)
def test_two_processes_give_the_same_pdf(factory: Any, lang: str, tmp_path: Path) -> None:
    html = _html(factory(), lang)
    one, two = _one_process(html), _two_processes(html)
    one_texts = _page_texts(one, tmp_path / "one")
    two_texts = _page_texts(two, tmp_path / "two")
    assert len(one_texts) == len(two_texts) >= 4
    for number, (a, b) in enumerate(zip(one_texts, two_texts, strict=True), start=1):
        assert a == b, f"page {number} differs"
    one_pdf, two_pdf = (
        PdfReader(tmp_path / "one" / "doc.pdf"),
        PdfReader(tmp_path / "two" / "doc.pdf"),
    )
    assert _outline(two_pdf) == _outline(one_pdf)
    assert len(_outline(two_pdf)) >= 6
    assert _cover_links(two_pdf) == _cover_links(one_pdf)
    assert _cover_links(two_pdf)
    assert two_pdf.metadata == one_pdf.metadata
    assert two_pdf.root_object.get("/Lang") == one_pdf.root_object.get("/Lang") == lang
    if factory is complete and lang == "fr":  # and the same pixels (once: it takes a while)
        assert _pixels(tmp_path / "one" / "doc.pdf") == _pixels(tmp_path / "two" / "doc.pdf")


def _pixels(pdf: Path) -> list[bytes]:
    """Every page as a 40 dpi PNG (pdftoppm)."""
    out = pdf.parent / "px"
    out.mkdir()
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(out / "p")], check=True)
    return [png.read_bytes() for png in sorted(out.glob("p-*.png"))]


@pytest.fixture(scope="module")
def parts_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], PdfReader]:
    tmp = tmp_path_factory.mktemp("parts")
    data = _two_processes(_html(complete()))
    return _page_texts(data, tmp), PdfReader(tmp / "doc.pdf")


def test_every_page_is_numbered_across_the_parts(parts_pdf: tuple[list[str], PdfReader]) -> None:
    texts, _ = parts_pdf
    total = len(texts)
    for number, text in enumerate(texts[1:], start=2):  # the cover has no footer
        assert re.search(rf"\b{number} / {total}\b", text), (
            f"page {number}: no « {number} / {total} »"
        )
    assert not re.search(r"\b\d+ / \d+\b", texts[0])


def test_the_contents_give_the_page_each_section_starts_on(
    parts_pdf: tuple[list[str], PdfReader],
) -> None:
    texts, reader = parts_pdf
    contents = re.findall(r"^\s*(\d)\.\s+(.+?)\s+(\d+)\s*$", texts[0], flags=re.MULTILINE)
    assert len(contents) == 6
    links = {page for _, page in _cover_links(reader)}
    for _, title, page in contents:
        heading = texts[int(page) - 1]
        assert title in heading, f"« {title} » is not on page {page}"
        if int(page) > 2:  # the section starts there: the page before is still the previous one
            assert title not in texts[int(page) - 2], f"« {title} » already on page {int(page) - 1}"
        assert int(page) - 1 in links, f"no link from the contents to page {page}"


def test_helpers_that_die_mean_the_same_pdf_from_one_process(tmp_path: Path) -> None:
    html = _html(sparse())
    with _started() as helpers:
        os.killpg(helpers.process.pid, signal.SIGKILL)
        helpers.process.wait()
        assert pdf_parts.render(html, [stylesheet_path()], helpers) is None
        html_to_pdf(html, tmp_path / "r.pdf", stylesheets=[stylesheet_path()], helpers=helpers)
    assert _page_texts((tmp_path / "r.pdf").read_bytes(), tmp_path / "a") == _page_texts(
        _one_process(html), tmp_path / "b"
    )


def test_one_core_means_no_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    with pdf_parts.helpers() as helpers:
        assert helpers is None


def test_no_helper_outlives_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[pdf_parts.Helpers] = []
    original = pdf_parts.Helpers.__init__

    def record(self: pdf_parts.Helpers, stylesheets: list[Path]) -> None:
        original(self, stylesheets)
        started.append(self)

    monkeypatch.setattr(pdf_parts.Helpers, "__init__", record)
    monkeypatch.setattr(pdf_parts, "_possible", lambda: True)
    write_report(sparse(), tmp_path / "r.pdf")
    assert len(started) == 1
    assert started[0].process.poll() is not None
    with pytest.raises(ProcessLookupError):  # nor the helper's fork: the group is empty
        os.killpg(started[0].process.pid, 0)


def test_data_cannot_add_a_part_mark(tmp_path: Path) -> None:
    diag = sparse()
    forged = f"Commune {pdf_parts.MARK} du Nord"
    diag = diag.model_copy(update={"profile": diag.profile.model_copy(update={"name": forged})})
    html = _html(diag)
    assert html.count(pdf_parts.MARK) == 4
    assert pdf_parts.split(html) is not None
    texts = _page_texts(_two_processes(html), tmp_path)
    assert "Commune <!--cyberdiag:part--> du Nord" in texts[0]


def test_the_helper_imports_nothing_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ran"
    for name in ("weasyprint", "pypdf", "cyberdiag"):
        (tmp_path / f"{name}.py").write_text(f"open({str(marker)!r}, 'w').write({name!r})\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    assert _two_processes(_html(sparse()))
    assert not marker.exists()
