"""Build hook: compile the message catalogues (cyberdiag/locale/*/LC_MESSAGES/*.po) to .mo.

Run by hatchling for every build (wheel and editable install) and by `make` (python
hatch_build.py): the .mo files sit next to their .po in the source tree (not committed) and are
put into the wheel explicitly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def compile_catalogues(root: Path) -> list[Path]:
    """Compile every .po of the package to its .mo (when missing or older); return the .mo."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    out = []
    for po in sorted((root / "cyberdiag" / "locale").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as fh:
                catalog = read_po(fh)
            tmp = mo.with_suffix(".mo.tmp")
            with tmp.open("wb") as fh:
                write_mo(fh, catalog)
            tmp.replace(mo)
        out.append(mo)
    return out


class CatalogueHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compiles the catalogues before the files of the build are collected."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        for mo in compile_catalogues(root):
            if version != "editable":  # an editable install reads them in the source tree
                build_data["force_include"][str(mo)] = mo.relative_to(root).as_posix()


if __name__ == "__main__":
    for path in compile_catalogues(Path(__file__).resolve().parent):
        print(path)
