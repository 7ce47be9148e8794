"""How `cyberdiag territory` shows things: the status tables, check-all's bar and its lines.

Municipality and campaign names come from files and users: they are printed with `outside()`,
as text, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cyberdiag.cli.terminal import Step, out_console, outside, progress
from cyberdiag.i18n import tr
from cyberdiag.territory.status import Status

# A line may list many INSEE codes or quote an error: bounded, but not cut at 512 characters.
LINE_LIMIT = 20_000


def say_to(console: Console) -> Callable[[str], None]:
    """A `say(text)` callback printing each line as text, unwrapped."""

    def say(text: str) -> None:
        console.print(outside(text, LINE_LIMIT), soft_wrap=True)

    return say


def check_all_display() -> tuple[
    Callable[[str], None], Callable[[str, int], AbstractContextManager[Step]]
]:
    """check-all's `say` and `progress` callbacks, on one console (lines print above the bar)."""
    console = out_console()

    @contextmanager
    def bar(label: str, total: int) -> Iterator[Step]:
        with progress(label, total, console=console) as step:
            yield step

    return say_to(console), bar


def print_status(st: Status) -> None:
    """`territory status` as tables: campaigns, coverage per tier, who answered, who did not."""
    con = out_console()
    say = say_to(con)
    say(
        tr(
            f"Base : {st.store} (schéma {st.schema_version})",
            f"Store: {st.store} (schema {st.schema_version})",
        )
    )
    if not st.campaigns:
        say(tr("Aucune campagne importée.", "No campaign imported yet."))
    else:
        t = Table(title=tr("Campagnes", "Campaigns"))
        t.add_column(tr("Campagne", "Campaign"))
        t.add_column(tr("Diagnostics", "Diagnostics"), justify="right")
        t.add_column(tr("Communes vérifiées (check-all)", "Checked (check-all)"), justify="right")
        for name, c in st.campaigns.items():
            t.add_row(outside(name), str(c["diagnostics"]), str(c["checked"]))
        con.print(t)
    if st.campaign is not None:
        con.print(_coverage_table(st, st.campaign))
        con.print(_answered_table(st))
    if st.outside:
        say(
            tr(
                f"Ont répondu sans figurer dans la liste des communes ({len(st.outside)}, "
                "hors couverture) :",
                f"Answered without being on the list of municipalities ({len(st.outside)}, "
                "not in coverage):",
            )
        )
        con.print(Text(", ").join(outside(f"{n} ({i})") for i, n, _ in st.outside))
    if st.missing:
        say(
            tr(
                f"N'ont pas répondu ({len(st.missing)}) :",
                f"Have not answered ({len(st.missing)}):",
            )
        )
        con.print(Text(", ").join(outside(f"{n} ({i})") for i, n, _ in st.missing))
    elif not st.roster_size:
        say(
            tr(
                "Liste des communes non chargée : --municipalities communes.csv pour la "
                "couverture.",
                "List of municipalities not loaded: --municipalities municipalities.csv for "
                "coverage.",
            )
        )


def _coverage_table(st: Status, campaign: str) -> Table:
    cov = Table(
        title=outside(tr(f"Couverture par strate — {campaign}", f"Coverage per tier — {campaign}"))
    )
    cov.add_column(tr("Strate", "Tier"))
    cov.add_column(tr("Connues", "Known"), justify="right")
    cov.add_column(tr("Ont répondu", "Answered"), justify="right")
    cov.add_column("%", justify="right")
    for tier, (known, imported) in sorted(st.coverage.items()):
        pct = f"{100 * imported / known:.0f} %" if known else "–"
        cov.add_row(f"T{tier}", "–" if known is None else str(known), str(imported), pct)
    return cov


def _answered_table(st: Status) -> Table:
    ans = Table(title=tr("Ont répondu", "Have answered"))
    for col in (
        "INSEE",
        tr("Commune", "Municipality"),
        tr("Strate", "Tier"),
        tr("Date", "Date"),
        tr("Niveau", "Level"),
        tr("Score", "Score"),
    ):
        ans.add_column(col)
    for a in st.answered:
        ans.add_row(
            a.insee,
            outside(a.name),
            f"T{a.tier}",
            a.created_at[:10],
            str(a.level),
            "–" if a.score is None else f"{a.score:.0f}",
        )
    return ans
