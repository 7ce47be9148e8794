"""What every command shares on the terminal: consoles, outside text printed as text, the one
table of status words and colours, and the one progress helper.

Only `cyberdiag/cli/` imports rich; the rest of the package reports progress through plain
callbacks (`Callable[[str, int], None]`: a label, a number of steps done) that `progress` hands out.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console
from rich.text import Text

from cyberdiag.i18n import Lang, current
from cyberdiag.net.text import clean, clean_json

Step = Callable[[str, int], None]
"""A progress callback: (label of what was just done, number of steps it stands for)."""


@dataclass(frozen=True)
class StatusWord:
    """How one check status reads and looks, in both languages (singular and plural)."""

    style: str
    fr: str
    en: str
    fr_plural: str
    en_plural: str

    def word(self, lang: Lang | None = None, count: int = 1) -> str:
        lang = lang or current()
        if lang == "en":
            return self.en if count <= 1 else self.en_plural
        return self.fr if count <= 1 else self.fr_plural


STATUS: dict[str, StatusWord] = {
    "pass": StatusWord("green", "réussie", "passed", "réussies", "passed"),
    "warn": StatusWord("yellow", "à améliorer", "to improve", "à améliorer", "to improve"),
    "fail": StatusWord("bold red", "en échec", "failed", "en échec", "failed"),
    "not_tested": StatusWord("dim", "non testée", "not tested", "non testées", "not tested"),
    "not_applicable": StatusWord(
        "dim", "sans objet", "not applicable", "sans objet", "not applicable"
    ),
}
"""The one table of status words and colours, used by every command (check, scan, run, demo)."""


def status_text(status: str, lang: Lang | None = None, count: int = 1) -> Text:
    """The status word, coloured, as Rich text (never markup)."""
    entry = STATUS.get(status)
    if entry is None:
        return Text(clean(status, 40))
    return Text(entry.word(lang, count), style=entry.style)


def counts_line(statuses: list[str], lang: Lang | None = None) -> str:
    """« 3 réussies, 1 à améliorer, 2 en échec » in the table's order, empty counts left out."""
    parts = []
    for status, entry in STATUS.items():
        n = sum(1 for s in statuses if s == status)
        if n:
            parts.append(f"{n} {entry.word(lang, n)}")
    return ", ".join(parts)


def outside(text: object, limit: int = 512, *, style: str = "", lines: bool = False) -> Text:
    """Text that came from outside (DNS, web, a file, a user) as Rich text: controls made
    visible by the one cleaning function (net.text.clean), length bounded, never read as
    markup. `lines=True` keeps line breaks."""
    return Text(clean(str(text), limit, lines=lines), style=style)


def out_console() -> Console:
    # emoji=False: no text of ours holds an emoji code (":warning:"), and looking for them in
    # every string printed cost ~5 ms in `cyberdiag score` (its table, its list of actions).
    return Console(highlight=False, emoji=False)


def err_console() -> Console:
    return Console(stderr=True, highlight=False, emoji=False)


@contextmanager
def progress(label: str, total: int, *, console: Console | None = None) -> Iterator[Step]:
    """A transient progress bar on the terminal (stderr by default), nothing when not a
    terminal. Yields the callback to hand to the work: step(label, n) advances by n."""
    # Lazy: rich.progress (live display, spinners) costs ~10 ms of start-up, and the everyday
    # commands (questionnaire, score, validate) show no progress bar.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = console or err_console()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}", markup=False),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=max(total, 1), last="")

        def step(what: str, n: int = 1) -> None:
            bar.update(task, advance=n, last=clean(what, 60))

        yield step


@contextmanager
def spinner(label: str, *, console: Console | None = None) -> Iterator[None]:
    """A spinner with a label for a step of unknown length (rendering a PDF, starting the lab)."""
    console = console or err_console()
    if not console.is_terminal:
        yield
        return
    with console.status(label):
        yield


def print_json(text: str) -> None:
    """JSON for the standard output (`--json`): still valid JSON, but every control or bidi
    character of outside text escaped, so a terminal never receives it raw."""
    sys.stdout.write(clean_json(text.rstrip("\n")) + "\n")
