"""The YAML and JSON parsers' messages in French: what is wrong, where (line, column), in words a
non-specialist can act on. The parsers (PyYAML, the json module) only speak English; their
messages are matched here, and an unknown one gets a general French sentence.
"""

from __future__ import annotations

import re
from typing import Any

from cyberdiag.i18n import Lang, tr

# PyYAML's problems (scanner, parser, composer, constructor), most specific first. `{0}` is the
# character or token the parser quoted.
_YAML: list[tuple[str, str]] = [
    (r"mapping values are not allowed here",
     "« : » inattendu ici (une valeur contenant « : » doit être entre guillemets, ou "
     "l'indentation est incorrecte)"),
    (r"could not find expected ':'", "« : » attendu après une clé"),
    (r"found character '\\t' that cannot start any token",
     "tabulation interdite (indenter avec des espaces)"),
    (r"found a tab character (?:that violates|where an) indentation.*",
     "tabulation dans l'indentation (indenter avec des espaces)"),
    (r"found character (.+) that cannot start any token",
     "le caractère {0} ne peut pas commencer une valeur (mettre la valeur entre guillemets)"),
    (r"did not find expected key", "clé attendue (indentation incorrecte ?)"),
    (r"did not find expected '-' indicator",
     "« - » attendu (élément de liste mal indenté ?)"),
    (r"block sequence entries are not allowed here",
     "élément de liste « - » interdit ici (indentation incorrecte ?)"),
    (r"found unexpected end of stream",
     "fin du fichier inattendue (guillemet ou crochet non refermé ?)"),
    (r"expected ',' or '\]', but got (.+)", "« , » ou « ] » attendu, trouvé {0}"),
    (r"expected ',' or '\}', but got (.+)", "« , » ou « }} » attendu, trouvé {0}"),
    (r"found unknown escape character (.+)",
     "séquence d'échappement inconnue {0} (doubler la barre oblique inverse ?)"),
    (r"expected <document start>, but found (.+)", "début de document attendu, trouvé {0}"),
    (r"expected <block end>, but found (.+)",
     "fin de bloc attendue, trouvé {0} (indentation incorrecte ?)"),
    (r"expected a comment or a line break, but found (.+)",
     "commentaire ou fin de ligne attendu, trouvé {0}"),
    (r"expected the node content, but found (.+)", "valeur attendue, trouvé {0}"),
    (r"found undefined alias (.+)", "alias {0} non défini"),
    (r"found duplicate anchor (.+)", "ancre {0} définie deux fois"),
    (r"found unexpected ':'", "« : » inattendu"),
    (r"could not determine a constructor for the tag (.+)",
     "étiquette {0} refusée (lecture sûre : seules les données simples sont acceptées)"),
    (r"expected alphabetic or numeric character, but found (.+)",
     "lettre ou chiffre attendu, trouvé {0}"),
    (r"while scanning a (?:quoted|plain|simple) .*", "valeur mal formée"),
]

# The json module's messages (json.JSONDecodeError.msg).
_JSON: list[tuple[str, str]] = [
    (r"Expecting value", "valeur attendue"),
    (r"Expecting property name enclosed in double quotes",
     "nom de champ entre guillemets doubles attendu (virgule en trop ?)"),
    (r"Expecting ',' delimiter", "« , » attendue entre deux éléments"),
    (r"Expecting ':' delimiter", "« : » attendu après un nom de champ"),
    (r"Unterminated string starting at", "texte entre guillemets non refermé"),
    (r"Invalid control character at", "caractère de contrôle interdit dans un texte"),
    (r"Invalid \\escape", "séquence d'échappement invalide"),
    (r"Invalid \\uXXXX escape", "séquence \\uXXXX invalide"),
    (r"Extra data", "contenu en trop après la fin des données"),
]


# How PyYAML names its tokens, in words.
_TOKENS = {"?": "une clé", "<block mapping start>": "le début d'un bloc de clés",
           "<block sequence start>": "le début d'une liste", "<block end>": "la fin d'un bloc",
           "<stream end>": "la fin du fichier", "<scalar>": "une valeur"}


def _quoted(token: str) -> str:
    bare = token.strip().strip("'\"")
    return _TOKENS.get(bare, f"« {bare} »")


def _translate(table: list[tuple[str, str]], message: str) -> str | None:
    for pattern, french in table:
        m = re.fullmatch(pattern, message.strip(), flags=re.S)
        if m:
            try:
                return french.format(*(_quoted(g) for g in m.groups()))
            except (ValueError, IndexError):  # a brace of the message itself: never a crash
                return french
    return None


def yaml_problem(error: Any, lang: Lang | None = None) -> tuple[str, int | None, int | None]:
    """(what is wrong, line, column) of a PyYAML error, in the language; line and column are
    1-based (None when the parser gave no position)."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    problem = str(getattr(error, "problem", None) or error)
    french = _translate(_YAML, problem) or "syntaxe YAML incorrecte"
    return tr(french, problem, lang), line, column


def json_problem(error: Any, lang: Lang | None = None) -> str:
    """A json.JSONDecodeError as « ligne 3, colonne 7 : « , » attendue… », in the language."""
    message = str(getattr(error, "msg", error))
    french = _translate(_JSON, message) or "syntaxe JSON incorrecte"
    line, column = getattr(error, "lineno", None), getattr(error, "colno", None)
    if line is None:
        return tr(french, message, lang)
    return tr(f"ligne {line}, colonne {column} : {french}",
              f"line {line}, column {column}: {message}", lang)
