"""Commands `cyberdiag check` (passive DNS, e-mail and web checks) and `cyberdiag lab ...`.

Only typer, the standard library and cyberdiag.cli.app at module level (fast --help): the
command functions import the rest of the package, and rich through cyberdiag.cli.terminal,
when they run.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cyberdiag.cli.app import JsonOpt, LangOpt, NameserverOpt, TimeoutOpt, app, h, start

if TYPE_CHECKING:
    from cyberdiag.models import CheckResult

@app.command(
    help=h(
        "Vérifications passives DNS, messagerie et web d'un ou plusieurs domaines (SPF, DMARC, "
        "DKIM, MTA-STS, STARTTLS, DNSSEC, serveurs de noms, HTTPS, en-têtes…). Toutes les "
        "résolutions passent par --nameserver (ou la variable CYBERDIAG_NAMESERVER).\n\n"
        "Exemples :\n\n"
        "  cyberdiag check ville-exemple.fr --nameserver 9.9.9.9\n\n"
        "  cyberdiag check --profile municipality.yaml -n 9.9.9.9 -o checks.json\n\n"
        "  cyberdiag check ville-exemple.test -n 127.121.0.53 --only mail.spf,mail.dmarc --json",
        "Passive DNS, e-mail and web checks of one or more domains (SPF, DMARC, DKIM, MTA-STS, "
        "STARTTLS, DNSSEC, nameservers, HTTPS, headers…). Every lookup goes through "
        "--nameserver (or the CYBERDIAG_NAMESERVER variable).\n\n"
        "Examples:\n\n"
        "  cyberdiag check ville-exemple.fr --nameserver 9.9.9.9\n\n"
        "  cyberdiag check --profile municipality.yaml -n 9.9.9.9 -o checks.json\n\n"
        "  cyberdiag check ville-exemple.test -n 127.121.0.53 --only mail.spf,mail.dmarc --json",
    ),
    short_help=h("Vérifications DNS, messagerie et web.", "DNS, e-mail and web checks."),
)
def check(
    domains: Annotated[
        list[str] | None,
        typer.Argument(help=h("Domaine(s) à vérifier (sinon ceux du profil).",
                              "Domain(s) to check (else the profile's)."), show_default=False),
    ] = None,
    profile: Annotated[
        Path | None,
        typer.Option("--profile", "-p", help=h("Profil de la commune (municipality.yaml).",
                                               "Municipality profile (municipality.yaml)."),
                     show_default=False),
    ] = None,
    nameserver: NameserverOpt = None,
    timeout: TimeoutOpt = 5.0,
    only: Annotated[
        str | None,
        typer.Option("--only", help=h("Seulement ces vérifications (ids séparés par des "
                                      "virgules, ex. mail.spf,mail.dmarc).",
                                      "Only these checks (comma-separated ids, e.g. "
                                      "mail.spf,mail.dmarc)."), show_default=False),
    ] = None,
    json_out: JsonOpt = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help=h("Écrire les résultats (JSON, pour cyberdiag score "
                                              "--checks).", "Write the results (JSON, for "
                                              "cyberdiag score --checks)."), show_default=False),
    ] = None,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.checks.runner import make_check_run, write_check_run
    from cyberdiag.i18n import tr

    prof, names = _what_to_check(domains, profile)
    servers = _nameservers(nameserver)
    if output is not None:  # before any check: the results will have a place
        from cyberdiag.fileio import OUTPUT_HINT, check_writable

        check_writable(output, need=1_000_000, hint=OUTPUT_HINT)
    only_ids = [s.strip() for s in only.split(",") if s.strip()] if only else None
    started = datetime.now(UTC)
    done: list[CheckResult] = []
    try:
        results = _run_with_progress(names, servers, timeout, prof, only_ids, done,
                                     quiet=json_out)
    except KeyboardInterrupt:
        if output is not None:  # keep what was done, marked as interrupted
            write_check_run(output, make_check_run(done, nameservers=servers,
                                                   started_at=started, interrupted=True))
        raise
    run = make_check_run(results, nameservers=servers, started_at=started)
    if output is not None:
        write_check_run(output, run)
    if json_out:
        sys.stdout.write(run.model_dump_json(indent=2) + "\n")
        return
    _print_table(results)
    if output is not None:
        typer.echo(tr(f"Résultats écrits dans {output}", f"Results written to {output}"))



def _what_to_check(domains: list[str] | None, profile: Path | None) -> tuple[Any, list[str]]:
    """(the profile or None, the domains to check): those given, else the profile's."""
    from cyberdiag.errors import UserError
    from cyberdiag.loading import load_profile

    prof = load_profile(profile) if profile is not None else None
    names = list(domains or []) or (list(prof.domains) if prof else [])
    if not names and not (prof and prof.official_email):
        raise UserError(
            "Aucun domaine à vérifier : donner un domaine ou un profil qui en contient "
            "(cyberdiag check ville-exemple.fr -n 9.9.9.9).",
            "No domain to check: give a domain or a profile listing some "
            "(cyberdiag check ville-exemple.fr -n 9.9.9.9).",
        )
    return prof, names


