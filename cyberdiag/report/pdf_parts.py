"""The awareness report's PDF on two cores: the same pages and numbers, in less time.

WeasyPrint lays a document out on one core, and laying out and drawing the report's pages is
most of the `report` command's time. The report's template marks where its parts begin
(`MARK`, an HTML comment: data is escaped, so it cannot forge one): the cover, sections 1–3,
sections 4–6. Every part starts on a new page, so each can be laid out alone:

- a helper process (report/pdf_worker.py) starts before the document is even built, imports
  WeasyPrint meanwhile and forks a second one; one then lays out sections 1–3, the other
  sections 4–6, while this process waits;
- once both know their page count, this process tells each where its part starts and how many
  pages the whole PDF has, and they number their page margins from there
  (`pdf.render_document(numbering=...)`);
- the first helper then lays out the cover, whose contents give each section's page number;
- this process joins the three PDFs (pypdf), with the contents' links, the bookmarks and the
  metadata.

`helpers` starts no helper on one core, outside Linux or without pypdf, and `render` returns None
when the document has no part marks or a helper fails or is silent for `TIMEOUT`: the caller
then renders the document in one process.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from cyberdiag.resources import report_stylesheet

MARK = "<!--cyberdiag:part-->"
TIMEOUT = 300.0  # seconds without a word from a helper before giving up on it

# CSS pixels (WeasyPrint's unit) to PDF points.
_PT_PER_PX = 0.75
_ANCHOR = re.compile(r'href="#([A-Za-z][\w-]{0,60})"')

# Where a section starts in the whole PDF: page index (0 = the cover) and x, y in CSS pixels.
Place = tuple[int, float, float]
Link = tuple[str, tuple[float, float, float, float]]


class PartsFailed(Exception):
    """The two-process rendering could not finish; the document is rendered in one process."""


def split(html: str) -> tuple[str, str, str, str, str] | None:
    """(head, cover, front, back, tail): the document cut at its part marks, or None when it
    has not exactly three parts. `head + part + tail` is a whole HTML document."""
    pieces = html.split(MARK)
    if len(pieces) != 5:
        return None
    head, cover, front, back, tail = pieces
    return head, cover, front, back, tail


def _possible() -> bool:
    """Two cores for this process, Linux (the helper forks once WeasyPrint is loaded, which
    only Linux makes safe to rely on), and pypdf to join."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return (
        sys.platform.startswith("linux")
        and cores >= 2
        and importlib.util.find_spec("pypdf") is not None
    )


_BOOT = (
    "import json, os, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from cyberdiag.report.pdf_worker import main; os._exit(main())"
)


class Channel:
    """The two pipes to one helper: requests written here, replies read here."""

    def __init__(self, requests: IO[bytes], replies: IO[bytes]) -> None:
        self.requests = requests
        self.replies = replies
        self._sender: threading.Thread | None = None

    def send_soon(self, message: dict[str, Any]) -> None:
        """Send from a thread: the pipe holds less than a document, and the helper reads only
        once WeasyPrint is imported, while this process goes on."""
        self._sender = threading.Thread(target=self._send_quietly, args=(message,), daemon=True)
        self._sender.start()

    def _send_quietly(self, message: dict[str, Any]) -> None:
        try:
            send_json(self.requests, message)
        except (OSError, ValueError):
            pass  # the helper died, or was stopped: the next read says so

    def send(self, message: dict[str, Any]) -> None:
        if self._sender is not None:
            self._sender.join()
        send_json(self.requests, message)

    def close(self) -> None:
        for stream in (self.requests, self.replies):
            try:
                stream.close()
            except OSError:
                pass


class Helpers:
    """The helper process, and the second one it forks once WeasyPrint is imported (the fork
    shares that import: ~0.4 s of CPU): `front` lays out sections 1–3 and the cover, `back`
    sections 4–6. Both are in a session of their own, stopped together."""

    def __init__(self, stylesheets: list[Path]) -> None:
        back_requests_in, back_requests = os.pipe()
        back_replies, back_replies_out = os.pipe()
        # -I: neither the current folder nor PYTHON* variables decide what the helper imports
        # (a weasyprint.py where the report is written must not run); it gets this process's
        # own module path instead.
        path = json.dumps([entry for entry in sys.path if entry])
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-I",
                    "-c",
                    _BOOT,
                    path,
                    str(back_requests_in),
                    str(back_replies_out),
                    *(str(p) for p in stylesheets),  # parsed before the fork, for both
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                pass_fds=(back_requests_in, back_replies_out),
                start_new_session=True,
            )
        except OSError:
            os.close(back_requests)
            os.close(back_replies)
            raise
        finally:
            os.close(back_requests_in)
            os.close(back_replies_out)
        assert self.process.stdin is not None and self.process.stdout is not None
        self.front = Channel(self.process.stdin, self.process.stdout)
        self.back = Channel(os.fdopen(back_requests, "wb"), os.fdopen(back_replies, "rb"))

    def stop(self) -> None:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # both helpers, if still there
        self.process.wait()
        self.front.close()
        self.back.close()


@contextmanager
def helpers() -> Iterator[Helpers | None]:
    """The helper processes, started now if two cores can be used (None otherwise): they
    import WeasyPrint and parse the report's stylesheet while this process builds the
    document. Stopped on leaving, whatever happened."""
    started = None
    if _possible():
        with suppress(OSError):  # no process to be had: one process renders
            started = Helpers([report_stylesheet()])
    try:
        yield started
    finally:
        if started is not None:
            started.stop()


def render(html: str, stylesheets: list[Path], workers: Helpers) -> bytes | None:
    """The PDF of a document with part marks, rendered by `workers`; None when it cannot be
    (the caller then renders it in one process)."""
    pieces = split(html)
    if pieces is None:
        return None
    try:
        return _render_with(workers, *pieces, stylesheets=stylesheets)
    except Exception:  # noqa: BLE001  any failure here only costs time: one process renders
        return None


