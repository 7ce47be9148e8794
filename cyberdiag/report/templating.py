"""The one Jinja environment of cyberdiag: templates from report_templates/ only, autoescaped.

Used by the awareness report, the workshop, provider and territorial documents. Undefined
names are errors (StrictUndefined). With a language, the environment's `finalize` applies that
language's typography to every text printed with {{ }} (plain str only: our Markup — the radar
SVG, the inlined CSS — is left alone, and autoescape still applies after it), and templates get
`t(fr, en)` and the `num` filter.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any, Literal

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
)
from jinja2.bccache import Bucket
from markupsafe import Markup

from cyberdiag.i18n import Lang
from cyberdiag.loading import shipped_cache
from cyberdiag.report.frtypo import format_number, typo
from cyberdiag.resources import templates_dir as templates_dir  # also imported from here

# The template folders: report_templates/ itself (the awareness report) and those below it.
Folder = Literal["", "workshop", "territory", "provider"]


@cache
def environment(folder: Folder = "", lang: Lang | None = None) -> Environment:
    """The environment for the templates of report_templates/`folder` (one per folder and
    language); with `lang`, typography on every printed text, `t(fr, en)` and `num`."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir() / folder)),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=None if lang is None else _typography(lang),
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(typography=lang is not None),
    )
    if lang is not None:

        def t(fr: str, en: str) -> str:
            return en if lang == "en" else fr

        def num(value: float | int, decimals: int = 0) -> str:
            return format_number(value, lang, decimals)

        env.globals["t"] = t
        env.filters["num"] = num
    return env


class _QuietBytecodeCache(FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates, where a file that cannot be read or written
    only means "compile again" (a full disk, a damaged entry), never an error."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # unreadable or damaged entry: Jinja compiles the template again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            return


def _bytecode_cache(*, typography: bool) -> BytecodeCache | None:
    """Compiled templates kept in the user's private cache folder (like Python's __pycache__):
    compiling report.html.j2 costs about 0.2 s in each process. Jinja checks each entry
    against the template's source; the file name also says whether `finalize` was compiled in
    (it changes the code). An entry is code: the folder is used only when it belongs to this
    user and nobody else may write in it (as ssh does with ~/.ssh). None (compile every time)
    otherwise, when it cannot be made, or with CYBERDIAG_NO_CACHE."""
    if not shipped_cache.enabled():
        return None
    folder = shipped_cache.cache_dir() / "templates"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.stat()
    except OSError:
        return None
    if st.st_uid != os.getuid() or st.st_mode & 0o022:
        return None
    kind = "typo" if typography else "plain"
    return _QuietBytecodeCache(str(folder), pattern=f"{kind}-%s.cache")


def _typography(lang: Lang) -> Any:
    """The `finalize` hook applying the typography of `lang` to plain text."""

    def finalize(value: Any) -> Any:
        # Returns plain str, so autoescape still applies after it.
        if isinstance(value, str) and not isinstance(value, Markup):
            return typo(value, lang)
        return value

    return finalize
