"""cyberdiag/loading/shipped_cache.py: the shipped files, once validated, kept between runs in the
user's cache (this suite's own folder: tests/conftest.py) — and never trusted blindly."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cyberdiag.loading import shipped, shipped_cache
from cyberdiag.loading.validate import shipped_files


def fresh_bundle() -> shipped_cache.Bundle:
    shipped._shipped_bundle.cache_clear()
    return shipped._shipped_bundle()


def test_written_once_then_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("CYBERDIAG_NO_CACHE", raising=False)
    key = shipped_cache.cache_key(shipped_files())
    path = shipped_cache.cache_path(key)
    assert not path.exists()
    built = fresh_bundle()
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert shipped_cache.read_cache(key) == built  # the same models, read back
    # Read from the cache: the YAML files are not read at all.
    monkeypatch.setattr(shipped, "build_bundle", lambda paths: pytest.fail("files read again"))
    assert fresh_bundle() == built
    shipped._shipped_bundle.cache_clear()


def test_a_damaged_or_foreign_cache_is_ignored(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    key = shipped_cache.cache_key(shipped_files())
    path = shipped_cache.cache_path(key)
    path.parent.mkdir(parents=True)
    for content in ("{not json", json.dumps({"key": "another"}),
                    json.dumps({"key": key, "questionnaires": {"x": {"id": 1}}}), "[]"):
        path.write_text(content, encoding="utf-8")
        assert shipped_cache.read_cache(key) is None
    built = fresh_bundle()  # rebuilt from the files, and the cache replaced
    assert shipped_cache.read_cache(key) == built
    shipped._shipped_bundle.cache_clear()


def test_a_changed_file_changes_the_key(tmp_path: Path) -> None:
    files = []
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("x: 1\n", encoding="utf-8")
        files.append(tmp_path / name)
    before = shipped_cache.cache_key(files)
    assert shipped_cache.cache_key(files) == before
    (tmp_path / "b.yaml").write_text("x: 22\n", encoding="utf-8")
    assert shipped_cache.cache_key(files) != before


def test_an_unwritable_cache_folder_is_no_error(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": "/proc/cyberdiag-nowhere"}
    out = subprocess.run([sys.executable, "-m", "cyberdiag", "validate"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    code = ("from cyberdiag.loading import load_grid; print(len(load_grid().domains))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and int(out.stdout) > 0, out.stderr


def test_a_cache_changed_by_hand_is_refused(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    """Read whole from its JSON text, the cache is still validated by the models, deep down."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    key = shipped_cache.cache_key(shipped_files())
    path = shipped_cache.cache_path(key)
    built = fresh_bundle()
    good = json.loads(path.read_text(encoding="utf-8"))
    changes = [
        ("questionnaires", "complet", "questions", 0, "options", 0, "id", "Pas valide !"),
        ("questionnaires", "complet", "questions", 0, "weight", 9),
        ("grid", "unknown_field", 1),
        ("checks", next(iter(good["checks"])), "id", None),
    ]
    for *where, last, value in changes:
        data = json.loads(json.dumps(good))
        node = data
        for part in where:
            node = node[part]
        node[last] = value
        path.write_text(json.dumps(data), encoding="utf-8")
        assert shipped_cache.read_cache(key) is None, where
    path.write_text(json.dumps(good), encoding="utf-8")
    assert shipped_cache.read_cache(key) == built
    shipped._shipped_bundle.cache_clear()
