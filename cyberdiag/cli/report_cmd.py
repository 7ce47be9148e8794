"""`cyberdiag report`: the awareness report of one diagnostic, as PDF or HTML.

Only typer, the standard library and cyberdiag.cli.app are imported at module level; the rest
of the package (Jinja2, WeasyPrint) is imported inside the command (lazy: start-up time).
"""

from __future__ import annotations

import contextlib
import gc
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cyberdiag.cli import startup
from cyberdiag.cli.app import LangOpt, app, h, start

if TYPE_CHECKING:
    from cyberdiag.models import Diagnostic
    from cyberdiag.report import pdf_parts

FORMATS = ("pdf", "html", "csv")


def load_diagnostic_file(path: Path) -> Diagnostic:
    """Load diagnostic.json (clear UserError when missing, corrupted or of another version)."""
    from cyberdiag.diagnostic import load_diagnostic
    from cyberdiag.errors import UserError

    if path.is_dir():
        raise UserError(
            f"{path} est un dossier : donner le fichier diagnostic.json.",
            f"{path} is a directory: give the diagnostic.json file.",
        )
    return load_diagnostic(path)


def territory_medians(store: Path, tier: int) -> dict[str, float]:
    """Medians of the anonymised peers of the same tier, from the territorial store."""
    from cyberdiag.errors import UserError
    from cyberdiag.territory import medians_for

    if not store.exists():
        raise UserError(
            f"Base territoriale introuvable : {store}", f"Territorial store not found: {store}"
        )
    return dict(medians_for(store, tier))


@app.command(
    "report",
    short_help=h(
        "Rapport PDF de sensibilisation (ou HTML, ou plan d'action CSV).",
        "PDF awareness report (or HTML, or action plan as CSV).",
    ),
    help=h(
        "Produit le rapport de sensibilisation d'un diagnostic (PDF ou HTML) : synthèse pour "
        "les élus, radar des domaines, plan d'action, détail par domaine, annexe technique "
        "pour le prestataire, glossaire et contacts ; ou le plan d'action seul en CSV. Le "
        "fichier est écrit en mode 0600 (il décrit les faiblesses de la commune).\n\n"
        "Exemples :\n\n"
        "  cyberdiag report diagnostic.json -o rapport.pdf\n\n"
        "  cyberdiag report diagnostic.json --format html -o rapport.html   (vidéoprojecteur)\n\n"
        "  cyberdiag report diagnostic.json --territory territoire.sqlite   (médiane des pairs)"
        "\n\n"
        "  cyberdiag report diagnostic.json -o plan-action.csv   (plan d'action pour un tableur)",
        "Produce the awareness report of a diagnostic (PDF or HTML): summary for elected "
        "officials, domain radar, action plan, domain details, technical annex for the IT "
        "provider, glossary and contacts; or the action plan alone as CSV. The file is written "
        "with mode 0600 (it describes the municipality's weaknesses).\n\n"
        "Examples:\n\n"
        "  cyberdiag report diagnostic.json -o report.pdf --lang en\n\n"
        "  cyberdiag report diagnostic.json --format html -o report.html   (projector)\n\n"
        "  cyberdiag report diagnostic.json --territory territoire.sqlite   (peers' median)"
        "\n\n"
        "  cyberdiag report diagnostic.json -o action-plan.csv   (action plan for a spreadsheet)",
    ),
)
def report(
    diagnostic: Annotated[
        Path,
        typer.Argument(
            help=h("Fichier diagnostic.json à présenter.", "diagnostic.json file to present."),
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help=h(
                "Fichier à écrire (défaut : rapport.pdf ou rapport.html à côté du diagnostic).",
                "File to write (default: report.pdf or report.html next to the diagnostic).",
            ),
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help=h(
                "pdf (défaut), html (même document pour l'écran, autonome) ou csv (le plan "
                "d'action, pour le suivi dans un tableur).",
                "pdf (default), html (the same document for a screen, self-contained) or csv "
                "(the action plan, for follow-up in a spreadsheet).",
            ),
            show_default=False,
        ),
    ] = None,
    lang: LangOpt = None,
    territory: Annotated[
        Path | None,
        typer.Option(
            "--store",
            "--territory",
            help=h(
                "Base territoriale : ajoute la médiane anonymisée des communes de la même strate.",
                "Territorial store: adds the anonymised median of municipalities of the same tier.",
            ),
            show_default=False,
        ),
    ] = None,
) -> None:
    """The report command (its help is above)."""
    start(lang)
    # A short-lived process that allocates millions of small objects (pydantic, Jinja2,
    # WeasyPrint) and frees them by reference counting: the cyclic collector only costs time
    # here (~20 %). Paused for the command, restored afterwards when main() runs in a longer
    # process (tests); see startup.resume_collector.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        _report(diagnostic, output, fmt, territory)
    finally:
        startup.resume_collector(was_enabled)


SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html", ".csv": "csv"}


def _format(output: Path | None, fmt: str | None) -> str:
    """The format asked (--format, else the extension of -o, else pdf); UserError for an
    unknown format, an unknown extension without --format, or an extension that says another
    format."""
    from cyberdiag.errors import UserError

    suffix = output.suffix.lower() if output is not None else ""
    if suffix and suffix not in SUFFIXES and fmt is None:  # -o rapport.docx: never a PDF there
        raise UserError(
            f"Extension inconnue « {suffix} » pour {output} : le rapport s'écrit en .pdf, "
            ".html ou .csv (plan d'action).",
            f"Unknown extension '{suffix}' for {output}: the report is written as .pdf, .html "
            "or .csv (action plan).",
        )
    chosen = (fmt or SUFFIXES.get(suffix, "pdf")).lower()
    if chosen not in FORMATS:
        raise UserError(
            f"Format inconnu « {chosen} » : choisir pdf, html ou csv.",
            f"Unknown format '{chosen}': choose pdf, html or csv.",
        )
    if suffix in SUFFIXES and SUFFIXES[suffix] != chosen:
        raise UserError(
            f"{output} ne correspond pas au format {chosen} : changer l'extension ou --format.",
            f"{output} does not match the {chosen} format: change the extension or --format.",
        )
    return chosen


def _report(diagnostic: Path, output: Path | None, fmt: str | None, territory: Path | None) -> None:
    from cyberdiag.errors import UserError
    from cyberdiag.report import pdf_parts

    fmt = _format(output, fmt)
    if diagnostic.suffix.lower() in (".yaml", ".yml"):
        raise UserError(
            f"{diagnostic} est un fichier YAML (réponses ou profil), pas un diagnostic : "
            "calculer d'abord le diagnostic avec cyberdiag score (il écrit diagnostic.json), "
            "puis cyberdiag report diagnostic.json.",
            f"{diagnostic} is a YAML file (answers or profile), not a diagnostic: first score "
            "with cyberdiag score (it writes diagnostic.json), then cyberdiag report "
            "diagnostic.json.",
        )
    # A PDF's helper processes start now: they import WeasyPrint while this one reads the
    # diagnostic and builds the report (report/pdf_parts.py).
    with pdf_parts.helpers() if fmt == "pdf" else contextlib.nullcontext() as helpers:
        _write(diagnostic, output, fmt, territory, helpers)


def _write(
    diagnostic: Path,
    output: Path | None,
    fmt: str,
    territory: Path | None,
    helpers: pdf_parts.Helpers | None,
) -> None:
    from cyberdiag.errors import UserError
    from cyberdiag.i18n import current, tr
    from cyberdiag.report import write_report

    diag = load_diagnostic_file(diagnostic)
    medians = territory_medians(territory, diag.tier) if territory is not None else None
    if output is None:
        stem = tr("plan-action", "action-plan") if fmt == "csv" else tr("rapport", "report")
        output = diagnostic.parent / f"{stem}.{fmt}"
    if output.exists() and output.is_dir():
        raise UserError(
            f"{output} est un dossier : donner un nom de fichier avec -o.",
            f"{output} is a directory: give a file name with -o.",
        )
    from cyberdiag.cli.terminal import spinner

    try:
        with spinner(tr(f"Rapport en cours : {output}…", f"Writing the report: {output}…")):
            write_report(
                diag,
                output,
                fmt="csv" if fmt == "csv" else "html" if fmt == "html" else "pdf",
                lang=current(),
                medians=medians,
                helpers=helpers,
            )
    except OSError as exc:
        raise UserError(
            f"Impossible d'écrire {output} : {exc}", f"Cannot write {output}: {exc}"
        ) from exc
    if fmt == "csv":
        typer.echo(tr(f"Plan d'action écrit : {output}", f"Action plan written: {output}"))
    else:
        typer.echo(tr(f"Rapport écrit : {output}", f"Report written: {output}"))
