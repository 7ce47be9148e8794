"""The helper processes of a two-core report PDF (started by report/pdf_parts.py; not a command).

The helper imports WeasyPrint and parses the stylesheets it was given at once, then forks: the
fork shares both, and serves the report's last part on the two pipes whose numbers it was
given; the helper serves the first part on its standard input and output. Each reads its job:
one part of the report (and, for the first part, the cover). Each lays its part out, says how
many pages it has, and waits for the page the part starts at and the whole PDF's page count,
to number its margins. Then:

- the last part says where its sections start, and sends its PDF;
- the first part draws its PDF, gets where the last part's sections start, lays out and draws
  the cover with the contents' page numbers, and sends every section's place, the cover's
  links, the cover's PDF and its own PDF.

Messages are framed by report/pdf_parts.py. Anything else these processes print goes nowhere,
so that it cannot corrupt them; on any error they exit non-zero, and the report is rendered in
one process. They end with os._exit (pdf_parts._BOOT): once the PDFs are sent, freeing
WeasyPrint's objects one by one would only keep the machine busy.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import IO


def main() -> int:
    # A process for one PDF: the cyclic collector would only walk WeasyPrint's millions of
    # objects again and again (see pdf._collector_paused); they are all freed at exit.
    gc.disable()
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())

    from cyberdiag.report.pdf import _import_weasyprint, can_number_pages, stylesheet

    _import_weasyprint()
    if not can_number_pages():
        return 1
    back_requests, back_replies = int(sys.argv[2]), int(sys.argv[3])
    for path in sys.argv[4:]:  # the report's stylesheet, parsed once for both helpers
        stylesheet(Path(path))
    child = os.fork()
    if child == 0:  # the second helper: the last part, on its own pipes
        replies.close()
        os.dup2(devnull, sys.stdin.fileno())
        return _serve(os.fdopen(back_requests, "rb"), os.fdopen(back_replies, "wb"))
    os.close(back_requests)
    os.close(back_replies)
    code = _serve(sys.stdin.buffer, replies)
    if code == 0:
        os.waitpid(child, 0)  # done too by now (its part has no cover)
    return code


def _serve(requests: IO[bytes], replies: IO[bytes]) -> int:
    from cyberdiag.report import pdf_parts
    from cyberdiag.report.pdf import render_document

    job = pdf_parts.receive_json(requests)
    stylesheets = [Path(p) for p in job["stylesheets"]]
    head, tail = str(job["head"]), str(job["tail"])
    before: list[int] = []

    def numbering(pages: int) -> tuple[int, int]:
        pdf_parts.send_json(replies, {"pages": pages})
        answer = pdf_parts.receive_json(requests)
        before.append(int(answer["before"]))
        return before[0], int(answer["total"])

    part = render_document(head + str(job["part"]) + tail, stylesheets, numbering=numbering)
    places: dict[str, pdf_parts.Place] = {
        name: (before[0] + page, x, y) for name, (page, x, y) in pdf_parts.anchors(part).items()
    }
    if "cover" not in job:  # the last part
        pdf_parts.send_json(replies, {"anchors": places})
        pdf_parts.send_frame(replies, part.write_pdf())
        replies.close()
        return 0
    part_pdf = part.write_pdf()
    places = pdf_parts.read_places(pdf_parts.receive_json(requests)["anchors"]) | places
    cover_html = str(job["cover"])
    cover = render_document(
        head + cover_html + tail,
        stylesheets,
        extra_css=pdf_parts.contents_css(cover_html, places),
    )
    if len(cover.pages) != 1:
        return 1
    links = pdf_parts.take_internal_links(cover.pages[0])
    cover_pdf = cover.write_pdf()
    pdf_parts.send_json(replies, {"places": places, "links": links})
    pdf_parts.send_frame(replies, cover_pdf)
    pdf_parts.send_frame(replies, part_pdf)
    replies.close()
    return 0
