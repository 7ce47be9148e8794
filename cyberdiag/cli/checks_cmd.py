"""Commands `cyberdiag check` (passive DNS, e-mail and web checks) and `cyberdiag lab ...`.

Only typer, the standard library and cyberdiag.cli.app at module level (fast --help): the
command functions import the rest of the package, and rich through cyberdiag.cli.terminal,
when they run.
"""

from __future__ import annotations

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
        "DKIM, MTA-STS, STARTTLS, DNSSEC, serveurs de noms, HTTPS, en-têtes…), ceux du profil "
        "municipality.yaml du dossier si aucun n'est donné. Les résolutions passent par le "
        "résolveur du poste, ou par --nameserver (ou la variable CYBERDIAG_NAMESERVER) pour "
        "un audit reproductible.\n\n"
        "Exemples :\n\n"
        "  cyberdiag check ville-exemple.fr --nameserver 9.9.9.9\n\n"
        "  cyberdiag check --profile municipality.yaml -n 9.9.9.9 -o checks.json\n\n"
        "  cyberdiag check ville-exemple.test -n 127.121.0.53 --only mail.spf,mail.dmarc --json",
        "Passive DNS, e-mail and web checks of one or more domains (SPF, DMARC, DKIM, MTA-STS, "
        "STARTTLS, DNSSEC, nameservers, HTTPS, headers…), those of the folder's "
        "municipality.yaml when none is given. Lookups go through the computer's own resolver, "
        "or through --nameserver (or the CYBERDIAG_NAMESERVER variable) for a reproducible "
        "audit.\n\n"
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
        typer.Argument(help=h("Domaines à vérifier (sinon ceux du profil).",
                              "Domains to check (else the profile's)."), show_default=False),
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

    if output is not None:  # before anything else: the results will have a place
        from cyberdiag.fileio import OUTPUT_HINT, check_writable

        check_writable(output, need=1_000_000, hint=OUTPUT_HINT)
    prof, names = _what_to_check(domains, profile)
    servers, source = _nameservers(nameserver)
    if not json_out:
        _say_resolver(servers, source)
    only_ids = [s.strip() for s in only.split(",") if s.strip()] if only else None
    started = datetime.now(UTC)
    done: list[CheckResult] = []
    try:
        results = _run_with_progress(names, servers, timeout, prof, only_ids, done,
                                     quiet=json_out)
    except KeyboardInterrupt:
        if output is not None:  # keep what was done, marked as interrupted
            write_check_run(output, make_check_run(done, nameservers=servers,
                                                   started_at=started, interrupted=True,
                                                   nameserver_source=source))
        raise
    run = make_check_run(results, nameservers=servers, started_at=started,
                         nameserver_source=source)
    if output is not None:
        write_check_run(output, run)
    if json_out:
        from cyberdiag.cli.terminal import print_json  # lazy: rich (start-up time)

        print_json(run.model_dump_json(indent=2))
        return
    _print_table(results)
    if output is not None:
        typer.echo(tr(f"Résultats écrits dans {output}", f"Results written to {output}"))



DEFAULT_PROFILE = Path("municipality.yaml")


def _what_to_check(domains: list[str] | None, profile: Path | None) -> tuple[Any, list[str]]:
    """(the profile or None, the domains to check): those given, else the profile's (--profile,
    else municipality.yaml in the current folder when there is one)."""
    from cyberdiag.errors import UserError
    from cyberdiag.i18n import tr
    from cyberdiag.loading import load_profile

    if profile is None and not domains and DEFAULT_PROFILE.is_file():
        profile = DEFAULT_PROFILE
        typer.echo(tr(f"Profil : {profile}", f"Profile: {profile}"), err=True)
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


