"""A diagnostic summed up on the terminal: the table by domain, the level, the priority actions."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text

from cyberdiag.cli.terminal import STATUS, out_console, outside
from cyberdiag.i18n import current, tr
from cyberdiag.models import Diagnostic
from cyberdiag.scoring.causes import asks_provider, cause_text, level_sentence


def print_summary(diag: Diagnostic, output: Path | None) -> None:
    """What `cyberdiag score` and `cyberdiag run` print once the diagnostic is computed."""
    lang = current()
    console = out_console()
    level_name = {lv.id: lv.name.get(lang) for lv in diag.levels}
    table = Table(title=tr("Diagnostic par domaine", "Diagnostic by domain"))
    table.add_column(tr("Domaine", "Domain"))
    table.add_column("Score", justify="right")
    table.add_column(tr("Niveau", "Level"))
    table.add_column(tr("Cible", "Target"), justify="right")
    table.add_column(tr("Couverture", "Coverage"), justify="right")
    for d in diag.domains:
        if not d.applicable:
            continue
        c = d.coverage
        table.add_row(
            outside(d.name.get(lang)),
            "—" if d.score is None else f"{d.score:.0f}",
            f"{d.level} {level_name.get(d.level, '')}",
            str(d.target_level),
            f"{c.questions_answered}/{c.questions_applicable}"
            + (f" +{c.checks_tested}✓" if c.checks_tested else "")
            + (
                f" ({c.checks_not_tested} "
                + STATUS["not_tested"].word(lang, c.checks_not_tested)
                + ")"
                if c.checks_not_tested
                else ""
            ),
        )
    console.print(table)
    o = diag.overall
    score_txt = "—" if o.score is None else f"{o.score:.0f}/100"
    headline = level_sentence(diag, lang, overall=True)
    console.print(
        Text.assemble(
            (headline, "bold"),
            tr(
                f" (score {score_txt}, strate {diag.tier}, niveau visé {o.target_level})",
                f" (score {score_txt}, tier {diag.tier}, target level {o.target_level})",
            ),
        )
    )
    if o.capped_by:
        provider = asks_provider(diag)
        console.print(Text(tr("Plafonné par :", "Capped by:"), style="red"))
        for cap in o.capped_by:
            console.print(
                Text(f"  • {cap.label.get(lang)} → ")
                + Text(tr("niveau", "level") + f" {cap.level} ({level_name.get(cap.level, '')})")
                + Text(f" — {cause_text(cap, provider, lang)}")
            )
    if diag.findings:
        console.print(Text(tr("Actions prioritaires :", "Priority actions:"), style="bold"))
        for f in diag.findings[:6]:
            line = Text(f"  {f.rank}. ")
            if f.critical:
                line.append(tr("critique", "critical"), style="red")
                line.append(" ")
            title = outside(f.title.get(lang), 2000)
            title.stylize("bold")
            line.append_text(title)
            line.append(" — ")
            line.append_text(outside(f.recommendation.action.get(lang), 2000))
            console.print(line)
    if output is not None:
        console.print(
            tr(
                f"Diagnostic écrit : {output} (droits 0600 : il décrit les faiblesses de la "
                "commune).",
                f"Diagnostic written: {output} (mode 0600: it maps the municipality's weaknesses).",
            ),
            markup=False,
        )
