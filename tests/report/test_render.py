"""View model -> HTML: French typography, inlined CSS, hostile text kept as text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from report_fixtures import complete, extreme

from cyberdiag.report.build import build_view
from cyberdiag.report.frtypo import NBSP
from cyberdiag.report.render import render_html


def test_html_french_typography_and_inlined_css() -> None:
    html = render_html(build_view(complete(), "fr"), inline_css=True)
    assert f"Plafonné par{NBSP}:" in html
    assert '"DejaVu Sans"' in html and "&#34;DejaVu" not in html  # CSS not autoescaped
    assert "@page" in html and "http://" not in html.split("</style>")[0]
    # Everything in one file: no external resource at all.
    assert not re.search(r"""(src|href)=["'](?!#)""", html)


def test_extreme_view_keeps_hostile_text_as_text() -> None:
    html = render_html(build_view(extreme("http://127.0.0.1:9"), "fr"), inline_css=False)
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert "&lt;script&gt;alert(" in html
    assert "{{ 7*7 }}" in html  # template syntax in data is never evaluated


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.update(k for k, _ in attrs)
        self.urls += [v or "" for k, v in attrs if k in ("src", "href", "data", "action")]


def test_hostile_markup_never_becomes_a_tag() -> None:
    html = render_html(build_view(extreme("http://127.0.0.1:9"), "fr"), inline_css=True)
    parser = _Tags()
    parser.feed(html)
    for tag in ("script", "img", "iframe", "link", "object", "image", "b"):
        assert tag not in parser.tags, tag
    assert "style" not in parser.attrs  # the hostile <div style="background:url(...)">
    assert all(u.startswith("#") for u in parser.urls), parser.urls
    assert html.count("<style>") == 1  # ours, in <head>
