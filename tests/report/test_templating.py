"""The one Jinja environment: report_templates/ only, autoescape, strict names, typography."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
from jinja2.bccache import bc_magic
from markupsafe import Markup
from report_fixtures import complete

from cyberdiag.diagnostic import save
from cyberdiag.report.frtypo import NBSP
from cyberdiag.report.templating import environment, templates_dir


def test_one_environment_per_folder_and_language() -> None:
    assert environment("", "fr") is environment("", "fr")
    assert environment("", "fr") is not environment("", "en")
    assert environment("workshop") is not environment("territory")


def test_templates_come_from_report_templates_only() -> None:
    env = environment("workshop")
    assert env.get_template("sheet.html.j2") is not None
    assert templates_dir().name == "report_templates"
    for name in ("../report.html.j2", "../../pyproject.toml", "/etc/passwd"):
        with pytest.raises(jinja2.TemplateNotFound):
            env.get_template(name)


def test_autoescape_and_undefined_names_are_errors() -> None:
    env = environment("territory")
    assert env.from_string("{{ x }}").render(x="<b>&") == "&lt;b&gt;&amp;"
    assert env.from_string("{{ x }}").render(x=Markup("<b>")) == "<b>"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


def test_typography_only_with_a_language() -> None:
    template = "{{ s }}|{{ t('oui : non', 'yes : no') }}|{{ 12345.5 | num(1) }}"
    fr = environment("", "fr").from_string(template).render(s="Plafonné par : x")
    assert fr == f"Plafonné par{NBSP}: x|oui{NBSP}: non|12\u202f345,5"
    en = environment("", "en").from_string(template).render(s="Capped by : x")
    assert en == "Capped by : x|yes : no|12,345.5"
    assert environment("workshop").from_string("{{ s }}").render(s="a : b") == "a : b"
    # Markup (our SVG, the CSS) is left alone, and still not escaped.
    assert environment("", "fr").from_string("{{ m }}").render(m=Markup("<i>a : b</i>")) == (
        "<i>a : b</i>"
    )


# ---- compiled templates kept between runs (each run a fresh process: the environment is cached)


def _report_html(diag: Path, out: Path, cache_home: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    env.pop("CYBERDIAG_NO_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-m", "cyberdiag", "report", str(diag), "-o", str(out)],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8")


def _without_dates(html: str) -> str:
    return re.sub(r"\d{1,2}(er)?\s\w+\s\d{4}", "DATE", html)


def test_compiled_templates_are_kept_private_and_give_the_same_report(tmp_path: Path) -> None:
    diag = tmp_path / "diagnostic.json"
    save(complete(), diag)
    cache_home = tmp_path / "cache"
    first = _report_html(diag, tmp_path / "a.html", cache_home)
    folder = cache_home / "cyberdiag" / "templates"
    entries = sorted(folder.iterdir())
    assert entries and all(e.name.startswith("typo-") for e in entries)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(e.stat().st_mode) == 0o600 for e in entries)
    assert _without_dates(_report_html(diag, tmp_path / "b.html", cache_home)) == _without_dates(
        first
    )
    # A damaged entry (Jinja's header, then garbage where its checksum and code should be) only
    # means "compile again": same report, the entry rewritten.
    for e in entries:
        e.write_bytes(bc_magic + b"\x00garbage" * 50)
    assert _without_dates(_report_html(diag, tmp_path / "c.html", cache_home)) == _without_dates(
        first
    )
    assert all(b"garbage" not in e.read_bytes() for e in entries)


def test_a_cache_folder_others_may_write_in_is_not_used(tmp_path: Path) -> None:
    diag = tmp_path / "diagnostic.json"
    save(complete(), diag)
    folder = tmp_path / "cache" / "cyberdiag" / "templates"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    assert "<!DOCTYPE html>" in _report_html(diag, tmp_path / "a.html", tmp_path / "cache")
    assert list(folder.iterdir()) == []
