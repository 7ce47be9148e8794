"""The one Jinja environment: report_templates/ only, autoescape, strict names, typography."""

from __future__ import annotations

import jinja2
import pytest
from markupsafe import Markup

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
