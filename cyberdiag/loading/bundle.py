"""The files of one validation, grouped by kind, and the helpers shared by the cross-file rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cyberdiag.i18n import tr
from cyberdiag.loading.messages import show
from cyberdiag.loading.yamlread import RawFile
from cyberdiag.models import PROFILE_FLAGS, CheckCatalogue, Grid, PortCatalogue, Questionnaire


@dataclass
class Bundle:
    """Everything loaded for one validation: files by kind, the models that validated."""

    files: list[RawFile] = field(default_factory=list)
    questionnaires: list[tuple[RawFile, Questionnaire | None]] = field(default_factory=list)
    grids: list[tuple[RawFile, Grid | None]] = field(default_factory=list)
    catalogues: list[tuple[RawFile, CheckCatalogue | None]] = field(default_factory=list)
    ports: list[tuple[RawFile, PortCatalogue | None]] = field(default_factory=list)
    answers: list[RawFile] = field(default_factory=list)
    # Provider answers files (kind: provider_answers, `cyberdiag provider sheet`).
    provider_files: list[RawFile] = field(default_factory=list)
    # Shipped questionnaires used only to resolve references (their own errors not reported).
    ref_questionnaires: list[tuple[RawFile, Questionnaire | None]] = field(default_factory=list)

    def errors(self) -> list[str]:
        """Every mistake, file by file, in line order."""
        return [e for f in self.files for e in sorted(f.errors, key=lambda e: line_of(f, e))]


def line_of(raw: RawFile, error: str) -> int:
    """The line number a formatted error of `raw` starts with (0 when it has none)."""
    rest = error[len(raw.label) :]
    digits = rest[1:].split(" ", 1)[0].rstrip(":") if rest.startswith(":") else ""
    return int(digits) if digits.isdigit() else 0


def items(raw: RawFile, key: str) -> Iterable[tuple[int, dict[str, Any]]]:
    """(index, mapping) of each mapping in the top-level list `key` of the file."""
    data = raw.data
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        return []
    return [(i, x) for i, x in enumerate(data[key]) if isinstance(x, dict)]


def dup_ids(raw: RawFile, key: str, id_key: str = "id") -> None:
    """Report each item of the list `key` whose `id_key` an earlier item already uses."""
    seen: dict[Any, int] = {}
    for i, item in items(raw, key):
        ident = item.get(id_key)
        if ident is None:
            continue
        if ident in seen:
            raw.error(
                (key, i, id_key),
                tr(
                    f"identifiant en double : « {ident} » est déjà utilisé par l'élément n°"
                    f"{seen[ident] + 1}",
                    f"duplicate id: '{ident}' is already used by item #{seen[ident] + 1}",
                ),
                item=str(ident),
            )
        else:
            seen[ident] = i


def grid_info(bundle: Bundle) -> tuple[int, set[str], dict[str, set[str]]]:
    """(scale_max, domain ids, critical question ids) of the grid in play."""
    for raw, grid in bundle.grids:
        if grid is not None:
            crit = {c.question for c in grid.critical if c.question}
            return grid.scale_max, {d.id for d in grid.domains}, {"q": {q for q in crit if q}}
        data = raw.data if isinstance(raw.data, dict) else {}
        domains = {str(d.get("id")) for _, d in items(raw, "domains")}
        crit_q = {str(c.get("question")) for _, c in items(raw, "critical") if c.get("question")}
        scale = data.get("scale_max", 4)
        return (scale if isinstance(scale, int) else 4), domains, {"q": crit_q}
    return 4, set(), {"q": set()}


def unscored_domains(bundle: Bundle) -> set[str]:
    """Ids of the grid's domains marked `scored: false` (pooling: no score, no level)."""
    for _raw, grid in bundle.grids:
        if grid is not None:
            return {d.id for d in grid.domains if not d.scored}
    for raw, _ in bundle.grids:
        return {str(d.get("id")) for _, d in items(raw, "domains") if d.get("scored") is False}
    return set()


def unknown_flag(value: Any) -> str:
    """The message for a profile flag that does not exist."""
    return tr(
        f"condition inconnue : attendu l'une de {', '.join(PROFILE_FLAGS)}, trouvé {show(value)}",
        f"unknown condition: expected one of {', '.join(PROFILE_FLAGS)}, found {show(value)}",
    )
