"""Self-audit core commands: init, validate, questionnaire, score.

Only typer and the standard library at module level (fast --help); each command imports what it
needs. The commands only wire: logic lives in municipality, loading, answering, scoring and
diagnostic; the terminal dialogues in cli/init_prompts.py and cli/interview.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cyberdiag.cli.app import AnswersOpt, LangOpt, ProfileOpt, SealToOpt, app, h, start

OutputOpt = Annotated[
    Path, typer.Option("--output", "-o", help=h("Fichier à écrire.", "File to write."))
]


@app.command(
    help=h(
        "Décrire la commune et écrire municipality.yaml (nom, code INSEE, population, agents, "
        "informatique, domaines, adresses publiques).\n\n"
        "Exemple : cyberdiag init --name Ville-Exemple --insee 59999 --population 6500 "
        "--agents 85 --it-staff --domain ville-exemple.fr",
        "Describe the municipality and write municipality.yaml (name, INSEE code, population, "
        "staff, IT, domains, public addresses).\n\n"
        "Example: cyberdiag init --name Ville-Exemple --insee 59999 --population 6500 "
        "--agents 85 --it-staff --domain ville-exemple.fr",
    ),
    short_help=h("Décrire la commune (municipality.yaml).", "Describe the municipality."),
)
def init(  # over 80 lines: the signature declares the command's sixteen options
    output: OutputOpt = Path("municipality.yaml"),
    name: Annotated[str | None, typer.Option(help=h("Nom de la commune.", "Name."))] = None,
    insee: Annotated[
        str | None, typer.Option(help=h("Code INSEE (5 caractères).", "INSEE code."))
    ] = None,
    population: Annotated[int | None, typer.Option(help=h("Population.", "Population."))] = None,
    agents: Annotated[
        int | None, typer.Option(help=h("Nombre d'agents.", "Number of staff."))
    ] = None,
    it_staff: Annotated[
        bool | None,
        typer.Option(
            "--it-staff/--no-it-staff",
            help=h("La commune a du personnel informatique.", "The municipality has IT staff."),
            show_default=False,
        ),
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option(help=h("Prestataire informatique (nom).", "IT provider (name).")),
    ] = None,
    domain: Annotated[
        list[str] | None,
        typer.Option(help=h("Nom de domaine (répétable).", "Domain name (repeatable).")),
    ] = None,
    dkim_selector: Annotated[
        list[str] | None,
        typer.Option(help=h("Sélecteur DKIM connu (répétable).", "Known DKIM selector.")),
    ] = None,
    address: Annotated[
        list[str] | None,
        typer.Option(
            help=h(
                "Adresse IP, plage CIDR ou nom public de la commune (pour le scan, répétable).",
                "Public IP address, CIDR range or host name (for the scan, repeatable).",
            )
        ),
    ] = None,
    official_email: Annotated[
        str | None,
        typer.Option(help=h("Adresse e-mail officielle de la mairie.", "Official e-mail.")),
    ] = None,
    website: Annotated[
        bool | None,
        typer.Option(
            "--website/--no-website",
            help=h("Site web (oui par défaut).", "Has a website (yes by default)."),
            show_default=False,
        ),
    ] = None,
    own_mail_server: Annotated[
        bool | None,
        typer.Option(
            "--own-mail-server/--no-own-mail-server",
            help=h("Serveur de messagerie hébergé en propre.", "Own mail server."),
            show_default=False,
        ),
    ] = None,
    online_services: Annotated[
        bool | None,
        typer.Option(
            "--online-services/--no-online-services",
            help=h("Démarches en ligne pour les usagers.", "Online citizen services."),
            show_default=False,
        ),
    ] = None,
    ot: Annotated[
        bool | None,
        typer.Option(
            "--ot/--no-ot",
            help=h(
                "Équipements techniques connectés (GTB, vidéoprotection, eau...).",
                "Connected building/operational equipment (BMS, CCTV, water...).",
            ),
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option(help=h("Écraser le fichier existant.", "Overwrite."))
    ] = False,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.cli.init_prompts import write_profile_interactively
    from cyberdiag.municipality import ProfileInput

    write_profile_interactively(
        ProfileInput(
            name=name,
            insee=insee,
            population=population,
            agents=agents,
            it_staff=it_staff,
            provider=provider,
            domains=domain or [],
            dkim_selectors=dkim_selector or [],
            addresses=address or [],
            official_email=official_email,
            website=website,
            own_mail_server=own_mail_server,
            online_services=online_services,
            ot=ot,
        ),
        output,
        force=force,
    )


@app.command(
    help=h(
        "Vérifier des questionnaires, grilles, catalogues de vérifications ou fichiers de "
        "réponses (tous les fichiers fournis si aucun n'est donné). Toutes les erreurs sont "
        "listées : fichier › élément › champ : attendu, trouvé.\n\n"
        "Exemple : cyberdiag validate mon-questionnaire.yaml",
        "Validate questionnaires, grids, check catalogues or answer files (all shipped files "
        "when none is given). Every mistake is listed: file › item › field: expected, found.\n\n"
        "Example: cyberdiag validate my-questionnaire.yaml",
    ),
    short_help=h("Vérifier questionnaires, grille et catalogues.", "Validate data files."),
)
def validate(
    files: Annotated[list[Path] | None, typer.Argument(show_default=False)] = None,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.errors import ValidationFailed
    from cyberdiag.i18n import plural, tr
    from cyberdiag.loading import shipped_files, validate_files

    errors = validate_files(files or None)
    if errors:
        raise ValidationFailed(errors)
    n = len(files) if files else len(shipped_files())
    print(tr("OK : ", "OK: ") + plural(n, tr("fichier valide", "valid file"),
                                       tr("fichiers valides", "valid files")) + ".")


@app.command(
    help=h(
        "Répondre au questionnaire dans le terminal. Chaque réponse est enregistrée aussitôt ; "
        "relancer la même commande reprend où l'on s'était arrêté.\n\n"
        "Exemple : cyberdiag questionnaire --profile municipality.yaml --answers answers.yaml",
        "Answer the questionnaire in the terminal. Every answer is saved at once; running the "
        "same command again resumes where you stopped.\n\n"
        "Example: cyberdiag questionnaire --profile municipality.yaml --answers answers.yaml",
    ),
    short_help=h("Répondre au questionnaire (reprise possible).", "Answer the questionnaire."),
)
def questionnaire(
    profile: ProfileOpt = Path("municipality.yaml"),
    answers: AnswersOpt = Path("answers.yaml"),
    questionnaire: Annotated[
        str,
        typer.Option(
            "--questionnaire",
            "-q",
            help=h("complet, atelier ou un fichier YAML.", "complet, atelier or a YAML file."),
        ),
    ] = "complet",
    review: Annotated[
        bool,
        typer.Option(help=h("Revoir et modifier les réponses données.", "Review given answers.")),
    ] = False,
    no_comments: Annotated[
        bool,
        typer.Option(
            "--no-comments",
            help=h(
                "Ne pas demander de commentaire après chaque réponse.",
                "Do not ask for a comment after each answer.",
            ),
        ),
    ] = False,
    provider: Annotated[
        Path | None,
        typer.Option(
            "--provider",
            help=h(
                "Répondre, en tant que prestataire, au fichier prestataire-<insee>.yaml préparé "
                "par la commune (cyberdiag provider sheet) ; enregistré après chaque réponse.",
                "Answer, as the IT provider, the file prestataire-<insee>.yaml prepared by the "
                "municipality (cyberdiag provider sheet); saved after every answer.",
            ),
            show_default=False,
        ),
    ] = None,
    lang: LangOpt = None,
) -> None:
    start(lang)
    if provider is not None:
        from cyberdiag.cli.provider_view import run_provider_questionnaire

        run_provider_questionnaire(provider, review=review, comments=not no_comments)
        return
    from cyberdiag.cli.questionnaire_view import run_questionnaire

    run_questionnaire(profile, answers, questionnaire, review=review, comments=not no_comments)


@app.command(
    help=h(
        "Calculer le diagnostic selon la grille territoriale et écrire diagnostic.json "
        "(droits 0600).\n\n"
        "Exemple : cyberdiag score --profile municipality.yaml --answers answers.yaml "
        "--checks checks.json -o diagnostic.json",
        "Score against the territorial grid and write diagnostic.json (mode 0600).\n\n"
        "Example: cyberdiag score --profile municipality.yaml --answers answers.yaml "
        "--checks checks.json -o diagnostic.json",
    ),
    short_help=h("Calculer le diagnostic (diagnostic.json).", "Score (diagnostic.json)."),
)
def score(
    profile: ProfileOpt = Path("municipality.yaml"),
    answers: AnswersOpt = Path("answers.yaml"),
    checks: Annotated[
        list[Path] | None,
        typer.Option(
            "--checks",
            "-c",
            help=h(
                "Résultats de cyberdiag check / scan (JSON, répétable).",
                "Results of cyberdiag check / scan (JSON, repeatable).",
            ),
        ),
    ] = None,
    output: OutputOpt = Path("diagnostic.json"),
    json_out: Annotated[
        bool, typer.Option("--json", help=h("Afficher le JSON.", "Print the JSON."))
    ] = False,
    seal_to: SealToOpt = None,
    lang: LangOpt = None,
) -> None:
    start(lang)
    from cyberdiag.cli.seal_cmd import recipients_or_fail, seal_and_say
    from cyberdiag.cli.summary import print_summary
    from cyberdiag.journey.files import score_files

    recipients = recipients_or_fail(seal_to) if seal_to else None  # a wrong key: before work
    diag = score_files(profile, answers, checks or [], output)
    if json_out:
        from cyberdiag.cli.terminal import print_json
        from cyberdiag.diagnostic import dumps

        print_json(dumps(diag))
    else:
        print_summary(diag, output)
    if recipients:
        seal_and_say(output, recipients, stderr=json_out)
