"""The helper process of a two-core report PDF (started by report/pdf_parts.py; not a command).

Imports WeasyPrint at once, then reads its job on standard input: the report's cover and its
first part (sections 1–3). Lays out the first part, says how many pages it has, and waits for
the whole PDF's page count (to number its margins; the part starts on page 2). Draws it, gets
where the last part's sections are, lays out and draws the cover with the contents' page
numbers, and sends: every section's place, the cover's links, the cover's PDF, the first part's
PDF. Messages are framed by report/pdf_parts.py. Anything else this process prints goes nowhere,
so that it cannot corrupt them; on any error it exits non-zero, and the report is rendered in
one process. Ends with os._exit (pdf_parts._BOOT): once the PDFs are sent, freeing WeasyPrint's
objects one by one would only keep the machine busy.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path


def main() -> int:
    # A process for one PDF: the cyclic collector would only walk WeasyPrint's millions of
    # objects again and again (see pdf._collector_paused); they are all freed at exit.
    gc.disable()
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())

    from cyberdiag.report import pdf_parts
    from cyberdiag.report.pdf import _import_weasyprint, render_document

    _import_weasyprint()
    requests = sys.stdin.buffer
    job = pdf_parts.receive_json(requests)
    stylesheets = [Path(p) for p in job["stylesheets"]]
    head, tail = str(job["head"]), str(job["tail"])

    def numbering(pages: int) -> tuple[int, int]:
        pdf_parts.send_json(replies, {"pages": pages})
        return 1, int(pdf_parts.receive_json(requests)["total"])  # after the cover

    front = render_document(head + str(job["front"]) + tail, stylesheets, numbering=numbering)
    front_pdf = front.write_pdf()
    places: dict[str, pdf_parts.Place] = {
        name: (1 + page, x, y) for name, (page, x, y) in pdf_parts.anchors(front).items()
    }
    for name, (page, x, y) in pdf_parts.receive_json(requests)["back"].items():
        places.setdefault(str(name), (int(page), float(x), float(y)))
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
    pdf_parts.send_frame(replies, front_pdf)
    replies.close()
    return 0

