"""YAML data files → typed models, with errors that name file › item id › field.

Every mistake in a file is collected (never only the first): pydantic's errors are translated into
plain sentences ("what was expected, what was found"), then the cross-file rules are checked
(duplicate ids, grid → questions/checks, scores on the grid's scale, critical flags...). Line
numbers come from the YAML node tree (yaml.compose), which also reveals duplicate keys that
safe_load would silently merge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from cyberdiag.errors import UserError, ValidationFailed
from cyberdiag.i18n import tr
from cyberdiag.models import (
    PROFILE_FLAGS,
    Answer,
    AnswerFile,
    CheckCatalogue,
    CheckMeta,
    Grid,
    PortCatalogue,
    Profile,
    Questionnaire,
)
from cyberdiag.resources import data_dir

Path_ = tuple[str | int, ...]
KIND_MODELS: dict[str, type[BaseModel]] = {
    "questionnaire": Questionnaire,
    "grid": Grid,
    "checks": CheckCatalogue,
    "ports": PortCatalogue,
}
MAX_YAML_BYTES = 5_000_000
SHIPPED_GRID = "grille.yaml"


# --------------------------------------------------------------------------------------------
# Raw YAML with line numbers
# --------------------------------------------------------------------------------------------


@dataclass
class RawFile:
    """A parsed YAML file: its data, where each path starts (1-based line), its own mistakes."""

    path: Path
    label: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    error_paths: set[Path_] = field(default_factory=set)

    def line(self, path: Path_) -> int | None:
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)

    def error(
        self, path: Path_, message: str, item: str | None = None, fld: str | None = None
    ) -> None:
        """Record one mistake at `path` (keys/indices from the top of the file); a second
        mistake at the same place is dropped (the first one says what to fix)."""
        key = tuple(path)
        if key in self.error_paths:
            return
        self.error_paths.add(key)
        self.errors.append(format_error(self, key, message, item, fld))


def display_name(path: Path) -> str:
    """Shipped files are shown as questionnaires/x.yaml; user files as given."""
    try:
        for folder in ("questionnaires", "checks"):
            base = data_dir(folder)
            if path.resolve().is_relative_to(base.resolve()):
                return f"{folder}/{path.resolve().relative_to(base.resolve())}"
    except (OSError, ValueError):
        pass
    return str(path)


def read_yaml(path: Path) -> RawFile:
    """Read and parse a YAML file. Unreadable/invalid YAML → a RawFile with one error, data None."""
    label = display_name(path)
    raw = RawFile(path=path, label=label, data=None)
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            raw.errors.append(
                tr(
                    f"{label} : fichier trop gros (plus de {MAX_YAML_BYTES // 1_000_000} Mo).",
                    f"{label}: file too large (over {MAX_YAML_BYTES // 1_000_000} MB).",
                )
            )
            return raw
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raw.errors.append(tr(f"{label} : fichier introuvable.", f"{label}: file not found."))
        return raw
    except UnicodeDecodeError:
        raw.errors.append(
            tr(f"{label} : le fichier n'est pas en UTF-8.", f"{label}: the file is not UTF-8.")
        )
        return raw
    except OSError as exc:
        raw.errors.append(
            tr(
                f"{label} : lecture impossible ({exc.strerror}).",
                f"{label}: cannot read it ({exc.strerror}).",
            )
        )
        return raw
    return parse_yaml_text(text, raw)


def parse_yaml_text(text: str, raw: RawFile) -> RawFile:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw.data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raw.errors.append(
            tr(
                f"{raw.label}{where}: YAML invalide ({problem}).",
                f"{raw.label}{where}: invalid YAML ({problem}).",
            )
        )
        raw.data = None
        return raw
    if node is not None:
        _walk(node, (), raw)
    return raw


def _walk(node: yaml.Node, path: Path_, raw: RawFile) -> None:
    raw.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raw.lines[(*path, key)] = key_node.start_mark.line + 1
                raw.error(
                    (*path, key),
                    tr(
                        "clé en double (la seconde valeur écraserait la première)",
                        "duplicate key (the second value would silently replace the first)",
                    ),
                )
            seen.add(key)
            raw.lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), raw)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _walk(child, (*path, i), raw)


# --------------------------------------------------------------------------------------------
# Error formatting
# --------------------------------------------------------------------------------------------


def _item_and_field(data: Any, path: Path_) -> tuple[str | None, str]:
    """Split a path into the innermost top-level item's id and the field path below it.

    ('questions', 3, 'options', 1, 'score') in a questionnaire whose 4th question has id q.x and
    whose 2nd option has id oui → ('q.x', 'options[oui].score').
    """
    item: str | None = None
    item_end = 0
    node = data
    nodes: list[Any] = []
    for i, part in enumerate(path):
        nodes.append(node)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
        if item is None and isinstance(part, int) and isinstance(node, dict):
            ident = node.get("id", node.get("port"))
            if isinstance(ident, str):
                item, item_end = ident, i + 1
            elif isinstance(ident, int) and not isinstance(ident, bool):
                # numeric ids (tiers, levels, ports) read better with their collection
                item, item_end = f"{path[i - 1]}[{ident}]" if i else str(ident), i + 1
    rest = path[item_end:] if item is not None else path
    out = ""
    node = data
    for part in path[:item_end]:
        node = node[part] if node is not None else None
    for part in rest:
        if isinstance(part, int):
            child = node[part] if isinstance(node, list) and part < len(node) else None
            ident = child.get("id") if isinstance(child, dict) else None
            out += f"[{ident}]" if isinstance(ident, str) else f"[{part}]"
            node = child
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return item, out


def format_error(
    raw: RawFile, path: Path_, message: str, item: str | None = None, fld: str | None = None
) -> str:
    line = raw.line(path)
    where = f"{raw.label}:{line}" if line else raw.label
    found_item, found_fld = _item_and_field(raw.data, path)
    item = item or found_item
    fld = found_fld if fld is None else fld
    parts = [where]
    if item:
        parts.append(item)
    if fld:
        parts.append(fld)
    return " › ".join(parts) + ": " + message


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"« {value} »"
    return text if len(text) <= 60 else text[:57] + "…"


def _pydantic_message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    value = err.get("input")
    ctx = err.get("ctx") or {}
    loc = err.get("loc", ())
    last = loc[-1] if loc else ""
    if kind == "missing":
        if last in ("fr", "en"):
            return tr(
                f"traduction manquante : le texte en {'français' if last == 'fr' else 'anglais'} "
                "est obligatoire",
                f"missing translation: the {'French' if last == 'fr' else 'English'} text is "
                "required",
            )
        return tr("champ obligatoire manquant", "required field missing")
    if kind == "value_error" and "domains" in loc:
        return tr(
            "nom de domaine invalide (attendu par exemple ville-exemple.fr), "
            f"trouvé {_show(value)}",
            f"invalid domain name (expected e.g. ville-exemple.fr), found {_show(value)}",
        )
    if kind == "extra_forbidden":
        return tr(
            f"clé inconnue (faute de frappe ?), trouvé {_show(value)}",
            f"unknown key (typo?), found {_show(value)}",
        )
    if kind == "string_too_short" and last in ("fr", "en"):
        return tr(
            f"traduction vide : attendu un texte en {'français' if last == 'fr' else 'anglais'}",
            f"empty translation: expected a text in {'French' if last == 'fr' else 'English'}",
        )
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return tr(
            f"attendu un nombre entier, trouvé {_show(value)}",
            f"expected a whole number, found {_show(value)}",
        )
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = ctx.get("ge", ctx.get("le", ctx.get("gt", ctx.get("lt"))))
        op = {"greater_than_equal": "≥", "less_than_equal": "≤", "greater_than": ">"}.get(kind, "<")
        return tr(
            f"attendu une valeur {op} {bound}, trouvé {_show(value)}",
            f"expected a value {op} {bound}, found {_show(value)}",
        )
    if kind in ("string_type",):
        return tr(
            f"attendu un texte, trouvé {_show(value)}", f"expected a text, found {_show(value)}"
        )
    if kind in ("bool_parsing", "bool_type"):
        return tr(
            f"attendu true ou false, trouvé {_show(value)}",
            f"expected true or false, found {_show(value)}",
        )
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        return tr(
            f"attendu l'une des valeurs {expected.replace(' or ', ' ou ')}, trouvé {_show(value)}",
            f"expected one of {expected}, found {_show(value)}",
        )
    if kind in ("list_type",):
        return tr(
            f"attendu une liste, trouvé {_show(value)}", f"expected a list, found {_show(value)}"
        )
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return tr(
            f"attendu un ensemble de clés (mapping), trouvé {_show(value)}",
            f"expected a mapping of keys, found {_show(value)}",
        )
    if kind == "string_pattern_mismatch":
        return tr(
            f"format invalide (attendu le motif {ctx.get('pattern')}), trouvé {_show(value)}",
            f"invalid format (expected pattern {ctx.get('pattern')}), found {_show(value)}",
        )
    if kind == "string_too_long":
        return tr(
            f"texte trop long (au plus {ctx.get('max_length')} caractères)",
            f"text too long (at most {ctx.get('max_length')} characters)",
        )
    return tr(
        f"valeur invalide ({err.get('msg')}), trouvé {_show(value)}",
        f"invalid value ({err.get('msg')}), found {_show(value)}",
    )


M = TypeVar("M", bound=BaseModel)


def validate_model(raw: RawFile, model: type[M], base: Path_ = ()) -> M | None:
    """Validate raw.data (or the part at `base`) against `model`; record every mistake."""
    data = raw.data
    for part in base:
        data = data[part]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
            # pydantic puts union/tag names in loc for some errors: keep only real keys
            raw.error((*base, *loc), _pydantic_message(dict(err)))
        return None


# --------------------------------------------------------------------------------------------
# Cross-file rules
# --------------------------------------------------------------------------------------------


@dataclass
class Bundle:
    """Everything loaded for one validation: files by kind, the models that validated."""

    files: list[RawFile] = field(default_factory=list)
    questionnaires: list[tuple[RawFile, Questionnaire | None]] = field(default_factory=list)
    grids: list[tuple[RawFile, Grid | None]] = field(default_factory=list)
    catalogues: list[tuple[RawFile, CheckCatalogue | None]] = field(default_factory=list)
    ports: list[tuple[RawFile, PortCatalogue | None]] = field(default_factory=list)
    answers: list[RawFile] = field(default_factory=list)
    # Shipped questionnaires used only to resolve references (their own errors not reported).
    ref_questionnaires: list[tuple[RawFile, Questionnaire | None]] = field(default_factory=list)

    def errors(self) -> list[str]:
        """Every mistake, file by file, in line order."""
        return [e for f in self.files for e in sorted(f.errors, key=lambda e: _line_of(f, e))]


def _line_of(raw: RawFile, error: str) -> int:
    rest = error[len(raw.label) :]
    digits = rest[1:].split(" ", 1)[0].rstrip(":") if rest.startswith(":") else ""
    return int(digits) if digits.isdigit() else 0


def _items(raw: RawFile, key: str) -> Iterable[tuple[int, dict[str, Any]]]:
    data = raw.data
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        return []
    return [(i, x) for i, x in enumerate(data[key]) if isinstance(x, dict)]


def _dup_ids(raw: RawFile, key: str, id_key: str = "id") -> None:
    seen: dict[Any, int] = {}
    for i, item in _items(raw, key):
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


def _grid_info(bundle: Bundle) -> tuple[int, set[str], dict[str, set[str]]]:
    """(scale_max, domain ids, critical question ids) of the grid in play."""
    for raw, grid in bundle.grids:
        if grid is not None:
            crit = {c.question for c in grid.critical if c.question}
            return grid.scale_max, {d.id for d in grid.domains}, {"q": {q for q in crit if q}}
        data = raw.data if isinstance(raw.data, dict) else {}
        domains = {str(d.get("id")) for _, d in _items(raw, "domains")}
        crit_q = {str(c.get("question")) for _, c in _items(raw, "critical") if c.get("question")}
        scale = data.get("scale_max", 4)
        return (scale if isinstance(scale, int) else 4), domains, {"q": crit_q}
    return 4, set(), {"q": set()}


def _unknown_flag(value: Any) -> str:
    return tr(
        f"condition inconnue : attendu l'une de {', '.join(PROFILE_FLAGS)}, trouvé {_show(value)}",
        f"unknown condition: expected one of {', '.join(PROFILE_FLAGS)}, found {_show(value)}",
    )


def _check_questionnaire(raw: RawFile, bundle: Bundle) -> None:
    scale_max, domains, crit = _grid_info(bundle)
    has_grid = bool(bundle.grids)
    _dup_ids(raw, "questions")
    for i, q in _items(raw, "questions"):
        qid = str(q.get("id", f"#{i + 1}"))
        dom = q.get("domain")
        if has_grid and isinstance(dom, str) and domains and dom not in domains:
            raw.error(
                ("questions", i, "domain"),
                tr(
                    f"domaine inconnu de la grille : attendu l'un de {', '.join(sorted(domains))}, "
                    f"trouvé « {dom} »",
                    f"domain not in the grid: expected one of {', '.join(sorted(domains))}, "
                    f"found '{dom}'",
                ),
            )
        options = q.get("options")
        if isinstance(options, list):
            _dup_ids_list(raw, ("questions", i, "options"), options, qid)
            kinds = [o.get("kind", "answer") for o in options if isinstance(o, dict)]
            if "dont_know" not in kinds:
                raw.error(
                    ("questions", i, "options"),
                    tr(
                        "aucune option « je ne sais pas » (kind: dont_know) : attendue dans "
                        "chaque question",
                        'no "I don\'t know" option (kind: dont_know): every question needs one',
                    ),
                )
            _check_option_scores(raw, i, options, scale_max)
        applies = q.get("applies")
        if isinstance(applies, dict):
            for j, flag in enumerate(applies.get("requires") or []):
                if flag not in PROFILE_FLAGS:
                    raw.error(("questions", i, "applies", "requires", j), _unknown_flag(flag))
            for j, tier in enumerate(applies.get("tiers") or []):
                if tier not in (1, 2, 3, 4):
                    raw.error(
                        ("questions", i, "applies", "tiers", j),
                        tr(
                            f"strate inconnue : attendu 1, 2, 3 ou 4, trouvé {_show(tier)}",
                            f"unknown tier: expected 1, 2, 3 or 4, found {_show(tier)}",
                        ),
                    )
        if has_grid and q.get("critical") is True and qid not in crit["q"]:
            raw.error(
                ("questions", i, "critical"),
                tr(
                    "question marquée critique mais la grille n'a aucun élément critique qui "
                    "s'y réfère (section critical)",
                    "question marked critical but no critical item of the grid refers to it "
                    "(section critical)",
                ),
            )


def _check_option_scores(raw: RawFile, i: int, options: list[Any], scale_max: int) -> None:
    """Scores of one question's options: on the grid's scale; none for "not applicable"."""
    for j, opt in enumerate(options):
        if not isinstance(opt, dict):
            continue
        kind = opt.get("kind", "answer")
        score = opt.get("score")
        at = ("questions", i, "options", j, "score")
        if kind == "not_applicable":
            if score is not None:
                raw.error(
                    at,
                    tr(
                        "une option « non applicable » n'a pas de score (elle est exclue "
                        f"du calcul), trouvé {_show(score)}",
                        "a not_applicable option has no score (it is excluded from the "
                        f"score), found {_show(score)}",
                    ),
                )
        elif score is None:
            raw.error(
                at,
                tr(
                    f"score manquant : attendu un entier entre 0 et {scale_max}",
                    f"missing score: expected a whole number between 0 and {scale_max}",
                ),
            )
        elif (
            isinstance(score, int) and not isinstance(score, bool) and not (0 <= score <= scale_max)
        ):
            raw.error(
                at,
                tr(
                    f"score hors de l'échelle : attendu un entier entre 0 et {scale_max}, "
                    f"trouvé {score}",
                    f"score outside the scale: expected a whole number between 0 and "
                    f"{scale_max}, found {score}",
                ),
            )


def _dup_ids_list(raw: RawFile, base: Path_, items: list[Any], owner: str) -> None:
    seen: set[Any] = set()
    for j, opt in enumerate(items):
        if isinstance(opt, dict) and opt.get("id") is not None:
            if opt["id"] in seen:
                raw.error(
                    (*base, j, "id"),
                    tr(
                        f"identifiant d'option en double : « {opt['id']} »",
                        f"duplicate option id: '{opt['id']}'",
                    ),
                    item=owner,
                )
            seen.add(opt["id"])


def _all_question_ids(bundle: Bundle) -> set[str]:
    ids: set[str] = set()
    for raw, _ in bundle.questionnaires:
        ids |= {str(q.get("id")) for _, q in _items(raw, "questions")}
    return ids


def _all_check_ids(bundle: Bundle) -> set[str]:
    ids: set[str] = set()
    for raw, _ in bundle.catalogues:
        ids |= {str(c.get("id")) for _, c in _items(raw, "checks")}
    return ids


def _check_grid(raw: RawFile, bundle: Bundle) -> None:
    data = raw.data if isinstance(raw.data, dict) else {}
    _dup_ids(raw, "domains")
    _dup_ids(raw, "tiers")
    _dup_ids(raw, "critical")
    _dup_ids(raw, "levels")
    levels = [lv for _, lv in _items(raw, "levels")]
    level_ids = [lv.get("id") for lv in levels]
    if level_ids and level_ids != list(range(len(level_ids))):
        raw.error(
            ("levels",),
            tr(
                f"niveaux : attendu les identifiants 0, 1, 2… dans l'ordre, trouvé {level_ids}",
                f"levels: expected ids 0, 1, 2… in order, found {level_ids}",
            ),
        )
    thresholds = [lv.get("min_score") for lv in levels]
    nums = [t for t in thresholds if isinstance(t, int)]
    if nums != sorted(nums):
        raw.error(
            ("levels",),
            tr(
                f"niveaux : les seuils min_score doivent croître, trouvé {thresholds}",
                f"levels: min_score thresholds must increase, found {thresholds}",
            ),
        )
    max_level = len(levels) - 1 if levels else 4
    question_ids = _all_question_ids(bundle)
    check_ids = _all_check_ids(bundle)
    tiers = {t.get("id") for _, t in _items(raw, "tiers")}
    missing_tiers = sorted({1, 2, 3, 4} - {t for t in tiers if isinstance(t, int)})
    if data and missing_tiers:
        raw.error(
            ("tiers",),
            tr(
                f"strates manquantes : attendu 1, 2, 3 et 4, il manque {missing_tiers}",
                f"missing tiers: expected 1, 2, 3 and 4, missing {missing_tiers}",
            ),
        )
    for i, t in _items(raw, "tiers"):
        tl = t.get("target_level")
        if isinstance(tl, int) and not 0 <= tl <= max_level:
            raw.error(
                ("tiers", i, "target_level"),
                tr(
                    f"niveau cible inconnu : attendu 0 à {max_level}, trouvé {tl}",
                    f"unknown target level: expected 0 to {max_level}, found {tl}",
                ),
            )
    for i, d in _items(raw, "domains"):
        cond = d.get("condition")
        if cond is not None and cond not in PROFILE_FLAGS:
            raw.error(("domains", i, "condition"), _unknown_flag(cond))
        checks = d.get("checks") or []
        seen: set[str] = set()
        for j, c in enumerate(checks if isinstance(checks, list) else []):
            cid = c.get("id") if isinstance(c, dict) else None
            if not isinstance(cid, str):
                continue
            if cid in seen:
                raw.error(
                    ("domains", i, "checks", j, "id"),
                    tr(f"vérification en double : « {cid} »", f"duplicate check: '{cid}'"),
                )
            seen.add(cid)
            if bundle.catalogues and cid not in check_ids:
                raw.error(
                    ("domains", i, "checks", j, "id"),
                    tr(
                        f"vérification inconnue : aucun catalogue checks/*.yaml ne définit "
                        f"« {cid} »",
                        f"unknown check: no catalogue in checks/*.yaml defines '{cid}'",
                    ),
                )
    for i, c in _items(raw, "critical"):
        q, ch = c.get("question"), c.get("check")
        if (q is None) == (ch is None):
            raw.error(
                ("critical", i),
                tr(
                    "attendu exactement une des clés question ou check",
                    "expected exactly one of the keys question or check",
                ),
            )
        if isinstance(q, str) and bundle.questionnaires and q not in question_ids:
            raw.error(
                ("critical", i, "question"),
                tr(
                    f"question inconnue : aucun questionnaire ne définit « {q} »",
                    f"unknown question: no questionnaire defines '{q}'",
                ),
            )
        if isinstance(ch, str) and bundle.catalogues and ch not in check_ids:
            raw.error(
                ("critical", i, "check"),
                tr(
                    f"vérification inconnue : aucun catalogue checks/*.yaml ne définit « {ch} »",
                    f"unknown check: no catalogue in checks/*.yaml defines '{ch}'",
                ),
            )
        for key in ("cap_if_missing", "cap_if_partial"):
            v = c.get(key)
            if isinstance(v, int) and not 0 <= v <= max_level:
                raw.error(
                    ("critical", i, key),
                    tr(
                        f"niveau inconnu : attendu 0 à {max_level}, trouvé {v}",
                        f"unknown level: expected 0 to {max_level}, found {v}",
                    ),
                )


def _check_catalogue(raw: RawFile, bundle: Bundle, seen: dict[str, str]) -> None:
    _, domains, _ = _grid_info(bundle)
    _dup_ids(raw, "checks")
    for i, c in _items(raw, "checks"):
        cid = c.get("id")
        if isinstance(cid, str):
            if cid in seen and seen[cid] != raw.label:
                raw.error(
                    ("checks", i, "id"),
                    tr(
                        f"identifiant en double : « {cid} » est déjà défini dans {seen[cid]}",
                        f"duplicate id: '{cid}' is already defined in {seen[cid]}",
                    ),
                )
            seen.setdefault(cid, raw.label)
        dom = c.get("domain")
        if domains and isinstance(dom, str) and dom not in domains:
            raw.error(
                ("checks", i, "domain"),
                tr(
                    f"domaine inconnu de la grille : trouvé « {dom} »",
                    f"domain not in the grid: found '{dom}'",
                ),
            )


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def shipped_files() -> list[Path]:
    out = sorted(data_dir("questionnaires").glob("*.yaml"))
    out += sorted(data_dir("checks").glob("*.yaml"))
    return out


def _classify(raw: RawFile, bundle: Bundle) -> None:
    data = raw.data
    if raw.errors and data is None:
        return
    if not isinstance(data, dict):
        raw.error(
            (),
            tr(
                "attendu un ensemble de clés (mapping) en haut du fichier, trouvé "
                f"{type(data).__name__}",
                f"expected a mapping at the top of the file, found {type(data).__name__}",
            ),
        )
        return
    kind = data.get("kind")
    if kind is None and "answers" in data:
        bundle.answers.append(raw)
        return
    if kind is None and "insee" in data:  # a municipality profile (municipality.yaml)
        validate_model(raw, Profile)
        return
    model = KIND_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raw.error(
            ("kind",),
            tr(
                "type de fichier inconnu : attendu kind: questionnaire, grid, checks ou ports "
                f"(ou un profil, ou des réponses), trouvé {_show(kind)}",
                "unknown file type: expected kind: questionnaire, grid, checks or ports "
                f"(or a profile, or answers), found {_show(kind)}",
            ),
        )
        return
    obj = validate_model(raw, model)
    if kind == "questionnaire":
        bundle.questionnaires.append((raw, obj))  # type: ignore[arg-type]
    elif kind == "grid":
        bundle.grids.append((raw, obj))  # type: ignore[arg-type]
    elif kind == "checks":
        bundle.catalogues.append((raw, obj))  # type: ignore[arg-type]
    else:
        bundle.ports.append((raw, obj))  # type: ignore[arg-type]


def build_bundle(paths: list[Path] | None = None) -> Bundle:
    """Load the given files (or every shipped one) plus, for cross-references, the shipped files
    of the kinds that were not given."""
    given = [Path(p) for p in paths] if paths else shipped_files()
    bundle = Bundle()
    for p in given:
        raw = read_yaml(p)
        bundle.files.append(raw)
        _classify(raw, bundle)
    if paths:
        # Cross-references: shipped files of the kinds not provided (their own errors not shown).
        ref = Bundle()
        for p in shipped_files():
            if any(p.resolve() == Path(g).resolve() for g in given):
                continue
            _classify(read_yaml(p), ref)
        if not bundle.grids:
            bundle.grids = ref.grids
        if not bundle.catalogues:
            bundle.catalogues = ref.catalogues
        bundle.ref_questionnaires = ref.questionnaires
    return bundle


def check_bundle(bundle: Bundle) -> list[str]:
    """Run the cross-file rules; return every mistake (formatted)."""
    own = {id(r) for r in bundle.files}
    grids_for_refs = bundle
    extra_q = bundle.ref_questionnaires
    if extra_q:
        grids_for_refs = Bundle(
            files=bundle.files,
            questionnaires=bundle.questionnaires + extra_q,
            grids=bundle.grids,
            catalogues=bundle.catalogues,
            ref_questionnaires=extra_q,
        )
    for raw, _ in bundle.questionnaires:
        if id(raw) in own:
            _check_questionnaire(raw, grids_for_refs)
    for raw, _ in bundle.grids:
        if id(raw) in own:
            _check_grid(raw, grids_for_refs)
    seen: dict[str, str] = {}
    for raw, _ in bundle.catalogues:
        if id(raw) in own:
            _check_catalogue(raw, grids_for_refs, seen)
    for raw, _ in bundle.ports:
        _dup_ids(raw, "ports", "port")
    for raw in bundle.answers:
        _check_answer_raw(raw, grids_for_refs)
    return bundle.errors()


def validate_files(paths: list[Path] | None = None) -> list[str]:
    """Validate questionnaires, grids, check catalogues (and answer files); every mistake."""
    return check_bundle(build_bundle(paths))


# ---- typed loaders used by the commands -----------------------------------------------------


@cache
def _shipped_bundle() -> tuple[dict[str, Questionnaire], Grid, dict[str, CheckMeta]]:
    bundle = build_bundle(None)
    errors = check_bundle(bundle)
    if errors:
        raise ValidationFailed(errors)
    qs = {q.id: q for _, q in bundle.questionnaires if q is not None}
    grid = next(g for _, g in bundle.grids if g is not None)
    checks = {c.id: c for _, cat in bundle.catalogues if cat is not None for c in cat.checks}
    return qs, grid, checks


def load_grid() -> Grid:
    return _shipped_bundle()[1]


def load_check_catalogue() -> dict[str, CheckMeta]:
    """Every check's metadata by id (all shipped checks/*.yaml)."""
    return _shipped_bundle()[2]


