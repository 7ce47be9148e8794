"""The questionnaire dialogue in the terminal.

One question at a time with its domain and progress; "?" shows why it matters, "s" skips (asked
again at the end and on the next run), "<" goes back, "q" stops. Every answer is written to the
answers file atomically (temp file + rename) as soon as it is given, so Ctrl-C, a closed terminal
or a killed process loses at most the question on screen; running the same command again resumes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from cyberdiag.fileio import write_private
from cyberdiag.i18n import Lang, tr
from cyberdiag.models import (
    Answer,
    AnswerFile,
    Option,
    Profile,
    Question,
    Questionnaire,
    TierRules,
)
from cyberdiag.scoring import derive_tier, nis2_status, profile_flags

if TYPE_CHECKING:
    from rich.console import Console

HEADER = (
    "# Réponses au questionnaire cyberdiag / cyberdiag questionnaire answers.\n"
    "# Enregistré à chaque réponse ; modifiable à la main "
    "(cyberdiag validate vérifie le fichier).\n"
    "# Saved after every answer; may be edited by hand (cyberdiag validate checks it).\n"
    "# DIFFUSION RESTREINTE : ce fichier décrit les faiblesses de la commune.\n"
)


class StopInterview(Exception):
    """The user asked to stop ("q"): everything given so far is saved."""


def applicable_questions(
    questionnaire: Questionnaire,
    profile: Profile,
    rules: TierRules,
    domain_conditions: dict[str, str | None],
) -> list[Question]:
    """The questions that apply to this municipality (tier, profile flags, domain condition)."""
    tier = derive_tier(profile, rules)
    flags = profile_flags(profile, nis2_status(profile, rules))
    out = []
    for q in questionnaire.questions:
        cond = domain_conditions.get(q.domain)
        if cond is not None and not flags.get(cond, False):
            continue
        if tier in q.applies.tiers and all(flags.get(f, False) for f in q.applies.requires):
            out.append(q)
    return out


def save_answers(path: Path, answers: AnswerFile) -> None:
    data = answers.model_dump(mode="json", exclude_none=True)
    text = HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    write_private(path, text)


@dataclass
class Interview:
    questionnaire: Questionnaire
    questions: list[Question]
    answers: AnswerFile
    path: Path
    console: Console
    lang: Lang = "fr"
    review: bool = False
    ask: Callable[[str], str] | None = None
    given: int = 0

    # ---- persistence --------------------------------------------------------------------------
    def _record(self, q: Question, option: str, comment: str | None) -> None:
        new = dict(self.answers.answers)
        old = new.get(q.id)
        new[q.id] = Answer(
            option=option,
            comment=comment if comment else None,
            answered_at=datetime.now(UTC).replace(microsecond=0),
            explanation=old.explanation if old else None,
        )
        skipped = [s for s in self.answers.skipped if s != q.id]
        self.answers = self.answers.model_copy(update={"answers": new, "skipped": skipped})
        save_answers(self.path, self.answers)

    def _skip(self, q: Question) -> None:
        if q.id not in self.answers.skipped:
            skipped = [*self.answers.skipped, q.id]
            self.answers = self.answers.model_copy(update={"skipped": skipped})
            save_answers(self.path, self.answers)

    # ---- dialogue -----------------------------------------------------------------------------
    def _input(self, prompt: str) -> str:
        if self.ask is not None:
            return self.ask(prompt)
        return self.console.input(prompt)

    def _t(self, fr: str, en: str) -> str:
        return tr(fr, en, self.lang)

    def run(self) -> None:
        """Ask every question still to answer (all of them with review), then the skipped ones."""
        todo = [
            q
            for q in self.questions
            if self.review or q.id not in self.answers.answers or q.id in self.answers.skipped
        ]
        if not self.review:
            # Skipped questions come back at the end.
            todo.sort(key=lambda q: q.id in self.answers.skipped)
        total = len(self.questions)
        done_before = sum(1 for q in self.questions if q.id in self.answers.answers)
        if not todo:
            self.console.print(
                self._t(
                    f"Toutes les questions applicables ({total}) ont une réponse. "
                    "Utilisez --review pour les modifier.",
                    f"All {total} applicable questions are answered. Use --review to change them.",
                )
            )
            return
        if done_before and not self.review:
            self.console.print(
                self._t(
                    f"[bold]Reprise[/] : {done_before} réponse(s) déjà enregistrée(s) sur {total}.",
                    f"[bold]Resuming[/]: {done_before} of {total} answers already saved.",
                )
            )
        i = 0
        second_pass: list[Question] = []
        while i < len(todo):
            q = todo[i]
            action = self._ask_question(q, self.questions.index(q) + 1, total)
            if action == "back":
                i = max(0, i - 1)
                continue
            if action == "skip" and q not in second_pass:
                second_pass.append(q)
            i += 1
        # "Skip and come back": one more pass over what was skipped in this run.
        pending = [q for q in second_pass if q.id not in self.answers.answers]
        if pending:
            self.console.print(
                self._t(
                    f"\n[bold]Questions passées[/] : {len(pending)}. On y revient (s pour passer "
                    "encore, elles seront reposées au prochain lancement).",
                    f"\n[bold]Skipped questions[/]: {len(pending)}. Back to them (s to skip "
                    "again: they will be asked on the next run).",
                )
            )
            for q in pending:
                self._ask_question(q, self.questions.index(q) + 1, total)

    def _ask_question(self, q: Question, k: int, n: int) -> str:
        from rich.markup import escape
        from rich.panel import Panel

        lang = self.lang
        domain_name = self.domain_names.get(q.domain, q.domain)
        current = self.answers.answers.get(q.id)
        lines = [f"[bold]{escape(q.text.get(lang))}[/]", ""]
        for idx, o in enumerate(q.options, start=1):
            mark = (
                "  ← " + self._t("réponse actuelle", "current answer")
                if (current and current.option == o.id)
                else ""
            )
            lines.append(f"  [cyan]{idx}[/]. {escape(o.label.get(lang))}{mark}")
        lines.append("")
        lines.append(
            self._t(
                "[dim]?  pourquoi c'est important   s  passer (on y reviendra)   "
                "<  question précédente   q  arrêter (tout est enregistré)[/]",
                "[dim]?  why it matters   s  skip (we'll come back)   "
                "<  previous question   q  stop (everything is saved)[/]",
            )
        )
        title = self._t(
            f"{escape(domain_name)} — question {k} sur {n}",
            f"{escape(domain_name)} — question {k} of {n}",
        )
        if q.critical:
            title += self._t("  [red]• essentielle[/]", "  [red]• essential[/]")
        self.console.print(Panel("\n".join(lines), title=title, title_align="left"))
        while True:
            prompt = self._t("Votre réponse", "Your answer")
            if current:
                prompt += self._t(" (Entrée : garder)", " (Enter: keep)")
            raw = self._input(prompt + " : " if lang == "fr" else prompt + ": ").strip()
            if raw == "" and current:
                return "kept"
            if raw == "?":
                self.console.print(
                    Panel(
                        escape(q.why.get(lang)),
                        title=self._t("Pourquoi c'est important", "Why it matters"),
                    )
                )
                continue
            if raw.lower() == "s":
                self._skip(q)
                self.console.print(self._t("[dim]Passée.[/]", "[dim]Skipped.[/]"))
                return "skip"
            if raw == "<":
                return "back"
            if raw.lower() == "q":
                raise StopInterview
            opt: Option | None = None
            if raw.isdigit() and 1 <= int(raw) <= len(q.options):
                opt = q.options[int(raw) - 1]
            else:
                opt = next((o for o in q.options if o.id == raw.lower()), None)
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
            self._record(q, opt.id, current.comment if current else None)
            self.given += 1
            comment = self._ask_comment(opt.kind, current.comment if current else None)
            if comment is not None:
                self._record(q, opt.id, comment)
            return "answered"

    def _ask_comment(self, kind: str, previous: str | None) -> str | None:
        if kind == "not_applicable":
            prompt = self._t(
                "Pourquoi cela ne s'applique pas ? (justification conservée) : ",
                "Why does it not apply? (justification kept): ",
            )
            while True:
                text = self._input(prompt).strip()
                if text or previous:
                    return text or previous
                self.console.print(
                    self._t(
                        "[yellow]Une courte justification est demandée pour « non applicable ».[/]",
                        "[yellow]A short justification is required for 'not applicable'.[/]",
                    )
                )
        prompt = self._t(
            "Commentaire (facultatif, Entrée pour continuer) : ",
            "Comment (optional, Enter to continue): ",
        )
        text = self._input(prompt).strip()
        return text[:5000] if text else previous

    domain_names: dict[str, str] = field(default_factory=dict)


def profile_interview(
    profile: Profile,
    questionnaire_name: str,
    answers_path: Path,
    console: Console,
    lang: Lang,
    *,
    review: bool = False,
) -> Interview:
    """The interview of a municipality: the questions that apply to its profile (shipped grid),
    resuming the answers saved in `answers_path` (a missing file starts empty)."""
    from cyberdiag.loading import load_answers, load_grid, load_questionnaire

    grid = load_grid()
    questionnaire = load_questionnaire(questionnaire_name)
    answers = load_answers(answers_path, questionnaire, missing_ok=True)
    questions = applicable_questions(
        questionnaire, profile, grid.tier_rules, {d.id: d.condition for d in grid.domains}
    )
    return Interview(
        questionnaire=questionnaire,
        questions=questions,
        answers=answers,
        path=answers_path,
        console=console,
        lang=lang,
        review=review,
        domain_names={d.id: d.name.get(lang) for d in grid.domains},
    )
