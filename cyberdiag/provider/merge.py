"""Merging a provider answers file into a municipality's answers, keeping who confirmed what.

The file is refused as a whole (one line naming it) when it is not made for this municipality,
for another questionnaire version, or names an unknown question or an option the provider may
not give. An answer the municipality gave itself is kept unless `replace`; its own « je ne sais
pas » and « le prestataire s'en charge » are what the file replaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from cyberdiag.answering import save_answers
from cyberdiag.errors import UserError
from cyberdiag.loading.provider import check_provider_items, read_provider_file
from cyberdiag.models import Answer, ProviderFile, ProviderItem, Question
from cyberdiag.provider.items import ASK_KINDS, Commune


@dataclass
class MergeOutcome:
    """What became of each item of the file (question ids, in the file's order)."""

    merged: list[str] = field(default_factory=list)
    # Answers the municipality gave itself, kept (merge again with --replace to take the
    # provider's).
    kept: list[str] = field(default_factory=list)
    # Questions that do not apply to this municipality (a file shared by several communes).
    not_applicable: list[str] = field(default_factory=list)
    # Items the provider left empty: still to be confirmed.
    empty: list[str] = field(default_factory=list)


def _refuse_other_commune(label: str, provider_file: ProviderFile, commune: Commune) -> None:
    profile = commune.profile
    if profile.insee in provider_file.communes:
        return
    codes = ", ".join(provider_file.communes)
    several = len(provider_file.communes) > 1
    raise UserError(
        f"{label} : fichier du prestataire pour {'les communes' if several else 'la commune'} "
        f"{codes}, pas pour {profile.name} ({profile.insee}) : rien n'a été repris.",
        f"{label}: provider file for {'municipalities' if several else 'municipality'} "
        f"{codes}, not for {profile.name} ({profile.insee}): nothing was merged.",
    )


def _confirmed_by(label: str, provider_file: ProviderFile, item: ProviderItem) -> str:
    name = item.confirmed_by or provider_file.provider
    if name:
        return name.strip()
    raise UserError(
        f"{label} › {item.question} › confirmed_by : qui confirme ? Indiquer le nom du "
        "prestataire dans « provider » (ou « confirmed_by ») : rien n'a été repris.",
        f"{label} › {item.question} › confirmed_by: who confirms? Give the provider's name in "
        "'provider' (or 'confirmed_by'): nothing was merged.",
    )


def _is_own(answer: Answer | None, q: Question) -> bool:
    """An answer the municipality gave itself and that does not wait for the provider."""
    if answer is None or answer.source != "self":
        return False
    option = next((o for o in q.options if o.id == answer.option), None)
    return option is not None and option.kind not in ASK_KINDS


def merge_provider_file(
    path: Path,
    commune: Commune,
    *,
    replace: bool = False,
    today: date | None = None,
) -> MergeOutcome:
    """Merge the provider answers file `path` into the municipality's answers file (atomic,
    0600); nothing is written when nothing is merged."""
    provider_file, raw = read_provider_file(path)
    label = raw.label
    _refuse_other_commune(label, provider_file, commune)
    check_provider_items(raw, provider_file, commune.questionnaire)
    if raw.errors:
        raise UserError(raw.errors[0])
    applicable = {q.id: q for q in commune.questions}
    outcome = MergeOutcome()
    answers = dict(commune.answers.answers)
    now = datetime.now(UTC).replace(microsecond=0)
    for item in provider_file.items:
        q = applicable.get(item.question)
        if item.option is None:
            outcome.empty.append(item.question)
            continue
        if q is None:
            outcome.not_applicable.append(item.question)
            continue
        old = answers.get(q.id)
        if _is_own(old, q) and not replace:
            outcome.kept.append(q.id)
            continue
        answers[q.id] = Answer(
            option=item.option,
            comment=old.comment if old else None,
            answered_at=now,
            explanation=old.explanation if old else None,
            source="provider",
            confirmed_by=_confirmed_by(label, provider_file, item),
            confirmed_on=item.confirmed_on or today or date.today(),
            evidence=item.evidence,
        )
        outcome.merged.append(q.id)
    if outcome.merged:
        skipped = [s for s in commune.answers.skipped if s not in outcome.merged]
        new = commune.answers.model_copy(update={"answers": answers, "skipped": skipped})
        save_answers(commune.answers_path, new)
    return outcome
