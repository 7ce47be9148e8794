"""The limits of a diagnostic.json, checked at load before the record is built.

A real diagnostic has about 150 answers, 60 check results and 200 findings, with comments of a
few lines. A crafted or damaged file beyond these limits is refused at once with a message saying
which limit, instead of making a report take minutes and gigabytes. The same limits are declared
on the models (models.Diagnostic), so the JSON Schema shows them.
"""

from __future__ import annotations

from typing import Any

from cyberdiag.errors import UserError

MAX_BYTES = 20_000_000
MAX_ANSWERS = 2_000
MAX_CHECKS = 5_000
MAX_FINDINGS = 2_000
MAX_DOMAINS = 100
MAX_COMMENT = 5_000
MAX_STRING = 20_000  # any other text of the record (evidence is cut far shorter when shown)

_COUNTS: tuple[tuple[str, int, str, str], ...] = (
    ("answers", MAX_ANSWERS, "réponses", "answers"),
    ("checks", MAX_CHECKS, "résultats de vérification", "check results"),
    ("findings", MAX_FINDINGS, "constats", "findings"),
    ("domains", MAX_DOMAINS, "domaines", "domains"),
)


def _n(value: int, lang: str) -> str:
    return f"{value:,}".replace(",", "\u202f" if lang == "fr" else ",")


def check_limits(data: dict[str, Any], label: str) -> None:
    """UserError naming the file and the limit when `data` (a parsed diagnostic) exceeds one."""
    for key, limit, fr, en in _COUNTS:
        items = data.get(key)
        if isinstance(items, list) and len(items) > limit:
            raise _refused(
                label,
                f"{_n(len(items), 'fr')} {fr}, au plus {_n(limit, 'fr')}",
                f"{_n(len(items), 'en')} {en}, at most {_n(limit, 'en')}",
            )
    for item in data.get("answers") or []:
        comment = item.get("comment") if isinstance(item, dict) else None
        if isinstance(comment, str) and len(comment) > MAX_COMMENT:
            raise _refused(
                label,
                f"commentaire de {_n(len(comment), 'fr')} caractères, au plus "
                f"{_n(MAX_COMMENT, 'fr')}",
                f"a comment of {_n(len(comment), 'en')} characters, at most "
                f"{_n(MAX_COMMENT, 'en')}",
            )
    longest = _longest_string(data)
    if longest > MAX_STRING:
        raise _refused(
            label,
            f"un texte de {_n(longest, 'fr')} caractères, au plus {_n(MAX_STRING, 'fr')}",
            f"a text of {_n(longest, 'en')} characters, at most {_n(MAX_STRING, 'en')}",
        )


def _refused(label: str, fr: str, en: str) -> UserError:
    return UserError(
        f"{label} : diagnostic refusé ({fr}) — fichier modifié ou fabriqué ?",
        f"{label}: diagnostic refused ({en}) — edited or crafted file?",
    )


def _longest_string(data: Any) -> int:
    """The length of the longest string (keys included) anywhere in `data` (iterative)."""
    longest = 0
    todo = [data]
    while todo:
        node = todo.pop()
        if isinstance(node, str):
            longest = max(longest, len(node))
        elif isinstance(node, dict):
            todo.extend(node.keys())
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return longest
