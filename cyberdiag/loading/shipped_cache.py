"""A cache of the shipped files once validated, kept between runs: the first question comes fast.

Reading and validating the shipped questionnaires, grid and catalogues costs a few tenths of a
second in every process. Once they have passed every rule, their models are saved as JSON in the
user's cache folder (XDG_CACHE_HOME, ~/.cache/cyberdiag; private 0600), under a key made of
cyberdiag's version and each shipped file's name, size and modification time: a changed file
gives another key, and the files are read and validated again. The cache is JSON validated by
the same models when read (never code); anything unexpected in it means "no cache".
`cyberdiag validate` never uses it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from cyberdiag import __version__
from cyberdiag.errors import UserError
from cyberdiag.fileio import read_limited, write_private
from cyberdiag.models import CheckMeta, Grid, Model, Questionnaire

Bundle = tuple[dict[str, Questionnaire], Grid, dict[str, CheckMeta]]
MAX_CACHE_BYTES = 20_000_000
PREFIX = "shipped-"


class CacheFile(Model):
    """The cache file as write_cache writes it, validated whole from its JSON text: pydantic
    reads the text itself (no dict built first), a third faster than json.loads and then each
    model."""

    key: str
    questionnaires: dict[str, Questionnaire]
    grid: Grid
    checks: dict[str, CheckMeta]


def cache_dir() -> Path:
    """The user's cache folder for cyberdiag (platformdirs: XDG_CACHE_HOME/cyberdiag)."""
    from platformdirs import user_cache_dir  # lazy: only when the cache is used

    return Path(user_cache_dir("cyberdiag"))


def cache_key(files: list[Path]) -> str:
    """The key of these files as they are now (version, name, size, modification time)."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(files):
        st = path.stat()
        digest.update(f"\0{path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]


def cache_path(key: str) -> Path:
    return cache_dir() / f"{PREFIX}{key}.json"


def read_cache(key: str) -> Bundle | None:
    """The bundle saved under `key`, or None (absent, unreadable, not what we wrote)."""
    path = cache_path(key)
    try:
        data = CacheFile.model_validate_json(read_limited(path, MAX_CACHE_BYTES))
    except (UserError, OSError, ValueError):  # pydantic's ValidationError is a ValueError
        return None
    if data.key != key:
        return None
    return data.questionnaires, data.grid, data.checks


def write_cache(key: str, bundle: Bundle) -> None:
    """Save `bundle` under `key` (private file) and remove older entries; silent on failure:
    the cache only saves time."""
    questionnaires, grid, checks = bundle
    data = {
        "key": key,
        "questionnaires": {k: q.model_dump(mode="json") for k, q in questionnaires.items()},
        "grid": grid.model_dump(mode="json"),
        "checks": {k: c.model_dump(mode="json") for k, c in checks.items()},
    }
    path = cache_path(key)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(path, json.dumps(data, ensure_ascii=False))
        for old in path.parent.glob(f"{PREFIX}*.json"):
            if old != path:
                old.unlink(missing_ok=True)
    except (UserError, OSError):
        return


def enabled() -> bool:
    """False when CYBERDIAG_NO_CACHE is set (to measure, or to rule the cache out)."""
    return not os.environ.get("CYBERDIAG_NO_CACHE")
