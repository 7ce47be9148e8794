"""The one YAML reader of cyberdiag: safe loading, line numbers and duplicate keys for messages.

Every YAML file of the package is read here. Parsing uses libyaml (yaml.CSafeLoader) when it is
installed, safe loading only. The node tree gives each key's line (for messages naming
file:line › item › field) and reveals duplicate keys that a plain load would silently merge.
When a file is not valid YAML, it is parsed again with the pure-Python loader so that the
message is worded the same whether libyaml is installed or not.

Every input is bounded before it is built: at most MAX_YAML_BYTES read (counted on the bytes
read, not on what the file system announces), nesting at most MAX_DEPTH deep, and at most
MAX_NODES values once aliases are expanded (a "billion laughs" file is refused in milliseconds,
before anything walks its alias paths).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cyberdiag.errors import UserError, ValidationFailed
from cyberdiag.fileio import read_limited
from cyberdiag.i18n import current, tr
from cyberdiag.loading.parse_messages import yaml_problem
from cyberdiag.resources import data_dir

Path_ = tuple[str | int, ...]
MAX_YAML_BYTES = 2_000_000
MAX_DEPTH = 50
MAX_NODES = 200_000  # values once aliases are expanded (the full questionnaire has ~5,000)
_SMALL_FOR_PURE_PYTHON = 300_000  # bytes: larger invalid files keep libyaml's wording
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SHOWN_FOLDERS = ("questionnaires", "checks", "report_templates")


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
        """The line where `path` (or its nearest parent) starts; None when unknown."""
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
        for folder in _SHOWN_FOLDERS:
            base = data_dir(folder)
            if path.resolve().is_relative_to(base.resolve()):
                return f"{folder}/{path.resolve().relative_to(base.resolve()).as_posix()}"
    except (OSError, ValueError):
        pass
    return str(path)


def read_yaml(path: Path) -> Any:
    """The data of one YAML file; ValidationFailed (file:line: what is wrong) when it is
    unreadable, not valid YAML or repeats a key."""
    raw = read_raw(path)
    if raw.errors:
        raise ValidationFailed(raw.errors)
    return raw.data


def read_raw(path: Path) -> RawFile:
    """Read and parse a YAML file. Unreadable/invalid YAML → a RawFile with one error, data None."""
    label = display_name(path)
    raw = RawFile(path=path, label=label, data=None)
    try:
        data = read_limited(path, MAX_YAML_BYTES, label)
    except UserError as exc:
        raw.errors.append(exc.message(current()))
        return raw
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raw.errors.append(
            tr(f"{label} : le fichier n'est pas en UTF-8.", f"{label}: the file is not UTF-8.")
        )
        return raw
    return parse_yaml_text(text, raw)


def parse_yaml_text(text: str, raw: RawFile) -> RawFile:
    """Parse `text` into raw.data, recording each key's line and any duplicate key."""
    try:
        problem = _shape_problem(text, raw.label)
        if problem is not None:
            raw.errors.append(problem)
            return raw
        node, raw.data = _compose_and_construct(text, _FAST_LOADER)
    except yaml.YAMLError as exc:
        raw.data = None
        raw.errors.append(_syntax_message(text, raw.label, exc))
        return raw
    if node is not None:
        _walk(node, (), raw)
    return raw


def _shape_problem(text: str, label: str) -> str | None:
    """Why `text` is refused before being built (too deep, too many values once aliases are
    expanded), or None. One pass over the parser's events: no node tree, no data."""
    sizes: dict[str, int] = {}  # anchor -> number of values it stands for
    stack: list[list[Any]] = []  # open collections: [anchor, values so far]
    for event in yaml.parse(text, Loader=_FAST_LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([event.anchor, 1])
            if len(stack) > MAX_DEPTH:
                return tr(
                    f"{label} : imbrication trop profonde (plus de {MAX_DEPTH} niveaux).",
                    f"{label}: nested too deeply (over {MAX_DEPTH} levels).",
                )
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, n = stack.pop()
        elif isinstance(event, yaml.ScalarEvent):
            anchor, n = event.anchor, 1
        elif isinstance(event, yaml.AliasEvent):
            anchor, n = None, sizes.get(str(event.anchor), 1)
        else:
            continue
        if anchor is not None:
            sizes[str(anchor)] = n
        if stack:
            stack[-1][1] += n
        if n > MAX_NODES or (stack and stack[-1][1] > MAX_NODES):
            return tr(
                f"{label} : trop de valeurs (plus de {MAX_NODES:,} une fois les alias « *… » "
                "développés).".replace(",", "\u202f"),
                f"{label}: too many values (over {MAX_NODES:,} once aliases '*…' are expanded).",
            )
    return None


def _compose_and_construct(text: str, loader_class: Any) -> tuple[yaml.Node | None, Any]:
    """One pass: the node tree (for lines) and the data built from it."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _syntax_message(text: str, label: str, fast_error: yaml.YAMLError) -> str:
    """The message for text that is not valid YAML, worded by the pure-Python parser (events
    only, never a node tree: bounded in depth and time) when the text is small enough."""
    error: yaml.YAMLError | None = fast_error
    if len(text) <= _SMALL_FOR_PURE_PYTHON:
        # valid events but refused when built (an unknown tag): the builder's own words
        error = fast_error if isinstance(fast_error, yaml.constructor.ConstructorError) else None
        try:
            depth = 0
            for event in yaml.parse(text, Loader=yaml.SafeLoader):
                if isinstance(event, yaml.CollectionStartEvent):
                    depth += 1
                    if depth > MAX_DEPTH:
                        error = fast_error
                        break
                elif isinstance(event, yaml.CollectionEndEvent):
                    depth -= 1
        except yaml.YAMLError as exc:
            error = exc
    if error is None:  # only libyaml refused it: use its own words
        return tr(f"{label}: YAML invalide (refusé par libyaml).",
                  f"{label}: invalid YAML (refused by libyaml).")
    problem, line, column = yaml_problem(error)  # in French when French is chosen
    where = f":{line}" if line is not None else ""
    at = tr(f", colonne {column} : ", f", column {column}: ") if column else tr(" : ", ": ")
    return tr(f"{label}{where}: YAML invalide{at}{problem}.",
              f"{label}{where}: invalid YAML{at}{problem}.")


def _walk(node: yaml.Node, path: Path_, raw: RawFile) -> None:
    """Record the line of every key below `node`; report keys given twice."""
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


def _item_and_field(data: Any, path: Path_) -> tuple[str | None, str]:
    """Split a path into the innermost top-level item's id and the field path below it.

    ('questions', 3, 'options', 1, 'score') in a questionnaire whose 4th question has id q.x and
    whose 2nd option has id oui → ('q.x', 'options[oui].score').
    """
    item: str | None = None
    item_end = 0
    node = data
    for i, part in enumerate(path):
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
    """One mistake as `file:line › item › field: message`."""
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
