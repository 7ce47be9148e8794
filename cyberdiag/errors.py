"""The error types the CLI turns into one clear line (see cli.main)."""

from __future__ import annotations

from cyberdiag.i18n import Lang


class UserError(Exception):
    """A user's mistake (bad file, bad option, missing tool): one line, exit code 1.

    Always carries the message in French and English; `lines` may hold further details
    (e.g. every validation mistake), printed after the main line.
    """

    def __init__(self, fr: str, en: str | None = None, lines: list[str] | None = None) -> None:
        super().__init__(fr)
        self.fr = fr
        self.en = en if en is not None else fr
        self.lines = lines or []

    def message(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.fr


class ValidationFailed(UserError):
    """One or more data files are invalid; `lines` holds every mistake, already formatted."""

    def __init__(self, lines: list[str]) -> None:
        n = len(lines)
        super().__init__(
            f"{n} erreur(s) de validation.",
            f"{n} validation error(s).",
            lines=lines,
        )
