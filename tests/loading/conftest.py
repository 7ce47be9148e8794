"""The loading tests run in tests/data/validation (files named as given), in French."""

from __future__ import annotations

from pathlib import Path

import pytest

from cyberdiag.i18n import set_lang

DATA = Path(__file__).parent.parent / "data" / "validation"


@pytest.fixture(autouse=True)
def _french(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    monkeypatch.delenv("CYBERDIAG_LANG", raising=False)
    set_lang("fr")