def load_questionnaire(name_or_path: str) -> Questionnaire:
    """A shipped questionnaire by id ('complet', 'atelier') or a questionnaire file."""
    shipped = _shipped_bundle()[0]
    if name_or_path in shipped:
        return shipped[name_or_path]
    path = Path(name_or_path)
    if not path.exists():
        raise UserError(
            f"Questionnaire introuvable « {name_or_path} » : indiquer complet, atelier ou un "
            "fichier YAML.",
            f"Questionnaire not found '{name_or_path}': give complet, atelier or a YAML file.",
        )
    return load_questionnaire_file(path)[0]


def load_questionnaire_file(path: Path) -> tuple[Questionnaire, Grid | None]:
    """One questionnaire file, checked against the shipped grid, and the grid it holds if any."""
    bundle = build_bundle([path])
    errors = check_bundle(bundle)
    if errors:
        raise ValidationFailed(errors)
    questionnaire = next((q for _, q in bundle.questionnaires if q is not None), None)
    if questionnaire is None:
        raise UserError(
            f"{path} n'est pas un questionnaire (kind: questionnaire).",
            f"{path} is not a questionnaire (kind: questionnaire).",
        )
    return questionnaire, next((g for _, g in bundle.grids if g is not None), None)


def load_profile(path: Path) -> Profile:
    raw = read_yaml(path)
    if raw.errors:
        raise ValidationFailed(raw.errors)
    if not isinstance(raw.data, dict):
        raw.error((), tr("attendu un ensemble de clés (mapping)", "expected a mapping of keys"))
        raise ValidationFailed(raw.errors)
    prof = validate_model(raw, Profile)
    if prof is None:
        raise ValidationFailed(raw.errors)
    return prof


