"""Why a critical item caps the level: a known gap or an answer still to confirm, in words.

A cap's cause (models.Cap.cause) is "gap" when the measure is known to be missing or partial (the
answer says so, or a check fails or warns) and "unknown" when it is not known yet: « je ne sais
pas », no answer, or « le prestataire s'en charge » without the provider's confirmation. The same
words serve the terminal summary, the report's first page and the migration of older records.
"""

from __future__ import annotations

from collections.abc import Iterable

from cyberdiag.i18n import Lang, one_or_many, tr
from cyberdiag.models import Cap, CapCause, Diagnostic

UNKNOWN_KINDS = frozenset({"dont_know", "delegated"})


def answer_cause(kind: str | None, *, confirmed: bool = False) -> CapCause:
    """The cause of a cap set by a question answered with an option of `kind` (None: no
    answer). A delegated answer the provider confirmed is no longer unknown."""
    if kind is None or kind == "dont_know":
        return "unknown"
    if kind == "delegated" and not confirmed:
        return "unknown"
    return "gap"


def cause_counts(caps: Iterable[Cap]) -> tuple[int, int]:
    """(known gaps, answers to confirm) among `caps`."""
    caps = list(caps)
    gaps = sum(1 for c in caps if c.cause == "gap")
    return gaps, len(caps) - gaps


def asks_provider(diag: Diagnostic) -> bool:
    """Is there a provider to confirm with (declared, or an answer delegated to it)?"""
    return bool(diag.profile.it_provider) or any(a.kind == "delegated" for a in diag.answers)


def counts_text(gaps: int, unknown: int, provider: bool, lang: Lang) -> str:
    """« 2 mesures critiques manquent, 3 sont à confirmer auprès du prestataire » ("" for none)."""
    parts: list[str] = []
    if gaps:
        parts.append(
            tr(
                f"{gaps} mesure critique manque"
                if gaps == 1
                else f"{gaps} mesures critiques manquent",
                f"{gaps} critical measure{'' if gaps == 1 else 's'} missing",
                lang,
            )
        )
    if unknown:
        who = tr(" auprès du prestataire", " with the provider", lang) if provider else ""
        if gaps:
            text = tr(
                f"{unknown} {'est' if unknown == 1 else 'sont'} à confirmer",
                f"{unknown} to be confirmed",
                lang,
            )
        else:
            text = tr(
                f"{unknown} mesure critique est à confirmer"
                if unknown == 1
                else f"{unknown} mesures critiques sont à confirmer",
                f"{unknown} critical measure{'' if unknown == 1 else 's'} to be confirmed",
                lang,
            )
        parts.append(text + who)
    return ", ".join(parts)


def level_sentence(diag: Diagnostic, lang: Lang, *, overall: bool = False) -> str:
    """« Niveau 0 — Exposé : 2 mesures critiques manquent, 3 sont à confirmer auprès du
    prestataire » — the overall level and what caps it, counted by cause (`overall`: « Niveau
    global 0 — … »)."""
    level = diag.overall.level
    name = next((lv.name.get(lang) for lv in diag.levels if lv.id == level), "")
    word = tr("Niveau global", "Overall level", lang) if overall else tr("Niveau", "Level", lang)
    head = f"{word} {level} — {name}"
    gaps, unknown = cause_counts(diag.overall.capped_by)
    tail = counts_text(gaps, unknown, asks_provider(diag), lang)
    if not tail:
        return head
    return head + tr(f" : {tail}", f": {tail}", lang)


def cause_heading(cap: Cap, n: int, provider: bool, lang: Lang) -> str:
    """The cause of `n` caps like `cap`, heading their list: « Écarts constatés », « À
    confirmer auprès du prestataire »."""
    if cap.cause == "gap":
        text = tr(
            one_or_many(n, "écart constaté", "écarts constatés"),
            one_or_many(n, "known gap", "known gaps"),
            lang,
        )
    else:
        text = cause_text(cap, provider, lang)
    return text[:1].upper() + text[1:]


def cause_text(cap: Cap, provider: bool, lang: Lang) -> str:
    """The cause of one cap, as shown beside its label."""
    if cap.cause == "gap":
        return tr("écart constaté", "known gap", lang)
    if provider:
        return tr("à confirmer auprès du prestataire", "to be confirmed with the provider", lang)
    return tr("à confirmer", "to be confirmed", lang)
