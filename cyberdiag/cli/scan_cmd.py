"""`cyberdiag scan`: the opt-in exposure scan of the municipality's declared public addresses.

Only typer, the standard library and cyberdiag.cli.app are imported at module level; nmap, rich,
dnspython and the scan logic (cyberdiag.checks.exposure) are imported inside the command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cyberdiag.cli.app import JsonOpt, LangOpt, NameserverOpt, ProfileOpt, app, h, start

if TYPE_CHECKING:
    from rich.console import Console

    from cyberdiag.checks.exposure import ScanOutcome, Target
    from cyberdiag.models import CheckRun, PortCatalogue


PortsOpt = Annotated[
    str,
    typer.Option(
        "--ports",
        help=h(
            "Ports à scanner : risky (services à risque du catalogue, défaut), top100 (les "
            "mêmes + les 100 ports les plus courants selon nmap) ou une liste, ex. "
            "22,80,8000-8010.",
            "Ports to scan: risky (the catalogue's risky services, default), top100 (the same "
            "+ nmap's 100 most common ports) or a list, e.g. 22,80,8000-8010.",
        ),
    ),
]
VersionsOpt = Annotated[
    bool,
    typer.Option(
        "--service-versions",
        help=h(
            "Identifier les logiciels et versions des services ouverts (nmap -sV, plus lent).",
            "Identify the software and versions of open services (nmap -sV, slower).",
        ),
    ),
]
AuthorizedOpt = Annotated[
    bool,
    typer.Option(
        "--authorized",
        help=h(
            "Je dispose de l'autorisation écrite de la commune (propriétaire des adresses) : "
            "ne pas demander de confirmation. Sans cette option, la confirmation est demandée "
            "sur un terminal ; hors terminal, rien n'est envoyé.",
            "I hold the written authorisation of the municipality (owner of the addresses): do "
            "not ask for confirmation. Without it, confirmation is asked on a terminal; "
            "otherwise nothing is sent.",
        ),
    ),
]
TargetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--target",
        "-t",
        help=h(
            "Ne scanner qu'une partie du périmètre déclaré : une adresse, une plage ou un nom "
            "figurant dans public_addresses (répétable). Toute autre cible est refusée.",
            "Scan only part of the declared scope: an address, range or name found in "
            "public_addresses (repeatable). Any other target is refused.",
        ),
        show_default=False,
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help=h(
            "Enregistrer les résultats (JSON, lisible par «\u00a0cyberdiag score --checks\u00a0»), "
            "fichier privé 0600.",
            "Save the results (JSON, read by `cyberdiag score --checks`), private file 0600.",
        ),
        show_default=False,
    ),
]


def _confirm(question: str) -> bool:
    """Ask on the terminal; only an explicit yes (o, oui, y, yes) counts. Default: no."""
    from cyberdiag.i18n import tr

    answer = typer.prompt(
        question, default="", show_default=False, err=True, prompt_suffix=tr(" : ", ": ")
    )
    return str(answer).strip().lower() in ("o", "oui", "y", "yes")


def _interactive() -> bool:
    """Can we ask the user a question? (stdin is a terminal)"""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


@app.command(
    "scan",
    short_help=h(
        "Scan d'exposition (sur autorisation).",
        "Exposure scan (with authorisation).",
    ),
    help=h(
        "Scan d'exposition (sur autorisation) des adresses publiques déclarées dans le profil "
        "de la commune : bureau à distance, partage de fichiers, bases de données, interfaces "
        "d'administration… visibles depuis Internet. Utilise nmap (scan TCP connect, sans "
        "privilège). Seules les adresses de public_addresses sont scannées.\n\n"
        "Exemples :\n\n"
        "  cyberdiag scan -p municipality.yaml\n\n"
        "  cyberdiag scan -p municipality.yaml --ports top100 --authorized -o scan.json\n\n"
        "  cyberdiag scan -p municipality.yaml --ports 22,3389,8000-8010 --nameserver 9.9.9.9 "
        "--service-versions\n\n"
        "Puis : cyberdiag score --checks scan.json",
        "Exposure scan (with authorisation) of the public addresses declared in the "
        "municipality's profile: remote desktop, file sharing, databases, administration "
        "interfaces… visible from the Internet. Uses nmap (TCP connect scan, no privileges). "
        "Only the addresses in public_addresses are scanned.\n\n"
        "Examples:\n\n"
        "  cyberdiag scan -p municipality.yaml\n\n"
        "  cyberdiag scan -p municipality.yaml --ports top100 --authorized -o scan.json\n\n"
        "  cyberdiag scan -p municipality.yaml --ports 22,3389,8000-8010 --nameserver 9.9.9.9 "
        "--service-versions\n\n"
        "Then: cyberdiag score --checks scan.json",
    ),
)
def scan(
    profile: ProfileOpt = Path("municipality.yaml"),
    ports: PortsOpt = "risky",
    service_versions: VersionsOpt = False,
    authorized: AuthorizedOpt = False,
    target: TargetOpt = None,
    nameserver: NameserverOpt = None,
    json_out: JsonOpt = False,
    output: OutputOpt = None,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from datetime import UTC, datetime

    from rich.console import Console

    from cyberdiag.checks import exposure
    from cyberdiag.errors import UserError
    from cyberdiag.i18n import tr
    from cyberdiag.net.dnsclient import make_resolver
    from cyberdiag.selfaudit import load_profile_file

    err = Console(stderr=True, highlight=False)
    # 1. Everything is validated before anything is sent (not even a DNS query).
    catalogue = exposure.load_port_catalogue()
    port_list = exposure.parse_ports(ports, catalogue)
    prof = load_profile_file(profile)
    entries = exposure.declared_scope(prof)
    if target:
        entries = exposure.restrict_scope(entries, target)
    names = [e.text for e in entries if e.kind == "hostname"]
    resolver = make_resolver(list(nameserver)) if nameserver else None
    if names and resolver is None:
        raise UserError(
            f"Le profil contient des noms ({', '.join(names[:3])}) : indiquez le serveur DNS à "
            "utiliser avec --nameserver IP[:PORT] (le résolveur du système n'est jamais "
            "utilisé).",
            f"The profile contains names ({', '.join(names[:3])}): give the DNS server to use "
            "with --nameserver IP[:PORT] (the system resolver is never used).",
        )
    interactive = _interactive()
    if not authorized and not interactive:
        raise UserError(
            "Scan refusé : scanner des adresses exige l'autorisation de leur propriétaire (la "
            "commune). Avec cette autorisation, relancez avec --authorized, ou lancez la "
            "commande dans un terminal pour confirmer. Rien n'a été envoyé.",
            "Scan refused: scanning addresses requires their owner's authorisation (the "
            "municipality). With that authorisation, run again with --authorized, or run the "
            "command in a terminal to confirm. Nothing was sent.",
        )

    # 2. Names -> addresses (through --nameserver only), then the plan, then the confirmation.
    targets = exposure.expand_targets(entries, resolver)
    _show_plan(err, targets, port_list, service_versions, bool(names))
    if not authorized:
        if not _confirm(
            tr(
                "Je confirme que la commune m'autorise à scanner ces adresses [o/N]",
                "I confirm that the municipality authorises me to scan these addresses [y/N]",
            )
        ):
            raise UserError(
                "Scan annulé : sans l'autorisation du propriétaire des adresses, rien n'est "
                "envoyé. Rien n'a été envoyé.",
                "Scan cancelled: without the owner's authorisation nothing is sent. Nothing was "
                "sent.",
            )

    # 3. The scan.
    started = datetime.now(UTC)
    outcome = _scan_with_progress(err, targets, port_list, service_versions)
    results = exposure.build_results(targets, outcome, catalogue, port_list, service_versions)
    run = exposure.make_run(results, outcome, started, list(nameserver or []))
    if output is not None:
        from cyberdiag.fileio import write_private

        try:
            write_private(output, run.model_dump_json(indent=2) + "\n")
        except OSError as exc:
            raise UserError(
                f"Impossible d'écrire {output} : {exc.strerror or exc}",
                f"Cannot write {output}: {exc.strerror or exc}",
            ) from None
    if json_out:
        sys.stdout.write(run.model_dump_json(indent=2) + "\n")
    else:
        _show_results(Console(highlight=False), run, catalogue)

    # 4. What went wrong, if anything, and the exit code (UserError -> 1, Abort -> 130, both
    # handled by cyberdiag.cli.main, after the results were saved and shown).
    if outcome.nmap_problem is not None:
        problem = outcome.nmap_problem
        raise UserError(
            f"scan impossible, {problem.fr}. Les résultats sont enregistrés comme « non testé ».",
            f"cannot scan, {problem.en}. The results are recorded as 'not tested'.",
        )
    if outcome.interrupted:
        saved = (
            tr(
                f" Résultats partiels enregistrés dans {output}.",
                f" Partial results saved to {output}.",
            )
            if output
            else ""
        )
        err.print(
            tr(
                "Scan interrompu : les adresses non scannées sont marquées « non testé ».",
                "Scan interrupted: the addresses not scanned are marked 'not tested'.",
            )
            + saved
        )
        raise typer.Abort()
    if output is not None:
        err.print(
            tr(
                f"Résultats enregistrés dans {output} (cyberdiag score --checks {output}).",
                f"Results saved to {output} (cyberdiag score --checks {output}).",
            )
        )


def _show_plan(
    err: Console, targets: list[Target], ports: list[int], versions: bool, has_names: bool
) -> None:
    from rich.table import Table

    from cyberdiag.checks.exposure import port_spec
    from cyberdiag.i18n import tr

    table = Table(title=tr("Cibles du scan", "Scan targets"), title_justify="left")
    table.add_column(tr("Déclarée", "Declared"))
    table.add_column(tr("Adresses scannées", "Addresses scanned"))
    for t in targets:
        if t.problem is not None:
            shown = tr(f"aucune ({t.problem.fr})", f"none ({t.problem.en})")
        elif len(t.addresses) > 4:
            shown = tr(
                f"{len(t.addresses)} adresses ({t.addresses[0]} … {t.addresses[-1]})",
                f"{len(t.addresses)} addresses ({t.addresses[0]} … {t.addresses[-1]})",
            )
        else:
            shown = ", ".join(t.addresses)
        table.add_row(t.label, shown)
    err.print(table)
    spec = port_spec(ports)
    err.print(
        tr(f"Ports TCP ({len(ports)}) : ", f"TCP ports ({len(ports)}): ")
        + (spec if len(spec) <= 160 else spec[:157] + "…")
    )
    mode = tr("scan TCP connect (nmap -sT -n -Pn)", "TCP connect scan (nmap -sT -n -Pn)")
    if versions:
        mode += tr(" avec identification des versions (-sV)", " with version detection (-sV)")
    err.print(mode)
    if has_names:
        err.print(
            tr(
                "Attention : un nom peut pointer vers le serveur d'un hébergeur partagé avec "
                "d'autres clients ; l'autorisation doit couvrir les adresses ci-dessus.",
                "Warning: a name may point to a hosting provider's server shared with other "
                "customers; the authorisation must cover the addresses above.",
            )
        )


def _scan_with_progress(
    err: Console, targets: list[Target], ports: list[int], versions: bool
) -> ScanOutcome:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from cyberdiag.checks.exposure import run_scan
    from cyberdiag.i18n import tr

    total = len({ip for t in targets for ip in t.addresses})
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task(tr("Scan", "Scan"), total=total or 1)

        def on_progress(label: str, done: int) -> None:
            progress.update(task, advance=done, description=label)

        return run_scan(targets, ports, service_versions=versions, on_progress=on_progress)


_STATUS_STYLE = {
    "pass": ("green", "OK", "OK"),
    "warn": ("yellow", "À surveiller", "Warning"),
    "fail": ("bold red", "Échec", "Fail"),
    "not_tested": ("dim", "Non testé", "Not tested"),
    "not_applicable": ("dim", "Sans objet", "N/A"),
}


def _show_results(out: Console, run: CheckRun, catalogue: PortCatalogue) -> None:
    from rich.markup import escape
    from rich.table import Table

    from cyberdiag.i18n import current, tr

    lang = current()
    table = Table(
        title=tr("Résultats du scan d'exposition", "Exposure scan results"),
        title_justify="left",
        show_lines=True,
    )
    table.add_column(tr("Cible", "Target"))
    table.add_column(tr("Vérification", "Check"))
    table.add_column(tr("Statut", "Status"))
    table.add_column(tr("Détail", "Detail"), overflow="fold")
    check_names = {
        "exposure.risky_services": tr("Services à risque", "Risky services"),
        "exposure.open_ports": tr("Autres ports ouverts", "Other open ports"),
    }
    for r in run.results:
        style, fr, en = _STATUS_STYLE[r.status]
        table.add_row(
            escape(r.target),
            check_names.get(r.id, r.id),
            f"[{style}]{tr(fr, en)}[/]",
            escape(r.message.get(lang)),
        )
    out.print(table)

    by_port = {p.port: p for p in catalogue.ports}
    seen: set[int] = set()
    for r in run.results:
        for svc in r.evidence.get("services", []):
            port = svc.get("port")
            info = by_port.get(port) if isinstance(port, int) else None
            if info is None or port in seen:
                continue
            seen.add(info.port)
            out.print(
                f"[bold]• {escape(info.title.get(lang))}[/] ({info.port}/tcp) — "
                + escape(info.explanation.get(lang))
            )
            out.print("  " + tr("À faire : ", "To do: ") + escape(info.remediation.get(lang)))
    if run.interrupted:
        out.print(
            tr(
                "[yellow]Scan interrompu : résultats partiels.[/]",
                "[yellow]Scan interrupted: partial results.[/]",
            )
        )