def _check_answer_raw(raw: RawFile, bundle: Bundle) -> None:
    data = raw.data if isinstance(raw.data, dict) else {}
    qname = data.get("questionnaire")
    questionnaire = None
    for _, q in bundle.questionnaires + bundle.ref_questionnaires:
        if q is not None and q.id == qname:
            questionnaire = q
    # Each answer on its own, so that every mistake is reported at once.
    entries = data.get("answers")
    for qid, entry in entries.items() if isinstance(entries, dict) else []:
        if isinstance(entry, dict):
            try:
                Answer.model_validate(entry)
            except ValidationError as exc:
                for err in exc.errors():
                    loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
                    raw.error(
                        ("answers", qid, *loc),
                        _pydantic_message(dict(err)),
                        item=str(qid),
                        fld=".".join(str(p) for p in loc),
                    )
        if questionnaire is not None:
            check_answer_entry(raw, str(qid), entry, questionnaire)
    rest = {k: v for k, v in data.items() if k != "answers"}
    try:
        AnswerFile.model_validate(rest)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
            raw.error(loc, _pydantic_message(dict(err)))
    if isinstance(qname, str) and questionnaire is None and bundle.questionnaires:
        raw.error(
            ("questionnaire",),
            tr(f"questionnaire inconnu « {qname} »", f"unknown questionnaire '{qname}'"),
        )


