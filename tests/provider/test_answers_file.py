"""The provider answers file written with its instructions, read back as it was written."""

from __future__ import annotations

import stat
from pathlib import Path

from provider_fixtures import waiting_answers, write_profile

from cyberdiag.loading import load_profile
from cyberdiag.loading.provider import read_provider_file
from cyberdiag.provider import items_to_confirm, load_commune, provider_file_name
from cyberdiag.provider.answers_file import new_provider_file, save_provider_file


def test_written_then_read_back(tmp_path: Path) -> None:
    profile = write_profile(tmp_path)
    waiting = waiting_answers(profile, tmp_path / "answers.yaml")
    commune = load_commune(load_profile(profile), tmp_path / "answers.yaml")
    questions = items_to_confirm(commune.questions, commune.answers)
    for lang, words in (("fr", "DIFFUSION RESTREINTE"), ("en", "RESTRICTED")):
        path = tmp_path / lang / provider_file_name("59998")
        written = new_provider_file(commune, questions, lang)  # type: ignore[arg-type]
        save_provider_file(path, written)
        assert path.name == "prestataire-59998.yaml"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# ") and words in text.split("kind:", 1)[0]
        read, _ = read_provider_file(path)
        assert read == written
        assert [item.question for item in read.items] == waiting
        q = questions[0]
        assert read.items[0].text == q.text.get(lang)  # type: ignore[arg-type]
