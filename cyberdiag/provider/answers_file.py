"""The provider answers file (prestataire-<insee>.yaml): pre-filled from a municipality's answers,
written with its instructions as comments (atomic, 0600), completed by hand or in the terminal."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from cyberdiag.fileio import write_private
from cyberdiag.i18n import Lang, tr
from cyberdiag.loading.provider import provider_options
from cyberdiag.models import ProviderFile, ProviderItem, Question
from cyberdiag.provider.items import Commune

# `option: null` reads better as `option:` for whoever fills the file by hand (same value).
_NULL_FIELD = re.compile(r"^(\s*(?:- )?[a-z_]+): null$", re.MULTILINE)


def provider_file_name(insee: str) -> str:
    """prestataire-<insee>.yaml"""
    return f"prestataire-{insee}.yaml"


def _header(lang: Lang) -> str:
    lines = tr(
        "Réponses du prestataire informatique — cyberdiag (fichier préparé par la commune).\n"
        "DIFFUSION RESTREINTE : ce fichier décrit la sécurité informatique de la commune.\n"
        "1. provider : le nom du prestataire, une fois pour tout le fichier.\n"
        "2. Pour chaque point de « items » : option = l'identifiant de l'une des réponses "
        "listées\n   sous « options » ; evidence = la preuve (outil, export, référence du "
        "contrat...) ;\n   confirmed_on = la date (AAAA-MM-JJ, date de la reprise si vide) ; "
        "confirmed_by = qui\n   confirme (le prestataire si vide). Un point laissé vide n'est "
        "pas repris.\n"
        "   Ne jamais écrire de mot de passe dans ce fichier.\n"
        "   Ou répondre dans le terminal : cyberdiag questionnaire --provider <ce fichier>\n"
        "   Vérifier le fichier complété : cyberdiag validate <ce fichier>\n"
        "3. Plusieurs communes aux réponses identiques : ajouter leurs codes INSEE, entre "
        "guillemets,\n   sous « communes » ; chacune ne reprend que ce qui la concerne.\n"
        "4. Renvoyer le fichier à la mairie, qui le reprend avec : cyberdiag provider merge "
        "<fichier>\n",
        "IT provider answers — cyberdiag (file prepared by the municipality).\n"
        "RESTRICTED: this file describes the municipality's IT security.\n"
        "1. provider: the provider's name, once for the whole file.\n"
        "2. For each point of 'items': option = the id of one of the answers listed under\n"
        "   'options'; evidence = the evidence (tool, export, contract reference...);\n"
        "   confirmed_on = the date (YYYY-MM-DD, date of the merge if empty); confirmed_by = who\n"
        "   confirms (the provider if empty). A point left empty is not merged.\n"
        "   Never write a password in this file.\n"
        "   Or answer in the terminal: cyberdiag questionnaire --provider <this file>\n"
        "   Check the completed file: cyberdiag validate <this file>\n"
        "3. Several municipalities with the same answers: add their INSEE codes, in quotes,\n"
        "   under 'communes'; each one only merges what concerns it.\n"
        "4. Send the file back to the town hall, which merges it with: cyberdiag provider merge "
        "<file>\n",
        lang,
    )
    return "".join(f"# {line}\n" if line else "#\n" for line in lines.splitlines())


def provider_item(q: Question, lang: Lang) -> ProviderItem:
    """One question to confirm, its texts and the options the provider may give."""
    return ProviderItem(
        question=q.id,
        text=q.text.get(lang),
        note=q.provider_note.get(lang) if q.provider_note else None,
        options={o.id: o.label.get(lang) for o in provider_options(q)},
    )


def new_provider_file(commune: Commune, questions: list[Question], lang: Lang) -> ProviderFile:
    """The file to send: this municipality's INSEE code and the questions to confirm."""
    return ProviderFile(
        kind="provider_answers",
        questionnaire=commune.questionnaire.id,
        questionnaire_version=commune.questionnaire.version,
        lang=lang,
        communes=[commune.profile.insee],
        provider=None,
        items=[provider_item(q, lang) for q in questions],
    )


def provider_file_text(provider_file: ProviderFile) -> str:
    """The file's text: the instructions as comments, then the data."""
    data = provider_file.model_dump(mode="json")
    for item in data["items"]:
        for key in ("text", "note"):  # for the reader only: left out when empty
            if item[key] is None:
                del item[key]
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return _header(provider_file.lang) + _NULL_FIELD.sub(r"\1:", body)


def save_provider_file(path: Path, provider_file: ProviderFile) -> None:
    """Write the provider answers file atomically, readable by its owner only."""
    write_private(path, provider_file_text(provider_file))
