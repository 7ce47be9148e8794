"""Provider answers files (prestataire-<insee>.yaml): the options a provider may give, the loader
and the check of each item against its questionnaire (file:line › item › field messages)."""

from __future__ import annotations

from pathlib import Path

from cyberdiag.errors import UserError, ValidationFailed
from cyberdiag.i18n import tr
from cyberdiag.loading.bundle import Bundle
from cyberdiag.loading.messages import validate_model
from cyberdiag.loading.yamlread import RawFile, read_raw
from cyberdiag.models import Option, ProviderFile, Question, Questionnaire

# A provider confirms what is in place: "I don't know" and "the provider handles it" are the
# municipality's answers that the file exists to replace.
PROVIDER_KINDS = ("answer", "not_applicable")


def provider_options(q: Question) -> list[Option]:
    """The options a provider may give for `q` (never « je ne sais pas » nor « le prestataire
    s'en charge »)."""
    return [o for o in q.options if o.kind in PROVIDER_KINDS]


def read_provider_file(path: Path) -> tuple[ProviderFile, RawFile]:
    """A provider answers file validated against its model; ValidationFailed lists every
    mistake (file:line › item › field)."""
    raw = read_raw(path)
    if raw.errors:
        raise ValidationFailed(raw.errors)
    if not isinstance(raw.data, dict) or raw.data.get("kind") != "provider_answers":
        raise UserError(
            f"{raw.label} : ce n'est pas un fichier de réponses du prestataire "
            "(kind: provider_answers) ; il est produit par cyberdiag provider sheet.",
            f"{raw.label}: not a provider answers file (kind: provider_answers); it is made by "
            "cyberdiag provider sheet.",
        )
    provider_file = validate_model(raw, ProviderFile)
    if provider_file is None:
        raise ValidationFailed(raw.errors)
    return provider_file, raw


def check_provider_items(raw: RawFile, provider_file: ProviderFile, q: Questionnaire) -> None:
    """Record in `raw` every mistake of the file against questionnaire `q`: another version,
    an unknown question, a question given twice, an option the provider may not give."""
    if provider_file.questionnaire != q.id or provider_file.questionnaire_version != q.version:
        raw.error(
            ("questionnaire_version",),
            tr(
                f"fichier préparé pour le questionnaire « {provider_file.questionnaire} » "
                f"version {provider_file.questionnaire_version}, la commune utilise « {q.id} » "
                f"version {q.version} : refaire la fiche avec cyberdiag provider sheet",
                f"file made for questionnaire '{provider_file.questionnaire}' version "
                f"{provider_file.questionnaire_version}, the municipality uses '{q.id}' version "
                f"{q.version}: make the sheet again with cyberdiag provider sheet",
            ),
            fld="questionnaire_version",
        )
        return
    by_id = {question.id: question for question in q.questions}
    seen: set[str] = set()
    for i, item in enumerate(provider_file.items):
        question = by_id.get(item.question)
        if question is None:
            raw.error(
                ("items", i, "question"),
                tr(
                    f"question inconnue « {item.question} » du questionnaire {q.id} {q.version}",
                    f"unknown question '{item.question}' in questionnaire {q.id} {q.version}",
                ),
                item=f"items[{i}]",
                fld="question",
            )
            continue
        if item.question in seen:
            raw.error(
                ("items", i, "question"),
                tr("question donnée deux fois", "question given twice"),
                item=item.question,
                fld="question",
            )
        seen.add(item.question)
        allowed = [o.id for o in provider_options(question)]
        if item.option is not None and item.option not in allowed:
            raw.error(
                ("items", i, "option"),
                tr(
                    f"réponse « {item.option} » non permise : attendu l'une de "
                    f"{', '.join(allowed)}",
                    f"answer '{item.option}' not allowed: expected one of {', '.join(allowed)}",
                ),
                item=item.question,
                fld="option",
            )


def check_provider_file(raw: RawFile, bundle: Bundle) -> None:
    """`cyberdiag validate` on a provider answers file: its model, then each item against the
    questionnaire it names (every mistake recorded in `raw`)."""
    provider_file = validate_model(raw, ProviderFile)
    if provider_file is None:
        return
    for _, q in bundle.questionnaires + bundle.ref_questionnaires:
        if q is not None and q.id == provider_file.questionnaire:
            check_provider_items(raw, provider_file, q)
            return
    raw.error(
        ("questionnaire",),
        tr(
            f"questionnaire inconnu « {provider_file.questionnaire} »",
            f"unknown questionnaire '{provider_file.questionnaire}'",
        ),
    )
