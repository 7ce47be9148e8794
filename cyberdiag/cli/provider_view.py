"""The provider loop on the terminal: what `provider sheet` wrote, what `provider merge` did, and
the provider's own walk through its answers file (`questionnaire --provider`)."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.text import Text

from cyberdiag.cli.interview import Interview, StopInterview
from cyberdiag.cli.terminal import out_console, outside
from cyberdiag.i18n import current, plural, tr
from cyberdiag.models import Option, Question
from cyberdiag.provider import MergeOutcome, ProviderSession, SheetFiles, provider_session


def print_sheet(files: SheetFiles | None, profile: Path, answers: Path) -> None:
    """What `provider sheet` wrote, and what to do next."""
    console = out_console()
    if files is None:
        console.print(
            tr(
                "Rien à faire confirmer : aucune réponse « le prestataire s'en charge » ou « je "
                "ne sais pas » sur une question à laquelle le prestataire peut répondre.",
                'Nothing to confirm: no answer "our IT provider handles it" or "I don\'t '
                'know" on a question the provider can answer.',
            ),
            markup=False,
        )
        return
    console.print(
        tr(
            plural(files.items, "point à faire confirmer", "points à faire confirmer", "fr")
            + " par le prestataire :",
            plural(files.items, "point", "points", "en") + " for the provider to confirm:",
        )
    )
    for path in (files.pdf, files.html, files.yaml):
        console.print(Text("  ") + outside(path))
    console.print(
        tr(
            f"Envoyez la fiche et {files.yaml.name} au prestataire ; à son retour : cyberdiag "
            f"provider merge {files.yaml} --profile {profile} --answers {answers}",
            f"Send the sheet and {files.yaml.name} to the provider; when it comes back: "
            f"cyberdiag provider merge {files.yaml} --profile {profile} --answers {answers}",
        ),
        markup=False,
    )


def print_merge(outcome: MergeOutcome, file: Path, profile: Path, answers: Path) -> None:
    """What `provider merge` merged, kept and left aside, and the next step."""
    console = out_console()
    rows = [
        (tr("Repris", "Merged"), outcome.merged),
        (
            tr(
                "Gardés (réponses de la commune ; --replace pour prendre celles du prestataire)",
                "Kept (the municipality's own answers; --replace to take the provider's)",
            ),
            outcome.kept,
        ),
        (tr("Sans objet pour cette commune", "Not applicable here"), outcome.not_applicable),
        (tr("Laissés vides par le prestataire", "Left empty by the provider"), outcome.empty),
    ]
    for heading, ids in rows:
        if ids:
            line = Text(
                f"{heading} ({len(ids)}) : " if current() == "fr" else f"{heading} ({len(ids)}): "
            )
            console.print(line + outside(", ".join(ids), 4000))
    if not outcome.merged:
        console.print(
            tr(f"Rien n'a été repris de {file}.", f"Nothing was merged from {file}."),
            markup=False,
        )
        return
    console.print(
        tr(
            f"Réponses enregistrées dans {answers}. Étape suivante : cyberdiag score --profile "
            f"{profile} --answers {answers}",
            f"Answers saved in {answers}. Next step: cyberdiag score --profile {profile} "
            f"--answers {answers}",
        ),
        markup=False,
    )


class ProviderInterview(Interview):
    """The questionnaire dialogue, for the provider: the comment is kept as evidence."""

    def answered(self, q: Question, option: Option, previous: str | None) -> None:
        if self.comments or option.kind == "not_applicable":
            self.console.print(
                self._t(
                    "[dim]Le commentaire est gardé comme preuve (outil, export, référence…).[/]",
                    "[dim]The comment is kept as evidence (tool, export, reference…).[/]",
                )
            )
        super().answered(q, option, previous)


def _ask_provider_name(session: ProviderSession, console: Console) -> None:
    """The provider names itself once for the whole file."""
    while not session.provider:
        name = console.input(
            tr(
                "Nom du prestataire (une fois pour tout le fichier) : ",
                "Provider's name (once for the whole file): ",
            )
        ).strip()
        if name:
            session.name_provider(name)


def run_provider_questionnaire(path: Path, *, review: bool = False, comments: bool = True) -> int:
    """`cyberdiag questionnaire --provider FILE`: answer the file's items; return how many
    answers were given (each one saved at once; running again resumes). comments=False: no
    evidence prompt (--no-comments)."""
    console = out_console()
    lang = current()
    session = provider_session(path, lang, review=review)
    communes = ", ".join(session.provider_file.communes)
    console.print(
        tr(
            f"Réponses du prestataire pour la commune {communes} : "
            f"{plural(len(session.questions), 'point', 'points', 'fr')}, réponses enregistrées "
            f"au fur et à mesure dans {path}.",
            f"Provider answers for municipality {communes}: "
            f"{plural(len(session.questions), 'point', 'points', 'en')}, saved as you go in "
            f"{path}.",
        ),
        markup=False,
    )
    interview = ProviderInterview(session, console, lang, comments=comments)
    try:
        _ask_provider_name(session, console)
        interview.run()
    except StopInterview:
        _saved(session, path)
        return session.given
    except (KeyboardInterrupt, EOFError):
        _saved(session, path)
        raise KeyboardInterrupt from None
    answered, total = session.answered(), len(session.questions)
    console.print(
        tr(  # « 3/30 réponses »: the word agrees with the total
            f"Terminé : {answered}/{plural(total, 'réponse', 'réponses', 'fr')} dans {path}. "
            "Renvoyez ce fichier à la mairie (cyberdiag provider merge).",
            f"Done: {answered}/{plural(total, 'answer', 'answers', 'en')} in {path}. Send this "
            "file back to the town hall (cyberdiag provider merge).",
        ),
        markup=False,
    )
    return session.given


def _saved(session: ProviderSession, path: Path) -> None:
    done, total = session.answered(), len(session.questions)
    sys.stderr.write(
        tr(
            f"\n{done}/{plural(total, 'réponse enregistrée', 'réponses enregistrées', 'fr')} "
            f"dans {path} ; relancez la même commande pour reprendre.\n",
            f"\n{done}/{plural(total, 'answer', 'answers', 'en')} saved in {path}; run "
            "the same command again to resume.\n",
        )
    )
