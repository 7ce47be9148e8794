"""`cyberdiag questionnaire` on the terminal: the questions, saved as they are answered.

Kept apart from journey_view.py (run, demo) so that the first question comes without loading the
checks, the scan and the report: only the profile, the questionnaire and the interview.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.text import Text

from cyberdiag.answering import answering
from cyberdiag.cli.interview import Interview, StopInterview, profile_interview
from cyberdiag.cli.terminal import out_console, outside
from cyberdiag.i18n import current, tr
from cyberdiag.journey.files import load_profile_file
from cyberdiag.models import Profile

__all__ = ["_answered", "run_questionnaire"]


def run_questionnaire(
    profile_path: Path,
    answers_path: Path,
    questionnaire_name: str,
    *,
    review: bool,
    comments: bool = True,
) -> int:
    """`cyberdiag questionnaire` with the answers file checked writable before the first
    question and locked until the end (answering.answering)."""
    profile = load_profile_file(profile_path)
    with answering(answers_path):
        return _run_questionnaire(
            profile, profile_path, answers_path, questionnaire_name, review=review,
            comments=comments,
        )  # fmt: skip


def _run_questionnaire(
    profile: Profile,
    profile_path: Path,
    answers_path: Path,
    questionnaire_name: str,
    *,
    review: bool,
    comments: bool = True,
) -> int:
    """Ask the questions; return how many answers were given."""
    console = out_console()
    lang = current()
    interview = profile_interview(
        profile, questionnaire_name, answers_path, console, lang, review=review, comments=comments
    )
    questions = interview.questions
    console.print(
        outside(interview.questionnaire.title.get(lang), style="bold")
        + outside(
            tr(
                f" — {profile.name} : {len(questions)} questions. Réponses enregistrées au fur "
                f"et à mesure dans {answers_path}.",
                f" — {profile.name}: {len(questions)} questions. Answers saved as you go in "
                f"{answers_path}.",
            ),
            2000,
        )
    )
    try:
        interview.run()
    except StopInterview:
        _saved_message(_answered(interview), len(questions), answers_path)
        return interview.given
    except (KeyboardInterrupt, EOFError):
        _saved_message(_answered(interview), len(questions), answers_path)
        raise KeyboardInterrupt from None
    answered = _answered(interview)
    console.print(
        Text.assemble((tr("\nTerminé", "\nDone"), "green"))
        + tr(
            f" : {answered}/{len(questions)} réponses dans {answers_path}.",
            f": {answered}/{len(questions)} answers in {answers_path}.",
        )
    )
    if answered < len(questions):
        console.print(
            tr(
                "Relancez la même commande pour répondre aux questions passées.",
                "Run the same command again to answer the skipped questions.",
            )
        )
    console.print(
        tr(
            f"Étape suivante : cyberdiag score --profile {profile_path} --answers {answers_path}",
            f"Next step: cyberdiag score --profile {profile_path} --answers {answers_path}",
        ),
        markup=False,
    )
    return interview.given


def _answered(interview: Interview) -> int:
    """How many of the interview's questions have an answer."""
    return sum(1 for q in interview.questions if q.id in interview.answers.answers)


def _saved_message(answered: int, total: int, path: Path) -> None:
    sys.stderr.write(
        tr(
            f"\n{answered}/{total} réponses enregistrées dans {path}. Relancez la même "
            "commande pour reprendre.\n",
            f"\n{answered}/{total} answers saved in {path}. Run the same command again to "
            "resume.\n",
        )
    )
