"""The action plan as CSV, for the municipality's own follow-up (spreadsheet).

Same rows, same order and same texts as the PDF's action plan, plus empty « Échéance prévue »,
« Responsable » and « État » columns to fill in. French: `;` separator (what a French spreadsheet
expects); English: `,`. UTF-8 with a BOM so that spreadsheets detect the encoding.

Cells are neutralised against formula injection by the one CSV helper (cyberdiag/csvsafe.py): a
free text (a comment, a DNS record, a municipality's explanation) starting with = + - @ or a
control character is prefixed with an apostrophe, so a spreadsheet shows it as text and never
evaluates it.
"""

from __future__ import annotations

from cyberdiag.csvsafe import csv_text, safe_cell
from cyberdiag.i18n import Lang, tr
from cyberdiag.models import Diagnostic
from cyberdiag.report.build import build_view

__all__ = ["plan_csv", "safe_cell"]


def plan_csv(diag: Diagnostic, lang: Lang = "fr") -> str:
    view = build_view(diag, lang)
    rows: list[list[str]] = [
        [
            "#",
            tr("Action", "Action", lang),
            tr("À faire", "What to do", lang),
            tr("Domaine", "Domain", lang),
            tr("Gravité", "Severity", lang),
            tr("Critique", "Critical", lang),
            tr("Nature", "Kind", lang),
            tr("Qui agit", "Who acts", lang),
            tr("Effort", "Effort", lang),
            tr("Cible", "Target", lang),
            tr("Références", "References", lang),
            tr("Explication de la commune", "Municipality's explanation", lang),
            tr("Échéance prévue", "Planned date", lang),
            tr("Responsable", "Owner", lang),
            tr("État", "Status", lang),
        ]
    ]
    for f in view.findings:
        expl = ""
        if f.explanation is not None:
            e = f.explanation
            expl = f"{e.kind_label}{' (' + e.date + ')' if e.date else ''} : {e.text}"
            if lang == "en":
                expl = expl.replace(" : ", ": ", 1)
        row = [
            str(f.num),
            f.title,
            f.action,
            f.domain_name,
            f.severity_label,
            tr("oui", "yes", lang) if f.critical else "",
            f.kind_label,
            f.who_label,
            f.effort_label,
            f.target,
            " · ".join(f.references),
            expl,
            "",
            "",
            "",
        ]
        rows.append(row)
    return csv_text(rows, delimiter=";" if lang == "fr" else ",")
