"""The questionnaire dialogue in the terminal: one panel per question, the keys, the comments.

One question at a time with its domain and progress; "?" shows why it matters (and the note for
the IT provider), "s" skips (asked again at the end and on the next run), "<" goes back, "q"
stops; with --review the current answer and comment are shown and Enter keeps them. At the
comment prompt, Enter skips the comment, "-" clears it, and "?", "<", "q" act as above;
--no-comments leaves the prompt out (a "not applicable" is still justified). The walk over the
questions and the answers file saved after every answer are `cyberdiag/answering.py`; this
module only talks to the person.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from cyberdiag.answering import (
    Action,
    AnswerSession,
    StopInterview,
    profile_session,
)
from cyberdiag.cli.terminal import outside
from cyberdiag.i18n import Lang, one_or_many, plural, tr
from cyberdiag.models import AnswerFile, Option, Profile, Question, Questionnaire

__all__ = ["Interview", "StopInterview", "outside_lines", "profile_interview"]


def outside_lines(text: str, style: str = "", limit: int = 5000) -> Text:
    """Outside text of one or more lines (a question of a trainer's questionnaire, a name) as
    Rich text: never read as markup, controls made visible by the one cleaning function
    (terminal.outside → net.text.clean), line breaks and spaces of every kind kept."""
    return outside(text, limit, style=style, lines=True)


class _Back(Exception):
    """The key "<" typed at the comment prompt: the answer is saved, go to the previous question."""


class Interview:
    """The terminal side of an answering session: asks, and records through the session."""

    def __init__(
        self, session: AnswerSession, console: Console, lang: Lang = "fr", *, comments: bool = True
    ) -> None:
        self.session = session
        self.console = console
        self.lang = lang
        self.comments = comments  # False: --no-comments, no comment prompt
        self._on: Question | None = None  # the question on screen

    # ---- what callers read ----------------------------------------------------------------
    @property
    def questionnaire(self) -> Questionnaire:
        return self.session.questionnaire

    @property
    def questions(self) -> list[Question]:
        return self.session.questions

    @property
    def answers(self) -> AnswerFile:
        return self.session.answers

    @property
    def path(self) -> Path:
        return self.session.path

    @property
    def given(self) -> int:
        return self.session.given

    def run(self) -> None:
        """Ask every question still to answer (all of them with review), then the skipped ones;
        first save and name the answers the profile gave."""
        if self.session.known:
            self.session.save()
            by_id = {q.id: q for q in self.questions}
            names = [
                (by_id[qid].title or by_id[qid].text).get(self.lang) for qid in self.session.known
            ]
            line = Text(
                self._t(
                    "Déjà connu d'après le profil (modifiable avec --review) : ",
                    "Already known from the profile (--review changes it): ",
                )
            )
            self.console.print(line + outside_lines(" ; ".join(names), limit=500))
            self.session.known = []
        self.session.walk(self)

    # ---- the Dialogue the walk drives -------------------------------------------------------
    def all_answered(self, total: int) -> None:
        self.console.print(
            self._t(
                f"Toutes les questions applicables ({total}) ont une réponse. "
                "Utilisez --review pour les modifier.",
                f"All {total} applicable questions are answered. Use --review to change them.",
            )
        )

    def resuming(self, done: int, total: int) -> None:
        self.console.print(
            self._t(
                "[bold]Reprise[/] : "
                f"{plural(done, 'réponse déjà enregistrée', 'réponses déjà enregistrées', 'fr')}"
                f" sur {total}.",
                f"[bold]Resuming[/]: {done} of {total} "
                f"{one_or_many(total, 'answer', 'answers')} already saved.",
            )
        )

    def coming_back(self, pending: int) -> None:
        self.console.print(
            self._t(
                f"\n[bold]Questions passées[/] : {pending}. On y revient (s pour passer "
                "encore, elles seront reposées au prochain lancement).",
                f"\n[bold]Skipped questions[/]: {pending}. Back to them (s to skip "
                "again: they will be asked on the next run).",
            )
        )

    def question(self, q: Question, k: int, n: int) -> Action:
        """Show question `q` and read keys until it is answered, kept, skipped or left."""
        current = self.session.current(q)
        suggestion = None if current else self.session.suggested.get(q.id)
        self._on = q
        self.console.print(self._panel(q, k, n))
        while True:
            prompt = self._t("Votre réponse", "Your answer")
            if current:
                prompt += self._t(" (Entrée : garder)", " (Enter: keep)")
            elif suggestion:
                prompt += self._t(" (Entrée : réponse suggérée)", " (Enter: suggested answer)")
            raw = self._input(prompt + " : " if self.lang == "fr" else prompt + ": ").strip()
            if raw == "" and current:
                return "kept"
            suggested = raw == "" and suggestion is not None
            if suggestion is not None and suggested:
                raw = suggestion[0]
            if raw == "?":
                self._why(q)
                continue
            if raw.lower() == "s":
                self.session.skip(q)
                self.console.print(self._t("[dim]Passée.[/]", "[dim]Skipped.[/]"))
                return "skip"
            if raw == "<":
                return "back"
            if raw.lower() == "q":
                raise StopInterview
            opt = _option(q, raw)
            if opt is None:
                self.console.print(
                    self._t(
                        f"[yellow]Réponse non reconnue : tapez un numéro de 1 à {len(q.options)}, "
                        "ou ?, s, <, q.[/]",
                        f"[yellow]Not understood: type a number from 1 to {len(q.options)}, "
                        "or ?, s, <, q.[/]",
                    )
                )
                continue
            # Saved at once, then again with the comment.
            self.session.choose(q, opt.id)
            previous = current.comment if current else None
            if suggestion is not None and suggested:  # with why the profile suggests it
                previous = suggestion[1]
                self.session.comment(q, opt.id, previous)
            try:
                self.answered(q, opt, previous)
            except _Back:
                return "back"
            return "answered"

    def answered(self, q: Question, option: Option, previous: str | None) -> None:
        """After an answer: ask for its comment (a justification for "not applicable")."""
        comment = self.ask_comment(option.kind, previous)
        if comment is not None:
            self.session.comment(q, option.id, comment)

    def ask_comment(self, kind: str, previous: str | None) -> str | None:
        """The comment on an answer: None keeps `previous` (Enter), "" clears it ("-"), or the
        new text. A justification is required for "not applicable". "?", "<" and "q" are the
        keys of the question (why, back, stop), never a comment."""
        needed = kind == "not_applicable"
        if not self.comments and (previous or not needed):
            return None
        if previous:
            shown = outside_lines(previous, limit=300)
            self.console.print(Text(self._t("Commentaire actuel : ", "Current comment: ")) + shown)
        while True:
            raw = self._input(self._comment_prompt(needed, bool(previous))).strip()
            if raw == "?":
                if self._on is not None:
                    self._why(self._on)
                continue
            if raw == "<":
                raise _Back
            if raw.lower() == "q":
                raise StopInterview
            if needed and (raw == "-" or not (raw or previous)):
                self.console.print(
                    self._t(
                        "[yellow]Une courte justification est demandée pour « non applicable ».[/]",
                        "[yellow]A short justification is required for 'not applicable'.[/]",
                    )
                )
                continue
            if raw == "-":
                return ""
            return raw[:5000] if raw else None

    def _comment_prompt(self, needed: bool, has_previous: bool) -> str:
        if needed:
            keep = self._t(" ; Entrée : garder", "; Enter: keep") if has_previous else ""
            return self._t(
                f"Pourquoi cela ne s'applique pas ? (justification conservée{keep}) : ",
                f"Why does it not apply? (justification kept{keep}): ",
            )
        if has_previous:
            return self._t(
                "Commentaire (Entrée : garder, - : effacer, ou tapez le nouveau) : ",
                "Comment (Enter: keep, -: clear, or type the new one): ",
            )
        return self._t(
            "Commentaire (facultatif, Entrée pour passer) : ",
            "Comment (optional, Enter to skip): ",
        )

    def _why(self, q: Question) -> None:
        """Why the question matters, then the technical note for the IT provider, if any."""
        why = self._t("Pourquoi c'est important", "Why it matters")
        self.console.print(Panel(outside_lines(q.why.get(self.lang)), title=why))
        if q.provider_note is not None:
            title = self._t("Pour le prestataire informatique", "For the IT provider")
            note = outside_lines(q.provider_note.get(self.lang))
            self.console.print(Panel(note, title=title, border_style="dim"))

    # ---- helpers ------------------------------------------------------------------------------
    def _panel(self, q: Question, k: int, n: int) -> Panel:
        """The question, its numbered options (the current one marked) and the keys."""
        current = self.session.current(q)
        body = outside_lines(q.text.get(self.lang), "bold")
        body.append("\n\n")
        for idx, o in enumerate(q.options, start=1):
            body.append("  ")
            body.append(str(idx), "cyan")
            body.append(". ")
            body.append_text(outside_lines(o.label.get(self.lang)))
            if current and current.option == o.id:
                body.append("  ← " + self._t("réponse actuelle", "current answer"))
            elif not current and self.session.suggested.get(q.id, ("",))[0] == o.id:
                body.append(
                    "  ← " + self._t("suggérée d'après le profil", "suggested by the profile")
                )
            body.append("\n")
        if current and current.comment:
            body.append(self._t("Commentaire actuel : ", "Current comment: "), "dim")
            body.append_text(outside_lines(current.comment, limit=300))
            body.append("\n")
        body.append("\n")
        body.append(
            self._t(
                "?  pourquoi c'est important   s  passer (on y reviendra)   "
                "<  question précédente   q  arrêter (tout est enregistré)",
                "?  why it matters   s  skip (we'll come back)   "
                "<  previous question   q  stop (everything is saved)",
            ),
            "dim",
        )
        domain_name = self.session.domain_names.get(q.domain, q.domain)
        title = outside_lines(domain_name)
        title.append(self._t(f" — question {k} sur {n}", f" — question {k} of {n}"))
        if q.critical:
            title.append("  ")
            title.append(self._t("• essentielle", "• essential"), "red")
        if not q.scored:
            title.append("  ")
            title.append(
                self._t("• non notée, pour le territoire", "• not scored, for the territory"), "dim"
            )
        return Panel(body, title=title, title_align="left")

    def _input(self, prompt: str) -> str:
        return self.console.input(prompt)

    def _t(self, fr: str, en: str) -> str:
        return tr(fr, en, self.lang)


def _option(q: Question, raw: str) -> Option | None:
    """The option typed: its number in the list, or its id."""
    if raw.isdigit() and 1 <= int(raw) <= len(q.options):
        return q.options[int(raw) - 1]
    return next((o for o in q.options if o.id == raw.lower()), None)


def profile_interview(
    profile: Profile,
    questionnaire_name: str,
    answers_path: Path,
    console: Console,
    lang: Lang,
    *,
    review: bool = False,
    comments: bool = True,
) -> Interview:
    """The interview of a municipality in the terminal (see answering.profile_session);
    comments=False: no comment prompt (--no-comments)."""
    session = profile_session(profile, questionnaire_name, answers_path, lang, review=review)
    return Interview(session, console, lang, comments=comments)
