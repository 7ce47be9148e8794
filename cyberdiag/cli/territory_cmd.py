"""`cyberdiag territory ...`: the territorial store (import, status, report, export, check-all).

Only typer, the standard library and cyberdiag.cli.app at module level; each command imports
what it needs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cyberdiag.cli.app import JsonOpt, LangOpt, NameserverOpt, app, h, start

territory = typer.Typer(
    name="territory",
    help=h(
        "Suivi territorial : importer les diagnostics des communes, campagne après campagne, "
        "les comparer, proposer des services mutualisés, vérifier tous les domaines.\n\n"
        "Exemple : cyberdiag territory import diagnostics/ --campaign 2026 ; "
        "cyberdiag territory report -o territoire.pdf",
        "Territorial follow-up: import the municipalities' diagnostics, campaign after "
        "campaign, compare them, propose pooled services, check every domain.\n\n"
        "Example: cyberdiag territory import diagnostics/ --campaign 2026; "
        "cyberdiag territory report -o territoire.pdf",
    ),
    short_help=h(
        "Campagnes territoriales : import, comparaison, mutualisation.",
        "Territorial campaigns: import, compare, pool services.",
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(territory, name="territory")

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help=h(
            "Base territoriale SQLite (défaut : dossier de données de l'utilisateur, "
            "territoire.sqlite).",
            "Territorial SQLite store (default: the user's data folder, territoire.sqlite).",
        ),
        show_default=False,
    ),
]
CampaignOpt = Annotated[
    str | None,
    typer.Option(
        "--campaign",
        help=h("Campagne (défaut : la plus récente).", "Campaign (default: the latest)."),
        show_default=False,
    ),
]
NewCampaignOpt = Annotated[
    str | None,
    typer.Option(
        "--campaign",
        help=h("Campagne (défaut : l'année en cours).", "Campaign (default: this year)."),
        show_default=False,
    ),
]
NamedOpt = Annotated[
    bool,
    typer.Option(
        "--named",
        help=h(
            "Montrer les noms des communes (usage interne de l'ISD ; anonymisé par défaut).",
            "Show the municipalities' names (ISD internal use; anonymised by default).",
        ),
    ),
]
MunicipalitiesOpt = Annotated[
    Path | None,
    typer.Option(
        "--municipalities",
        "-m",
        help=h(
            "Liste des communes du territoire (CSV : insee, name, domains, population).",
            "The territory's municipalities (CSV: insee, name, domains, population).",
        ),
        show_default=False,
    ),
]


def _say(text: str) -> None:
    """A line on stdout: it may quote a campaign name or a path, so it goes through the one
    cleaning function (net.text.clean)."""
    from cyberdiag.net.text import clean

    sys.stdout.write(clean(text, 20_000) + "\n")


def _when(iso: str) -> str:
    """« 2026-03-01 10:00:00+01:00 »: the date as recorded, its offset kept."""
    return iso.replace("T", " ", 1)


def _campaign_or_this_year(campaign: str | None) -> str:
    from datetime import UTC, datetime

    return campaign or str(datetime.now(UTC).year)


@territory.command(
    "import",
    help=h(
        "Importer des fichiers diagnostic.json (fichiers ou dossiers, parcourus "
        "récursivement) dans une campagne. Les fichiers corrompus ou d'une version inconnue "
        "sont refusés (nom et raison), les autres importés ; une commune importée deux fois "
        "dans une campagne garde le diagnostic le plus récent. Tout ou rien : une interruption "
        "ne laisse rien d'à moitié écrit. Les diagnostics scellés (*.cyberdiag.age) sont "
        "ouverts avec la clé secrète du territoire (--identity).\n\n"
        "Exemple : cyberdiag territory import recus/ mairie-x/diagnostic.json --campaign 2026",
        "Import diagnostic.json files (files or folders, searched recursively) into a "
        "campaign. Corrupted or unknown-version files are refused (name and reason), the "
        "others imported; a municipality imported twice in a campaign keeps the newer "
        "diagnostic. All or nothing: an interruption leaves nothing half-written. Sealed "
        "diagnostics (*.cyberdiag.age) are opened with the territory's secret key "
        "(--identity).\n\n"
        "Example: cyberdiag territory import received/ town-x/diagnostic.json --campaign 2026",
    ),
)
def import_cmd(  # over 80 lines: the signature declares the command's options
    paths: Annotated[
        list[Path], typer.Argument(help=h("Fichiers ou dossiers.", "Files or folders."))
    ],
    campaign: NewCampaignOpt = None,
    identity: Annotated[
        Path | None,
        typer.Option(
            "--identity",
            help=h(
                "Clé secrète du territoire (cle-secrete.txt, écrite par territory keygen) pour "
                "ouvrir les diagnostics scellés (*.cyberdiag.age).",
                "The territory's secret key (cle-secrete.txt, written by territory keygen) to "
                "open the sealed diagnostics (*.cyberdiag.age).",
            ),
            show_default=False,
        ),
    ] = None,
    store: StoreOpt = None,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.cli.terminal import err_console, out_console
    from cyberdiag.cli.territory_view import say_to
    from cyberdiag.errors import UserError
    from cyberdiag.i18n import current, plural, tr
    from cyberdiag.territory.importer import import_files
    from cyberdiag.territory.store import open_store

    name = _campaign_or_this_year(campaign)
    with open_store(store, write=True) as s:
        rep = import_files(s, paths, name, identity)
        where = s.path
    lg = current()
    say_err = say_to(err_console())  # file names and reasons quote outside text
    for r in rep.refused:
        reason = r.reason.get(lg)
        if r.path.name not in reason:
            reason = f"{r.path} — {reason}"
        say_err(tr("Refusé : ", "Refused: ") + reason)
    say_name = say_to(out_console())  # these lines quote the municipalities' names
    for r in rep.skipped:
        say_name(
            tr(
                f"Ignoré : {r.path} (ce n'est pas un diagnostic : un fichier de résultats ou "
                "autre, laissé de côté).",
                f"Skipped: {r.path} (not a diagnostic: a results file or other, left aside).",
            )
        )
    for d in rep.superseded:
        say_name(
            tr(
                f"{d.name} (INSEE {d.insee}) : deux diagnostics dans la campagne {name} ; "
                f"conservé le plus récent : {d.kept} (du {_when(d.kept_created_at)}) ; écarté : "
                f"{d.dropped} (du {_when(d.dropped_created_at)}).",
                f"{d.name} (INSEE {d.insee}): two diagnostics in campaign {name}; kept the "
                f"newer: {d.kept} (of {_when(d.kept_created_at)}); dropped: {d.dropped} (of "
                f"{_when(d.dropped_created_at)}).",
            )
        )
    if rep.unchanged:
        k = len(rep.unchanged)
        _say(
            plural(k, tr("diagnostic déjà présent à l'identique", "diagnostic already present"),
                   tr("diagnostics déjà présents à l'identique", "diagnostics already present"))
            + tr(" (même commune, même date) : ignoré.", " (same municipality, same date): "
                 "skipped.")
        )
    n = len(rep.imported)
    _say(
        tr(
            plural(n, "diagnostic importé", "diagnostics importés")
            + f" dans la campagne {name} ({where}).",
            plural(n, "diagnostic", "diagnostics") + f" imported into campaign {name} ({where}).",
        )
    )
    if rep.refused:
        k = len(rep.refused)
        raise UserError(
            plural(k, "fichier refusé", "fichiers refusés", "fr")
            + " (voir ci-dessus) ; les autres ont été importés.",
            plural(k, "file", "files", "en") + " refused (see above); the others were imported.",
        )


@territory.command(
    help=h(
        "Qui a répondu dans quelle campagne, et la couverture par strate. Avec "
        "--municipalities, enregistre d'abord la liste des communes du territoire.\n\n"
        "Exemple : cyberdiag territory status --municipalities communes.csv",
        "Who has answered in which campaign, and coverage per tier. With --municipalities, "
        "first records the list of the territory's municipalities.\n\n"
        "Example: cyberdiag territory status --municipalities municipalities.csv",
    )
)
def status(
    campaign: CampaignOpt = None,
    municipalities: MunicipalitiesOpt = None,
    store: StoreOpt = None,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    start(lang)
    import json

    from cyberdiag.territory.roster import read_roster, save_roster
    from cyberdiag.territory.status import build_status
    from cyberdiag.territory.store import open_store

    writing = municipalities is not None  # the list is saved: a writer
    with open_store(store, create=writing, write=writing) as s:
        if municipalities is not None:
            save_roster(s, read_roster(municipalities))
        st = build_status(s, campaign)
    if json_out:
        from cyberdiag.cli.terminal import print_json

        print_json(json.dumps(st.as_dict(), ensure_ascii=False, indent=1))
        return
    from cyberdiag.cli.territory_view import print_status

    print_status(st)


@territory.command(
    help=h(
        "Rapport territorial (PDF ou HTML selon l'extension) : communes au niveau attendu "
        "pour leur strate, niveaux, écarts sur les communes concernées, qui fait quoi et "
        "propositions de mutualisation, check-all en regard de l'auto-diagnostic, carte de "
        "chaleur, médianes, évolution, couverture. En .html : un tableau de bord en un seul "
        "fichier (tri, filtres, sans connexion). Anonymisé par défaut.\n\n"
        "Exemple : cyberdiag territory report --campaign 2026 -o territoire.html",
        "Territorial report (PDF or HTML from the extension): municipalities at the level "
        "expected for their tier, levels, gaps over the municipalities concerned, who does "
        "what and pooling proposals, check-all beside the self-assessment, heatmap, medians, "
        "trend, coverage. As .html: a dashboard in one single file (sorting, filters, "
        "offline). Anonymised by default.\n\n"
        "Example: cyberdiag territory report --campaign 2026 -o territory.html",
    )
)
def report(
    campaign: CampaignOpt = None,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help=h("Fichier .pdf ou .html.", ".pdf or .html file.")),
    ] = Path("territoire.pdf"),
    named: NamedOpt = False,
    store: StoreOpt = None,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.cli.terminal import spinner
    from cyberdiag.i18n import current, tr
    from cyberdiag.territory.aggregate import build_view
    from cyberdiag.territory.report import write_report
    from cyberdiag.territory.store import open_store

    with spinner(tr(f"Rapport territorial en cours : {output}…",
                    f"Writing the territorial report: {output}…")):
        with open_store(store, create=False) as s:
            view = build_view(s, campaign, named=named)
        write_report(view, output, current())
    _say(tr(f"Rapport territorial écrit : {output}", f"Territorial report written: {output}"))


@territory.command(
    help=h(
        "Exporter une ligne par commune et par domaine, en CSV (UTF-8 avec BOM, s'ouvre "
        "dans LibreOffice et Excel) ou JSON. Anonymisé par défaut.\n\n"
        "Exemple : cyberdiag territory export --format csv --semicolon -o territoire.csv",
        "Export one row per municipality and domain, as CSV (UTF-8 with BOM, opens in "
        "LibreOffice and Excel) or JSON. Anonymised by default.\n\n"
        "Example: cyberdiag territory export --format csv -o territory.csv",
    )
)
def export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=h("csv ou json.", "csv or json."))
    ] = "csv",
    semicolon: Annotated[
        bool,
        typer.Option(
            "--semicolon",
            help=h(
                "Séparateur point-virgule et virgule décimale (tableurs en français).",
                "Semicolon separator and decimal comma (French spreadsheets).",
            ),
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help=h("Fichier (défaut : sortie standard).", "File (default: standard output)."),
            show_default=False,
        ),
    ] = None,
    campaign: CampaignOpt = None,
    named: NamedOpt = False,
    per_commune: Annotated[
        bool,
        typer.Option(
            "--summary",
            help=h(
                "Synthèse : une ligne par commune (avec --named) ou par groupe d'au moins 5 "
                "communes (anonymisé) — niveau, plafonds et leur cause, constats, scores par "
                "domaine, dernières vérifications check-all ; CSV au format des tableurs "
                "français (point-virgule, virgule décimale).",
                "Summary: one row per municipality (with --named) or per group of at least 5 "
                "municipalities (anonymised) — level, caps and their cause, findings, domain "
                "scores, latest check-all results; CSV in French spreadsheet format "
                "(semicolon, decimal comma).",
            ),
        ),
    ] = False,
    store: StoreOpt = None,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.errors import UserError
    from cyberdiag.fileio import write_private
    from cyberdiag.i18n import current
    from cyberdiag.territory.export import export_rows, to_csv, to_json
    from cyberdiag.territory.store import open_store

    if fmt not in ("csv", "json"):
        raise UserError(
            f"Format inconnu « {fmt} » : choisir csv ou json.",
            f"Unknown format '{fmt}': choose csv or json.",
        )
    if per_commune:
        from cyberdiag.territory import summary as sm

        with open_store(store, create=False) as s:
            summ = sm.summary(s, campaign, named=named, lang=current())
        text = sm.to_csv(summ, current()) if fmt == "csv" else sm.to_json(summ)
    else:
        with open_store(store, create=False) as s:
            name = s.resolve_campaign(campaign)
            rows = export_rows(s, name, named=named, lang=current())
        if fmt == "csv":
            text = to_csv(rows, named=named, semicolon=semicolon, lang=current())
        else:
            text = to_json(rows, campaign=name, named=named)
    if output is None:
        sys.stdout.write(text)
    else:
        write_private(output, text)


@territory.command(
    "check-all",
    help=h(
        "Vérifications passives (DNS, messagerie, web) des domaines de toutes les communes "
        "de la liste, en parallèle mais poliment (concurrence bornée, débit limité par "
        "serveur DNS). Reprend là où une interruption l'a arrêtée : ce qui est fait n'est "
        "jamais refait.\n\n"
        "Exemple : cyberdiag territory check-all --municipalities communes.csv "
        "--nameserver 127.0.0.1:5353 --campaign 2026",
        "Passive checks (DNS, e-mail, web) of every listed municipality's domains, "
        "concurrently but politely (bounded concurrency, rate limited per nameserver). "
        "Resumes where an interruption stopped it: what is done is never redone.\n\n"
        "Example: cyberdiag territory check-all --municipalities municipalities.csv "
        "--nameserver 127.0.0.1:5353 --campaign 2026",
    ),
)
def check_all(
    municipalities: Annotated[
        Path,
        typer.Option(
            "--municipalities",
            "-m",
            help=h(
                "Liste des communes (CSV : insee, name, domains, population).",
                "The municipalities (CSV: insee, name, domains, population).",
            ),
        ),
    ],
    nameserver: NameserverOpt = None,
    campaign: NewCampaignOpt = None,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency",
            help=h("Communes vérifiées en même temps.", "Municipalities checked at once."),
            min=1,
            max=64,
        ),
    ] = 4,
    rate: Annotated[
        float,
        typer.Option(
            "--rate",
            help=h(
                "Domaines lancés par seconde et par serveur DNS (politesse).",
                "Domains started per second and per nameserver (politeness).",
            ),
            min=0.01,
        ),
    ] = 2.0,
    timeout: Annotated[
        float,
        typer.Option("--timeout", help=h("Délai réseau (s).", "Network timeout (s)."), min=0.1),
    ] = 5.0,
    retry_not_tested: Annotated[
        bool,
        typer.Option(
            "--retry-not-tested",
            help=h(
                "Refaire les communes dont aucune vérification n'a pu être menée.",
                "Redo the municipalities none of whose checks could be carried out.",
            ),
        ),
    ] = False,
    store: StoreOpt = None,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.cli.territory_view import check_all_display
    from cyberdiag.territory.checkall import run_check_all

    say, bar = check_all_display()
    run_check_all(
        municipalities,
        nameservers=nameserver or [],
        campaign=_campaign_or_this_year(campaign),
        store_path=store,
        concurrency=concurrency,
        rate=rate,
        timeout=timeout,
        retry_not_tested=retry_not_tested,
        progress=bar,
        say=say,
    )


@territory.command(
    "keygen",
    help=h(
        "Créer la paire de clés du territoire pour la collecte scellée : la clé secrète "
        "(cle-secrete.txt, droits 0600, à garder au service informatique et à sauvegarder) et "
        "la clé publique (cle-publique.txt, à donner aux communes avec les consignes de la "
        "campagne). Les communes scellent leur diagnostic pour la clé publique (cyberdiag "
        "seal) ; seule la clé secrète les ouvre (territory import --identity).\n\n"
        "Exemple : cyberdiag territory keygen -d cles/",
        "Make the territory's key pair for the sealed collection: the secret key "
        "(cle-secrete.txt, mode 0600, to keep in the IT service and back up) and the public "
        "key (cle-publique.txt, to give to the municipalities with the campaign's "
        "instructions). Municipalities seal their diagnostic for the public key (cyberdiag "
        "seal); only the secret key opens them (territory import --identity).\n\n"
        "Example: cyberdiag territory keygen -d keys/",
    ),
)
def keygen(
    folder: Annotated[
        Path,
        typer.Option(
            "--dir",
            "-d",
            help=h("Dossier où écrire les deux clés.", "Folder to write both keys in."),
        ),
    ] = Path("."),
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.i18n import tr
    from cyberdiag.sealing import keygen as make_keys

    pair = make_keys(folder)
    _say(
        tr(
            f"Clé secrète : {pair.secret_path} (droits 0600). Gardez-la au service informatique, "
            "sauvegardez-en une copie hors ligne : sans elle, les diagnostics scellés ne "
            "peuvent plus être ouverts. Ne la diffusez jamais.",
            f"Secret key: {pair.secret_path} (mode 0600). Keep it in the IT service and keep an "
            "offline backup copy: without it, the sealed diagnostics can no longer be opened. "
            "Never share it.",
        )
    )
    _say(
        tr(
            f"Clé publique (à donner aux communes, dans {pair.public_path}) :",
            f"Public key (to give to the municipalities, in {pair.public_path}):",
        )
    )
    _say(pair.public)