def _nameservers(nameserver: list[str] | None) -> list[str]:
    """The --nameserver values, else CYBERDIAG_NAMESERVER; UserError when there is none."""
    from cyberdiag.errors import UserError
    from cyberdiag.net.dnsclient import nameservers_or_env

    servers = nameservers_or_env(nameserver)
    if not servers:
        raise UserError(
            "Aucun serveur DNS indiqué : utiliser --nameserver IP[:PORT] (par exemple le "
            "résolveur de votre fournisseur d'accès), ou la variable CYBERDIAG_NAMESERVER.",
            "No nameserver given: use --nameserver IP[:PORT] (for example your Internet "
            "provider's resolver), or the CYBERDIAG_NAMESERVER variable.",
        )
    return servers

def _run_with_progress(names: list[str], servers: list[str], timeout: float, prof: Any,
                       only: list[str] | None, done: list[CheckResult], *,
                       quiet: bool) -> list[CheckResult]:
    """Run the checks; `done` receives each result as it comes (kept if interrupted)."""
    from cyberdiag.checks.registry import CHECKS
    from cyberdiag.checks.runner import normalise_domain, run_checks
    from cyberdiag.cli.terminal import progress
    from cyberdiag.i18n import tr

    for n in names:  # refuse bad names before anything is displayed
        normalise_domain(n)
    if quiet:
        return run_checks(names, nameservers=servers, timeout=timeout, profile=prof, only=only,
                          progress=done.append)
    ids = [i for i in CHECKS if not only or i in only]
    with progress(tr("Vérifications", "Checks"), len(ids) * max(1, len(names))) as step:

        def on_result(res: CheckResult) -> None:
            done.append(res)
            step(f"{res.target} {res.id}", 1)

        return run_checks(names, nameservers=servers, timeout=timeout, profile=prof,
                          only=only, progress=on_result)


def _print_table(results: list[CheckResult]) -> None:
    from rich.table import Table
    from rich.text import Text

    from cyberdiag.cli.terminal import counts_line, out_console, outside, status_text
    from cyberdiag.i18n import current, tr

    lang = current()
    catalogue = _catalogue_titles()
    console = out_console()
    table = Table(show_lines=False, header_style="bold")
    table.add_column(tr("Domaine", "Domain"), no_wrap=True)
    table.add_column(tr("Vérification", "Check"))
    table.add_column(tr("Résultat", "Result"), no_wrap=True)
    table.add_column(tr("Détail", "Details"))
    for r in results:
        meta = catalogue.get(r.id)
        title = meta.title.get(lang) if meta else r.id
        check = Text.assemble(outside(title), "\n", Text(r.id, style="dim"))
        table.add_row(outside(r.target), check, status_text(r.status),
                      outside(r.message.get(lang), 4000), end_section=False)
    console.print(table)
    summary = counts_line([r.status for r in results])
    console.print(outside(tr(f"Bilan : {summary}", f"Summary: {summary}")))


def _catalogue_titles() -> dict[str, Any]:
    """Check id -> CheckMeta from the shipped checks/*.yaml (fast: no full bundle validation;
    `cyberdiag validate` is where mistakes in these files are explained)."""
    from cyberdiag.loading import read_yaml
    from cyberdiag.models import CheckCatalogue
    from cyberdiag.resources import data_dir

    out: dict[str, Any] = {}
    for path in sorted(data_dir("checks").glob("*.yaml")):
        try:
            data = read_yaml(path)
            if isinstance(data, dict) and data.get("kind") == "checks":
                out.update({c.id: c for c in CheckCatalogue.model_validate(data).checks})
        except Exception:  # noqa: BLE001,S112 - titles are a nicety; ids are shown anyway
            continue
    return out


