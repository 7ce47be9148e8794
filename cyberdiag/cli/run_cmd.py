"""Commands for the whole journey in one go: `cyberdiag demo` and `cyberdiag run`.

Only typer, the standard library and cyberdiag.cli.app at module level (fast --help): each
command imports its terminal side, cyberdiag/cli/journey_view.py, when it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cyberdiag.cli.app import (
    JsonOpt,
    LangOpt,
    NameserverOpt,
    ProfileOpt,
    SealToOpt,
    TimeoutOpt,
    app,
    h,
    start,
)

# --------------------------------------------------------------------------------------------
# cyberdiag demo
# --------------------------------------------------------------------------------------------


@app.command(
    "demo",
    help=h(
        "Démonstration complète sur la commune fictive Ville-Exemple, en moins d'une minute : "
        "profil et réponses d'exemple, vérifications DNS, messagerie et web contre le "
        "laboratoire local (de vrais serveurs sur 127.x, démarrés puis arrêtés par la "
        "démonstration ; sans root ou sans nsd/unbound, les vérifications sont marquées « non "
        "testé » avec la raison), scan des ports ouverts par le laboratoire, score et rapport "
        "PDF. Ne contacte jamais Internet.\n\n"
        "Exemples :\n\n"
        "  cyberdiag demo\n\n"
        "  cyberdiag demo --dir demo-out --lang en\n\n"
        "  cyberdiag demo --no-lab --json",
        "Complete demonstration on the fictional municipality Ville-Exemple, in under a minute: "
        "example profile and answers, DNS, e-mail and web checks against the local lab (real "
        "servers on 127.x, started and stopped by the demo; without root or without "
        "nsd/unbound, the checks are marked 'not tested' with the reason), scan of the ports "
        "the lab opened, scoring and PDF report. Never contacts the Internet.\n\n"
        "Examples:\n\n"
        "  cyberdiag demo\n\n"
        "  cyberdiag demo --dir demo-out --lang en\n\n"
        "  cyberdiag demo --no-lab --json",
    ),
    short_help=h("Démonstration complète en une commande.", "Complete demo in one command."),
)
def demo(
    out: Annotated[
        Path,
        typer.Option(
            "--dir",
            "-d",
            "--out",
            help=h("Dossier où tout est écrit.", "Folder where everything is written."),
        ),
    ] = Path("demo-out"),
    scan: Annotated[
        bool,
        typer.Option(
            "--scan/--no-scan",
            help=h(
                "Scanner les ports ouverts par le laboratoire (80, 443).",
                "Scan the ports the lab opened (80, 443).",
            ),
        ),
    ] = True,
    no_lab: Annotated[
        bool,
        typer.Option(
            "--no-lab",
            help=h(
                "Ne pas démarrer le laboratoire (vérifications « non testé »).",
                "Do not start the lab (checks 'not tested').",
            ),
        ),
    ] = False,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.cli.journey_view import demo_command
    from cyberdiag.i18n import current

    demo_command(out, current(), scan=scan, use_lab=not no_lab, json_out=json_out)


# --------------------------------------------------------------------------------------------
# cyberdiag run
# --------------------------------------------------------------------------------------------


@app.command(
    "run",
    help=h(
        "L'auto-diagnostic complet en une commande : questionnaire (repris s'il est commencé), "
        "vérifications DNS, messagerie et web, scan d'exposition si demandé (avec "
        "l'autorisation de la commune), score, rapport PDF et HTML, puis un résumé clair. "
        "Chaque étape enregistre son fichier aussitôt : l'échec d'une étape ne perd pas les "
        "précédentes.\n\n"
        "Exemples :\n\n"
        "  cyberdiag run --profile municipality.yaml --nameserver 9.9.9.9\n\n"
        "  cyberdiag run -p municipality.yaml -n 9.9.9.9 --scan --authorized -d diagnostic\n\n"
        "  cyberdiag run -p municipality.yaml --answers answers.yaml --no-scan --json",
        "The complete self-audit in one command: questionnaire (resumed if started), DNS, "
        "e-mail and web checks, exposure scan on request (with the municipality's "
        "authorisation), scoring, PDF and HTML report, then a clear summary. Each step saves "
        "its file at once: a failing step never loses the previous ones.\n\n"
        "Examples:\n\n"
        "  cyberdiag run --profile municipality.yaml --nameserver 9.9.9.9\n\n"
        "  cyberdiag run -p municipality.yaml -n 9.9.9.9 --scan --authorized -d diagnostic\n\n"
        "  cyberdiag run -p municipality.yaml --answers answers.yaml --no-scan --json",
    ),
    short_help=h("Auto-diagnostic complet en une commande.", "Complete self-audit in one go."),
)
def run(  # over 80 lines: the signature declares the command's options
    profile: ProfileOpt = Path("municipality.yaml"),
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            "-a",
            help=h(
                "Fichier de réponses (défaut : answers.yaml dans --out). Repris s'il existe.",
                "Answers file (default: answers.yaml in --out). Resumed if it exists.",
            ),
            show_default=False,
        ),
    ] = None,
    nameserver: NameserverOpt = None,
    scan: Annotated[
        bool,
        typer.Option(
            "--scan/--no-scan",
            help=h(
                "Scanner les adresses publiques déclarées (sur autorisation).",
                "Scan the declared public addresses (with authorisation).",
            ),
        ),
    ] = False,
    authorized: Annotated[
        bool,
        typer.Option(
            "--authorized",
            help=h(
                "J'ai l'autorisation écrite de la commune pour le scan (sinon elle est demandée "
                "sur un terminal ; hors terminal, le scan n'est pas fait).",
                "I hold the municipality's written authorisation for the scan (otherwise it is "
                "asked on a terminal; without one, the scan is not run).",
            ),
        ),
    ] = False,
    ports: Annotated[
        str,
        typer.Option(
            "--ports",
            help=h(
                "Ports du scan : risky (défaut), top100 ou une liste, ex. 22,80,8000-8010.",
                "Scan ports: risky (default), top100 or a list, e.g. 22,80,8000-8010.",
            ),
        ),
    ] = "risky",
    out: Annotated[
        Path,
        typer.Option(
            "--dir", "-d", "--out", help=h("Dossier des résultats.", "Results folder.")
        ),
    ] = Path("diagnostic"),
    timeout: TimeoutOpt = 5.0,
    json_out: JsonOpt = False,
    no_comments: Annotated[
        bool,
        typer.Option(
            "--no-comments",
            help=h(
                "Questionnaire : ne pas demander de commentaire après chaque réponse.",
                "Questionnaire: do not ask for a comment after each answer.",
            ),
        ),
    ] = False,
    seal_to: SealToOpt = None,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.cli.journey_view import RunOptions, run_command
    from cyberdiag.cli.seal_cmd import recipients_or_fail, seal_and_say
    from cyberdiag.i18n import current

    recipients = recipients_or_fail(seal_to) if seal_to else None  # a wrong key: before work
    run_command(
        RunOptions(
            profile=profile,
            answers=answers,
            nameservers=list(nameserver or []),
            scan=scan,
            authorized=authorized,
            out=out,
            lang=current(),
            timeout=timeout,
            ports=ports,
            json_out=json_out,
            comments=not no_comments,
        )
    )
    if recipients:  # the run completed: its diagnostic.json is in the results folder
        seal_and_say(out / "diagnostic.json", recipients, stderr=json_out)
