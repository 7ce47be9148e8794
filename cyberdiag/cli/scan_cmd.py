"""`cyberdiag scan`: the opt-in exposure scan of the municipality's declared public addresses.

Only typer, the standard library and cyberdiag.cli.app are imported at module level (fast
--help): the command imports its terminal side, cyberdiag/cli/scan_view.py, when it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cyberdiag.cli.app import JsonOpt, LangOpt, NameserverOpt, ProfileOpt, app, h, start

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
HostTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--host-timeout",
        help=h(
            "Temps maximal par adresse, en secondes (défaut : 120, 300 avec "
            "--service-versions). Une adresse qui le dépasse est « non testée », jamais "
            "« réussie ».",
            "Time limit per address, in seconds (default: 120, 300 with --service-versions). "
            "An address that exceeds it is 'not tested', never 'passed'.",
        ),
        min=0.1,
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
    host_timeout: HostTimeoutOpt = None,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.cli.scan_view import ScanOptions, scan_command

    scan_command(
        ScanOptions(
            profile=profile,
            ports=ports,
            service_versions=service_versions,
            authorized=authorized,
            targets=list(target or []),
            nameservers=list(nameserver or []),
            json_out=json_out,
            output=output,
            host_timeout=host_timeout,
        )
    )
