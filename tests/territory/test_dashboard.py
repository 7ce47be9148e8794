"""The HTML dashboard (`territory report -o territoire.html`) in a real headless browser.

Chromium from the distribution's packages (Makefile: SYSTEM_PACKAGES), driven by Playwright for
Python pointed at /usr/bin/chromium (never `playwright install`), with a fresh profile and the
network features off. The page is opened from a file as from a USB stick: every request is
recorded (only the file itself may be asked for), a click on a column header sorts, a filter
hides rows, the anonymised page never writes a count under 5, and screenshots at 1280 and 800
pixels wide are written (to CYBERDIAG_SCREENSHOTS when set, to look at them).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from campaign_fixtures import build_store, campaign_munis

from cyberdiag.cli import main

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("dashboard")
    store = build_store(tmp, 40, previous=30, checks=True)
    out = {}
    for name, extra in (("anon", []), ("named", ["--named"])):
        page = tmp / f"territoire-{name}.html"
        assert main(["territory", "report", "--store", str(store), "-o", str(page), *extra]) == 0
        out[name] = page
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (apt-get install chromium; make system-deps)")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
        )
        try:
            yield context
        finally:
            context.close()


class Page:
    """A dashboard page opened from its file, with every request and error recorded."""

    def __init__(self, context: Any, path: Path, width: int) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.set_viewport_size({"width": width, "height": 900})
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")

    def visible(self, table: str, attr: str) -> list[str]:
        return list(
            self.page.eval_on_selector_all(
                f"#{table} tbody tr:not([hidden])", f"rows => rows.map(r => r.dataset.{attr})"
            )
        )

    def column(self, header: str) -> list[str]:
        """data-v of the visible cells of the #communes column whose header starts with
        `header`."""
        return list(
            self.page.evaluate(
                """h => {
                  const ths = [...document.querySelectorAll('#communes thead th')];
                  const i = ths.findIndex(t => t.textContent.trim().startsWith(h));
                  return [...document.querySelectorAll('#communes tbody tr:not([hidden])')]
                    .map(r => r.cells[i].dataset.v);
                }""",
                header,
            )
        )

    def choose(self, name: str, value: str) -> None:
        self.page.select_option(f"select[data-filter={name}]", value)

    def shown(self) -> str:
        return str(self.page.inner_text("#shown"))

    def screenshot(self, path: Path) -> None:
        self.page.screenshot(path=str(path), full_page=True)
        keep = os.environ.get("CYBERDIAG_SCREENSHOTS")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(keep) / path.name)

    def overflow(self) -> int:
        """How far the page is wider than the window (0: no horizontal scroll bar)."""
        return int(self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_dashboard_sorts_filters_and_stays_inside_the_file(
    pages: dict[str, Path], browser: Any, tmp_path: Path
) -> None:
    path = pages["anon"]
    p = Page(browser, path, 1280)
    assert p.requests == [path.resolve().as_uri()]
    assert p.errors == []
    n = len(p.visible("communes", "level"))
    assert n == 40 and p.shown().startswith("40 ")
    # Sort by score: ascending, then descending (rows without a score last, then first).
    p.page.click("#communes thead th:has-text('Score')")
    scores = [float(v) for v in p.column("Score") if v]
    assert scores == sorted(scores)
    assert p.page.get_attribute("#communes thead th:has-text('Score')", "aria-sort") == "ascending"
    p.page.click("#communes thead th:has-text('Score')")
    scores = [float(v) for v in p.column("Score") if v]
    assert scores == sorted(scores, reverse=True)
    # Filter by level: only level 0 is left.
    p.choose("level", "0")
    levels = p.visible("communes", "level")
    assert levels and set(levels) == {"0"} and len(levels) < n
    # By gap: every municipality left has it; the gap table shows its row only.
    p.page.click("#reset")
    gap = p.page.eval_on_selector("select[data-filter=gap] option:nth-child(2)", "o => o.value")
    p.choose("gap", gap)
    assert all(gap in g.split() for g in p.visible("communes", "gaps"))
    assert p.visible("gaps", "gaps") == [gap]
    # By domain: the gap table keeps that domain's gaps only.
    p.page.click("#reset")
    domain = p.visible("gaps", "domains")[0]
    p.choose("domain", domain)
    assert set(p.visible("gaps", "domains")) == {domain}
    assert all(domain in d.split() for d in p.visible("communes", "domains"))
    # By group (strate): the rows of that group only.
    p.page.click("#reset")
    group = p.page.eval_on_selector("select[data-filter=group] option:nth-child(2)", "o => o.value")
    p.choose("group", group)
    assert set(p.visible("communes", "group")) == {group}
    p.page.click("#reset")
    assert len(p.visible("communes", "level")) == 40
    assert p.requests == [path.resolve().as_uri()]  # still nothing else asked for
    p.screenshot(tmp_path / "dashboard-anonymise-1280.png")
    p.page.close()


def test_anonymised_dashboard_never_counts_fewer_than_five(
    pages: dict[str, Path], browser: Any
) -> None:
    p = Page(browser, pages["anon"], 1280)
    groups = p.page.eval_on_selector_all(
        "select[data-filter=group] option", "os => os.map(o => o.value).filter(v => v)"
    )
    few = None
    for group in groups:
        for level in ("0", "1", "2", "3", "4"):
            p.choose("group", group)
            p.choose("level", level)
            if 0 < len(p.visible("communes", "level")) < 5:
                few = (group, level)
                break
        if few:
            break
    assert few, "expected a group and level with fewer than 5 municipalities"
    assert p.shown().startswith("moins de 5 ")
    p.page.close()


@pytest.mark.parametrize("name", ["anon", "named"])
def test_screenshots_at_1280_and_800_pixels(
    pages: dict[str, Path], browser: Any, tmp_path: Path, name: str
) -> None:
    munis = campaign_munis(40)
    for width in (1280, 800):
        p = Page(browser, pages[name], width)
        assert p.errors == [] and p.requests == [pages[name].resolve().as_uri()]
        assert p.overflow() <= 0, f"the page is wider than {width} px"
        p.screenshot(tmp_path / f"dashboard-{name}-{width}.png")
        text = p.page.inner_text("body")
        named = any(m.name in text for m in munis)
        assert named == (name == "named")
        p.page.close()
        assert (tmp_path / f"dashboard-{name}-{width}.png").stat().st_size > 50_000