def check_answer_entry(raw: RawFile, qid: str, entry: Any, questionnaire: Questionnaire) -> None:
    """One answer against its questionnaire: the question exists, the option is one of its own."""
    q = next((q for q in questionnaire.questions if q.id == qid), None)
    if q is None:
        raw.error(
            ("answers", qid),
            tr(
                f"question inconnue du questionnaire « {questionnaire.id} »",
                f"question not in questionnaire '{questionnaire.id}'",
            ),
            item=qid,
            fld="",
        )
        return
    option = entry.get("option") if isinstance(entry, dict) else None
    options = [o.id for o in q.options]
    if isinstance(option, str) and option not in options:
        raw.error(
            ("answers", qid, "option"),
            tr(
                f"réponse inconnue : attendu l'une de {', '.join(options)}, trouvé « {option} »",
                f"unknown answer: expected one of {', '.join(options)}, found '{option}'",
            ),
            item=qid,
            fld="option",
        )


def load_answers(
    path: Path, questionnaire: Questionnaire, *, missing_ok: bool = False
) -> AnswerFile:
    """Read an answers file (hand-written, from a form, or saved by the interview)."""
    empty = AnswerFile(questionnaire=questionnaire.id, questionnaire_version=questionnaire.version)
    if missing_ok and not path.exists():
        return empty
    raw = read_yaml(path)
    if raw.errors:
        raise ValidationFailed(raw.errors)
    if raw.data is None and missing_ok:
        return empty
    if not isinstance(raw.data, dict):
        raw.error((), tr("attendu un ensemble de clés (mapping)", "expected a mapping of keys"))
        raise ValidationFailed(raw.errors)
    if raw.data.get("questionnaire") != questionnaire.id:
        raw.error(
            ("questionnaire",),
            tr(
                f"ces réponses sont pour le questionnaire « {raw.data.get('questionnaire')} », "
                f"pas pour « {questionnaire.id} »",
                f"these answers are for questionnaire '{raw.data.get('questionnaire')}', not "
                f"'{questionnaire.id}'",
            ),
        )
        raise ValidationFailed(raw.errors)
    bundle = Bundle(files=[raw], questionnaires=[(raw, questionnaire)], answers=[raw])
    _check_answer_raw(raw, bundle)
    if raw.errors:
        raise ValidationFailed(sorted(raw.errors, key=lambda e: _line_of(raw, e)))
    return AnswerFile.model_validate(raw.data)
