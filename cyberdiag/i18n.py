"""Language selection: French by default, English on request.

Every text a user reads exists in both languages. Data files carry `Text` objects; code uses
`tr(fr, en)` with the current language, set once per command from `--lang` or CYBERDIAG_LANG.
"""

from __future__ import annotations

import os
from typing import Literal

Lang = Literal["fr", "en"]

_current: Lang | None = None


def default_lang() -> Lang:
    """English when CYBERDIAG_LANG starts with "en", French otherwise."""
    env = os.environ.get("CYBERDIAG_LANG", "").lower()[:2]
    return "en" if env == "en" else "fr"


def set_lang(lang: str | None) -> Lang:
    """Set the language of this process (None: from the environment); returns it."""
    global _current
    _current = "en" if (lang or default_lang()) == "en" else "fr"
    return _current


def current() -> Lang:
    """The language set for this process (or the environment's default)."""
    return _current or default_lang()


def tr(fr: str, en: str, lang: Lang | None = None) -> str:
    """Pick the French or English text."""
    return en if (lang or current()) == "en" else fr


def one_or_many(n: int, one: str, many: str) -> str:
    """The singular form for exactly one, else the plural (the word only, without `n`)."""
    return one if n == 1 else many


def plural(n: int, one: str, many: str, lang: Lang | None = None) -> str:
    """« 1 fichier valide », « 21 vérifications non testées »: `n` and the right form (French:
    0 and 1 take the singular; English: only 1)."""
    single = n <= 1 if (lang or current()) == "fr" else n == 1
    return f"{n} {one if single else many}"
