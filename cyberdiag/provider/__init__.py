"""The provider loop: a sheet and an answers file for the IT provider, answered by hand or in the
terminal, then merged into the municipality's answers with who confirmed what, and when.

    write_sheet(commune, folder, lang)          # prestataire-<insee>.pdf / .html / .yaml
    merge_provider_file(path, commune, ...)      # into answers.yaml (source: provider)
"""

from __future__ import annotations

from cyberdiag.provider.answers_file import provider_file_name, save_provider_file
from cyberdiag.provider.items import Commune, items_to_confirm, load_commune, provider_can_answer
from cyberdiag.provider.merge import MergeOutcome, merge_provider_file
from cyberdiag.provider.session import ProviderSession, provider_session
from cyberdiag.provider.sheet import SheetFiles, write_sheet

__all__ = [
    "Commune",
    "MergeOutcome",
    "ProviderSession",
    "SheetFiles",
    "items_to_confirm",
    "load_commune",
    "merge_provider_file",
    "provider_can_answer",
    "provider_file_name",
    "provider_session",
    "save_provider_file",
    "write_sheet",
]
