"""Answering a provider answers file in the terminal (`cyberdiag questionnaire --provider`).

The same walk as the municipality's questionnaire (cyberdiag/answering.py, driven by the dialogue
of cyberdiag/cli/interview.py), over the file's items: only the options a provider may give,
the technical note under the question, the comment kept as evidence. The file is saved after
every answer (atomic, 0600), so running again resumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cyberdiag.answering import AnswerSession
from cyberdiag.i18n import Lang
from cyberdiag.loading import load_grid
from cyberdiag.loading.provider import provider_options
from cyberdiag.models import Answer, AnswerFile, ProviderFile, Question, Text
from cyberdiag.provider.answers_file import save_provider_file
from cyberdiag.provider.items import checked_provider_file

EVIDENCE_MAX = 2000


@dataclass(kw_only=True)
class ProviderSession(AnswerSession):
    """An answering session whose answers go to a provider answers file."""

    provider_file: ProviderFile
    confirmed_on: date

    @property
    def provider(self) -> str | None:
        """The provider's name given in the file, if any."""
        return self.provider_file.provider

    def name_provider(self, name: str) -> None:
        """Record the provider's name once for the whole file."""
        name = name.strip()[:200]
        self.provider_file = self.provider_file.model_copy(update={"provider": name or None})
        save_provider_file(self.path, self.provider_file)

    def skip(self, q: Question) -> None:
        """Skipped for this run only: the item stays empty in the file (asked next run)."""
        if q.id not in self.answers.skipped:
            skipped = [*self.answers.skipped, q.id]
            self.answers = self.answers.model_copy(update={"skipped": skipped})

    def _record(self, q: Question, option: str, comment: str | None) -> None:
        evidence = comment[:EVIDENCE_MAX] if comment else None
        items = [
            item.model_copy(
                update={"option": option, "evidence": evidence, "confirmed_on": self.confirmed_on}
            )
            if item.question == q.id
            else item
            for item in self.provider_file.items
        ]
        self.provider_file = self.provider_file.model_copy(update={"items": items})
        save_provider_file(self.path, self.provider_file)
        new = dict(self.answers.answers)
        new[q.id] = Answer(option=option, comment=evidence)
        skipped = [s for s in self.answers.skipped if s != q.id]
        self.answers = self.answers.model_copy(update={"answers": new, "skipped": skipped})


def _for_provider(q: Question) -> Question:
    """The question as put to the provider: its technical note under it, only the options a
    provider may give."""
    text = q.text
    if q.provider_note is not None:
        note = q.provider_note
        text = Text(fr=f"{q.text.fr}\n\n→ {note.fr}", en=f"{q.text.en}\n\n→ {note.en}")
    return q.model_copy(update={"text": text, "options": provider_options(q)})


def provider_session(
    path: Path, lang: Lang, *, review: bool = False, today: date | None = None
) -> ProviderSession:
    """The session over the items of the provider answers file `path` (checked against its
    questionnaire first), resuming the answers already in it."""
    provider_file, questionnaire = checked_provider_file(path)
    by_id = {q.id: q for q in questionnaire.questions}
    questions = [_for_provider(by_id[item.question]) for item in provider_file.items]
    answers = AnswerFile(
        questionnaire=questionnaire.id,
        questionnaire_version=questionnaire.version,
        lang=lang,
        answers={
            item.question: Answer(option=item.option, comment=item.evidence)
            for item in provider_file.items
            if item.option is not None
        },
    )
    return ProviderSession(
        questionnaire=questionnaire,
        questions=questions,
        answers=answers,
        path=path,
        review=review,
        domain_names={d.id: d.name.get(lang) for d in load_grid().domains},
        provider_file=provider_file,
        confirmed_on=today or date.today(),
    )