def _render_with(
    workers: Helpers,
    head: str,
    cover: str,
    front: str,
    back: str,
    tail: str,
    *,
    stylesheets: list[Path],
) -> bytes:
    sheets = [str(p) for p in stylesheets]
    common = {"head": head, "tail": tail, "stylesheets": sheets}
    workers.front.send_soon({**common, "part": front, "cover": cover})
    workers.back.send_soon({**common, "part": back})
    # Both parts laid out: where each starts, and the whole PDF's page count (cover + parts).
    front_pages = int(receive_json(workers.front.replies)["pages"])
    back_pages = int(receive_json(workers.back.replies)["pages"])
    total = 1 + front_pages + back_pages
    workers.front.send({"before": 1, "total": total})
    workers.back.send({"before": 1 + front_pages, "total": total})
    # Where sections 4–6 start, for the cover's contents (drawn by the front helper).
    workers.front.send({"anchors": receive_json(workers.back.replies)["anchors"]})
    back_pdf = receive_frame(workers.back.replies)
    import pypdf  # noqa: F401  (here, while the front helper finishes the cover)

    done = receive_json(workers.front.replies)
    cover_pdf = receive_frame(workers.front.replies)
    front_pdf = receive_frame(workers.front.replies)
    places = read_places(done["places"])
    links: list[Link] = []
    for name, (x1, y1, x2, y2) in done["links"]:
        links.append((str(name), (float(x1), float(y1), float(x2), float(y2))))
    return join([cover_pdf, front_pdf, back_pdf], links, places, total)


def anchors(document: Any) -> dict[str, Place]:
    """Every anchor of a laid-out document: name -> (page index, x, y in CSS pixels)."""
    found: dict[str, Place] = {}
    for index, page in enumerate(document.pages):
        for name, box in page.anchors.items():  # (x1, y1, x2, y2): the anchored box
            found.setdefault(name, (index, float(box[0]), float(box[1])))
    return found


def read_places(raw: dict[str, Any]) -> dict[str, Place]:
    """Places as they come through the pipe (JSON lists), checked back into `Place`s."""
    return {str(name): (int(page), float(x), float(y)) for name, (page, x, y) in raw.items()}


def contents_css(cover: str, places: dict[str, Place]) -> str:
    """The contents' page numbers, written in: the cover is laid out without the sections its
    `target-counter()` would look for. Names are checked by `_ANCHOR`, numbers are ints."""
    rules = []
    for name in dict.fromkeys(_ANCHOR.findall(cover)):
        if name in places:
            number = int(places[name][0]) + 1
            rules.append(f'.toc a.pg[href="#{name}"]::after {{ content: "{number}"; }}')
    return "\n".join(rules)


def take_internal_links(page: Any) -> list[Link]:
    """The page's links to other parts, removed from the page (they are made again on the
    joined PDF): [(anchor, rectangle in CSS pixels)]."""
    internal: list[Link] = []
    for link in page.links:
        if link[0] == "internal":
            x1, y1, x2, y2 = (float(v) for v in link[2])
            internal.append((str(link[1]), (x1, y1, x2, y2)))
    page.links[:] = [link for link in page.links if link[0] != "internal"]
    return internal


def join(pdfs: list[bytes], links: list[Link], places: dict[str, Place], pages: int) -> bytes:
    """One PDF of `pages` pages from the parts' PDFs: their pages and bookmarks in order, the
    metadata and language of the second part (the first with a body), and the cover's links
    to the sections."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Link as LinkAnnotation
    from pypdf.generic import Fit, NameObject

    readers = [PdfReader(io.BytesIO(data)) for data in pdfs]
    writer = PdfWriter()
    for reader in readers:
        writer.append(reader, import_outline=True)
    if len(writer.pages) != pages:
        raise PartsFailed("the joined PDF does not have the expected pages")
    if readers[1].metadata:
        writer.add_metadata(dict(readers[1].metadata))
    lang = readers[1].root_object.get("/Lang")
    if lang is not None:
        writer.root_object[NameObject("/Lang")] = lang
    height = float(writer.pages[0].mediabox.height)
    for name, (x1, y1, x2, y2) in links:
        if name not in places:
            continue
        page, x, y = places[name]
        top = float(writer.pages[page].mediabox.height) - y * _PT_PER_PX
        rect = (
            x1 * _PT_PER_PX,
            height - y2 * _PT_PER_PX,
            x2 * _PT_PER_PX,
            height - y1 * _PT_PER_PX,
        )
        annotation = LinkAnnotation(
            rect=rect,
            border=[0, 0, 0],
            target_page_index=page,
            fit=Fit.xyz(left=x * _PT_PER_PX, top=top, zoom=0),
        )
        writer.add_annotation(0, annotation)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ------------------------------------------------------------------ the pipes between the two


def send_frame(stream: IO[bytes], data: bytes) -> None:
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def send_json(stream: IO[bytes], message: dict[str, Any]) -> None:
    send_frame(stream, json.dumps(message).encode("utf-8"))


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks = []
    fd = stream.fileno()
    while size:
        ready, _, _ = select.select([fd], [], [], TIMEOUT)
        if not ready:
            raise PartsFailed("no word from the other process")
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise PartsFailed("the other process ended")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive_frame(stream: IO[bytes]) -> bytes:
    (size,) = struct.unpack(">I", _read_exactly(stream, 4))
    return _read_exactly(stream, size)


def receive_json(stream: IO[bytes]) -> dict[str, Any]:
    message = json.loads(receive_frame(stream))
    if not isinstance(message, dict):
        raise PartsFailed("unexpected message")
    return message
