"""The README's "what each check means and how to fix it" section matches checks/*.yaml."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import yaml

ROOT = Path(__file__).resolve().parent.parent


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_readme_checks", ROOT / "tools" / "gen_readme_checks.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_readme_checks", module)
    spec.loader.exec_module(module)
    return module


def catalogue() -> list[dict]:  # type: ignore[type-arg]
    out = []
    for path in sorted((ROOT / "checks").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("kind") == "checks":
            out.extend(data["checks"])
    return out


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_readme_sections_match_the_catalogue() -> None:
    """README.md in French, README.en.md in English, each generated from the catalogue."""
    gen = generator()
    for name, lang in (("README.md", "fr"), ("README.en.md", "en")):
        readme = (ROOT / name).read_text(encoding="utf-8")
        section = gen.marked_section(readme)
        assert section is not None, f"{name} lost its <!-- checks:begin/end --> markers"
        assert section == gen.generate(lang=lang), (
            f"{name} is out of date: python tools/gen_readme_checks.py --update {name}"
        )


def test_every_check_is_explained_in_french_and_english() -> None:
    gen = generator()
    fr, en = gen.generate(lang="fr"), gen.generate(lang="en")
    checks = catalogue()
    assert checks, "no check catalogue in checks/*.yaml"
    for c in checks:
        for text, lang in ((fr, "fr"), (en, "en")):
            assert text.count(f"**`{c['id']}` — ") == 1, c["id"]
            assert one_line(c["title"][lang]) in text
            assert one_line(c["explanation"][lang]) in text
            assert one_line(c["remediation"][lang]) in text
    assert "Comment corriger" in fr and "How to fix it" not in fr
    assert "How to fix it" in en and "Comment corriger" not in en


def test_the_french_readme_holds_no_english_section() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for english in ("### What each check means", "How to fix it:", "For elected officials:",
                    "Ports the exposure scan treats as risky"):
        assert english not in readme


def test_replace_section_keeps_the_rest(tmp_path: Path) -> None:
    gen = generator()
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# x\n\nbefore\n\n{gen.BEGIN}\nSTALE-CONTENT\n{gen.END}\n\nafter\n", encoding="utf-8"
    )
    assert gen.main(["--check", str(readme)]) == 1
    assert gen.main(["--update", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# x\n\nbefore\n\n") and text.endswith("\n\nafter\n")
    assert "STALE-CONTENT" not in text
    assert gen.main(["--check", str(readme)]) == 0