# ------------------------------------------------------------------------------------------
# cyberdiag lab start|stop|status
# ------------------------------------------------------------------------------------------

lab_app = typer.Typer(
    help=h(
        "Laboratoire local : un territoire fictif de communes (domaines en .test) servi par de "
        "vrais serveurs sur la boucle locale (NSD, unbound, SMTP, nginx), pour la démo, les "
        "ateliers et les tests. Nécessite root.\n\n"
        "Exemple : cyberdiag lab start --dir lab && cyberdiag lab status --dir lab",
        "Local lab: a fictional territory of municipalities (.test domains) served by real "
        "servers on loopback (NSD, unbound, SMTP, nginx), for the demo, workshops and tests. "
        "Needs root.\n\nExample: cyberdiag lab start --dir lab && cyberdiag lab status --dir lab",
    ),
    no_args_is_help=True,
)
app.add_typer(lab_app, name="lab", short_help=h("Laboratoire local de test.", "Local test lab."))

DirOpt = Annotated[
    Path, typer.Option("--dir", "-d", help=h("Dossier du laboratoire.", "Lab directory."))
]


def _describe(info: Any) -> None:
    from cyberdiag.i18n import tr
    from cyberdiag.net.dnsclient import NAMESERVER_ENV

    typer.echo(tr(f"Laboratoire en marche dans {info.directory} ({len(info.domains)} domaines).",
                  f"Lab running in {info.directory} ({len(info.domains)} domains)."))
    typer.echo(tr("Serveur DNS à utiliser :", "Nameserver to use:")
               + f" --nameserver {info.nameserver}")
    typer.echo(tr("Pour faire confiance à son autorité de certification :",
                  "To trust its certificate authority:"))
    typer.echo(f"  export SSL_CERT_FILE={info.ca_file}")
    typer.echo(f"  export {NAMESERVER_ENV}={info.nameserver}")
    typer.echo(tr("Domaines :", "Domains:") + " " + ", ".join(info.domains[:20])
               + (" …" if len(info.domains) > 20 else ""))
    typer.echo(tr("Exemple :", "Example:") + f" cyberdiag check ville-exemple.test "
               f"--nameserver {info.nameserver}")


@lab_app.command("start", help=h(
    "Démarrer le laboratoire (les communes de démonstration, plus --count communes générées).",
    "Start the lab (the demonstration municipalities, plus --count generated ones)."))
def lab_start(
    directory: DirOpt = Path("cyberdiag-lab"),
    count: Annotated[int, typer.Option("--count", help=h(
        "Nombre de communes générées en plus (0 à 200).",
        "Number of extra generated municipalities (0 to 200)."))] = 0,
    no_web: Annotated[bool, typer.Option("--no-web", help=h(
        "Sans serveurs web (nginx).", "Without web servers (nginx)."))] = False,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.errors import UserError
    from cyberdiag.lab.manager import start_lab

    if not 0 <= count <= 200:
        raise UserError("--count doit être entre 0 et 200.", "--count must be between 0 and 200.")
    info = start_lab(directory, count=count, web=not no_web)
    _describe(info)


@lab_app.command("stop", help=h("Arrêter le laboratoire.", "Stop the lab."))
def lab_stop(directory: DirOpt = Path("cyberdiag-lab"), lang: LangOpt = None) -> None:
    start(lang)
    from cyberdiag.i18n import tr
    from cyberdiag.lab.manager import stop_lab

    if stop_lab(directory):
        typer.echo(tr("Laboratoire arrêté.", "Lab stopped."))
    else:
        typer.echo(tr(f"Aucun laboratoire en marche dans {directory}.",
                      f"No lab running in {directory}."))


@lab_app.command("status", help=h(
    "État du laboratoire et serveur DNS à utiliser (--nameserver).",
    "Lab state and the nameserver to use (--nameserver)."))
def lab_status(directory: DirOpt = Path("cyberdiag-lab"), lang: LangOpt = None) -> None:
    start(lang)
    from cyberdiag.i18n import tr
    from cyberdiag.lab.manager import info

    lab = info(directory.resolve())
    if lab is None:
        typer.echo(tr(f"Aucun laboratoire en marche dans {directory} "
                      "(cyberdiag lab start --dir …).",
                      f"No lab running in {directory} (cyberdiag lab start --dir …)."))
        raise typer.Exit(1)
    _describe(lab)