def _nameservers(nameserver: list[str] | None) -> tuple[list[str], str]:
    """(nameservers, source): --nameserver, else CYBERDIAG_NAMESERVER, else the computer's own
    resolver; UserError when there is none at all."""
    from cyberdiag.errors import UserError
    from cyberdiag.net.dnsclient import choose_nameservers

    servers, source = choose_nameservers(nameserver)
    if not servers:
        raise UserError(
            "Aucun serveur DNS : ce poste n'a pas de résolveur configuré (/etc/resolv.conf). "
            "Indiquer celui à utiliser avec --nameserver IP[:PORT] (par exemple le résolveur "
            "de votre fournisseur d'accès), ou la variable CYBERDIAG_NAMESERVER.",
            "No nameserver: this computer has no resolver configured (/etc/resolv.conf). Give "
            "the one to use with --nameserver IP[:PORT] (for example your Internet provider's "
            "resolver), or the CYBERDIAG_NAMESERVER variable.",
        )
    return servers, source


def _say_resolver(servers: list[str], source: str) -> None:
    """Which resolver the lookups go through, on stderr (« Résolveur du poste : … »)."""
    from cyberdiag.i18n import current, tr
    from cyberdiag.net.dnsclient import SOURCE_SYSTEM, resolver_label

    label = resolver_label(servers, source, current())
    line = label[:1].upper() + label[1:]
    if source == SOURCE_SYSTEM:
        line += tr(" (pour un audit reproductible : --nameserver IP)",
                   " (for a reproducible audit: --nameserver IP)")
    typer.echo(line, err=True)

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
    console = out_console()
    summary = counts_line([r.status for r in results])
    untested, trouble = _same_trouble(results)
    tested = [r for r in results if r.status != "not_applicable"]
    if untested and len(untested) == len(tested):
        # One cause for everything (the DNS server does not answer): one line, not a table.
        console.print(outside(tr(f"Aucune vérification possible : {trouble}.",
                                 f"No check could be made: {trouble}."), 4000))
        console.print(outside(tr(f"Bilan : {summary}", f"Summary: {summary}")))
        return
    catalogue = _catalogue_titles()
    table = Table(show_lines=False, header_style="bold")
    table.add_column(tr("Domaine", "Domain"), no_wrap=True)
    table.add_column(tr("Vérification", "Check"))
    table.add_column(tr("Résultat", "Result"), no_wrap=True)
    table.add_column(tr("Détail", "Details"))
    grouped = untested or []
    for r in results:
        if r in grouped and r is not grouped[0]:
            continue  # shown once, on the first row of the group
        meta = catalogue.get(r.id)
        title = meta.title.get(lang) if meta else r.id
        check = Text.assemble(outside(title), "\n", Text(r.id, style="dim"))
        message, n = r.message.get(lang), 1
        if r is (grouped[0] if grouped else None):
            n = len(grouped)
            check, message = Text(tr(f"{n} vérifications", f"{n} checks")), trouble
        table.add_row(outside(r.target), check, status_text(r.status, count=n),
                      outside(message, 4000), end_section=False)
    console.print(table)
    console.print(outside(tr(f"Bilan : {summary}", f"Summary: {summary}")))


def _same_trouble(results: list[CheckResult]) -> tuple[list[CheckResult], str]:
    """The not-tested results due to one DNS server that does not answer (same server, same
    error), when there are at least three of them, and that cause in words: shown once."""
    import re
    from collections import Counter

    from cyberdiag.i18n import current, tr

    def key(r: CheckResult) -> tuple[str, str] | None:
        ev = r.evidence
        if r.status != "not_tested" or not isinstance(ev.get("server"), str):
            return None
        return ev["server"], str(ev.get("error", ""))

    keys = Counter(k for k in map(key, results) if k is not None)
    if not keys or keys.most_common(1)[0][1] < 3:
        return [], ""
    top = keys.most_common(1)[0][0]
    group = [r for r in results if key(r) == top]
    reason = group[0].reason.get(current()) if group[0].reason else ""
    found = re.search(r"\(([^()]*)\)$", reason)
    why = f" ({found.group(1)})" if found else ""
    return group, tr(f"le serveur DNS {top[0]} ne répond pas{why}",
                     f"the DNS server {top[0]} does not answer{why}")


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
    from cyberdiag.cli.terminal import spinner
    from cyberdiag.i18n import tr

    with spinner(tr("Démarrage du laboratoire (NSD, unbound, SMTP, nginx)…",
                    "Starting the lab (NSD, unbound, SMTP, nginx)…")):
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
