"""Pydantic's validation errors as plain sentences ("what was expected, what was found")."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cyberdiag.errors import ValidationFailed
from cyberdiag.i18n import plural, tr
from cyberdiag.loading.yamlread import Path_, RawFile, read_raw

M = TypeVar("M", bound=BaseModel)


def show(value: Any) -> str:
    """A value as quoted in a message, cut at 60 characters: in the reader's words (a YAML
    `true` is « oui » in French, an empty value « rien »), never Python's spelling."""
    if isinstance(value, bool):
        text = tr("« oui »", "true") if value else tr("« non »", "false")
    elif value is None:
        text = tr("rien (valeur vide)", "nothing (empty value)")
    elif isinstance(value, str):
        text = f"« {value} »"
    elif isinstance(value, list):
        text = tr("une liste de ", "a list of ") + plural(
            len(value), tr("élément", "item"), tr("éléments", "items")
        )
    elif isinstance(value, dict):
        text = tr("un ensemble de clés", "a mapping")
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _translation_message(kind: str, last: Any) -> str | None:
    """Messages for a missing or empty `fr`/`en` text; None for other errors."""
    if last not in ("fr", "en"):
        return None
    if kind == "missing":
        return tr(
            f"traduction manquante : le texte en {'français' if last == 'fr' else 'anglais'} "
            "est obligatoire",
            f"missing translation: the {'French' if last == 'fr' else 'English'} text is required",
        )
    if kind == "string_too_short":
        return tr(
            f"traduction vide : attendu un texte en {'français' if last == 'fr' else 'anglais'}",
            f"empty translation: expected a text in {'French' if last == 'fr' else 'English'}",
        )
    return None


def _type_message(kind: str, value: Any) -> str | None:
    """Messages for a value of the wrong type; None for other errors."""
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return tr(
            f"attendu un nombre entier, trouvé {show(value)}",
            f"expected a whole number, found {show(value)}",
        )
    if kind == "string_type":
        return tr(
            f"attendu un texte, trouvé {show(value)}", f"expected a text, found {show(value)}"
        )
    if kind in ("bool_parsing", "bool_type"):
        return tr(
            f"attendu true ou false, trouvé {show(value)}",
            f"expected true or false, found {show(value)}",
        )
    if kind == "list_type":
        return tr(
            f"attendu une liste, trouvé {show(value)}", f"expected a list, found {show(value)}"
        )
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return tr(
            f"attendu un ensemble de clés (mapping), trouvé {show(value)}",
            f"expected a mapping of keys, found {show(value)}",
        )
    return None


def _value_message(kind: str, value: Any, ctx: dict[str, Any]) -> str | None:
    """Messages for a value of the right type outside what is allowed; None for others."""
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = ctx.get("ge", ctx.get("le", ctx.get("gt", ctx.get("lt"))))
        op = {"greater_than_equal": "≥", "less_than_equal": "≤", "greater_than": ">"}.get(kind, "<")
        return tr(
            f"attendu une valeur {op} {bound}, trouvé {show(value)}",
            f"expected a value {op} {bound}, found {show(value)}",
        )
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        return tr(
            f"attendu l'une des valeurs {expected.replace(' or ', ' ou ')}, trouvé {show(value)}",
            f"expected one of {expected}, found {show(value)}",
        )
    if kind == "string_pattern_mismatch":
        return tr(
            f"format invalide (attendu le motif {ctx.get('pattern')}), trouvé {show(value)}",
            f"invalid format (expected pattern {ctx.get('pattern')}), found {show(value)}",
        )
    if kind == "string_too_long":
        return tr(
            f"texte trop long (au plus {ctx.get('max_length')} caractères)",
            f"text too long (at most {ctx.get('max_length')} characters)",
        )
    return None


def pydantic_message(err: dict[str, Any]) -> str:
    """One pydantic error (an item of ValidationError.errors()) as a plain sentence."""
    kind = err.get("type", "")
    value = err.get("input")
    loc = err.get("loc", ())
    last = loc[-1] if loc else ""
    message = _translation_message(kind, last)
    if message is not None:
        return message
    if kind == "missing":
        return tr("champ obligatoire manquant", "required field missing")
    if kind == "value_error" and "domains" in loc:
        return tr(
            f"nom de domaine invalide (attendu par exemple ville-exemple.fr), trouvé {show(value)}",
            f"invalid domain name (expected e.g. ville-exemple.fr), found {show(value)}",
        )
    if kind == "extra_forbidden":
        return tr(
            f"clé inconnue (faute de frappe ?), trouvé {show(value)}",
            f"unknown key (typo?), found {show(value)}",
        )
    message = _type_message(kind, value) or _value_message(kind, value, err.get("ctx") or {})
    if message is not None:
        return message
    return tr(
        f"valeur invalide ({err.get('msg')}), trouvé {show(value)}",
        f"invalid value ({err.get('msg')}), found {show(value)}",
    )


def validate_model(raw: RawFile, model: type[M], base: Path_ = ()) -> M | None:
    """Validate raw.data (or the part at `base`) against `model`; record every mistake."""
    data = raw.data
    for part in base:
        data = data[part]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            # pydantic puts union/tag names in loc for some errors: keep only real keys
            loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
            raw.error((*base, *loc), pydantic_message(dict(err)))
        return None


def read_model(path: Path, model: type[M]) -> M:
    """One YAML file validated against `model`; ValidationFailed lists every mistake
    (file:line › item › field: message)."""
    raw = read_raw(path)
    if raw.errors:
        raise ValidationFailed(raw.errors)
    if not isinstance(raw.data, dict):
        raw.error((), tr("attendu un ensemble de clés (mapping)", "expected a mapping of keys"))
        raise ValidationFailed(raw.errors)
    obj = validate_model(raw, model)
    if obj is None:
        raise ValidationFailed(raw.errors)
    return obj
