"""The three error types of cyberdiag: UserError (one clear line), NotTested, ParseError."""

from __future__ import annotations

from typing import Any

from cyberdiag.i18n import Lang, plural


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
        if n == 1:  # one mistake: it is the message (one line, naming the file)
            super().__init__(lines[0], lines[0], lines=list(lines))
            return
        super().__init__(
            plural(n, "erreur de validation.", "erreurs de validation.", "fr"),
            plural(n, "validation error.", "validation errors.", "en"),
            lines=lines,
        )


class NotTested(Exception):
    """A check could not be carried out (network trouble, missing tool...). Not a failure."""

    def __init__(self, fr: str, en: str, evidence: dict[str, Any] | None = None) -> None:
        # Lazy: this module is imported by the command line's error handler before every
        # command, `--help` included; the models load pydantic (~0.15 s, half of `--help`).
        from cyberdiag.models import Text

        super().__init__(en)
        self.reason = Text(fr=fr, en=en)
        self.evidence = evidence or {}


class ParseError(ValueError):
    """A record or value does not follow its syntax. `args[0]` says why (English, for evidence);
    `fr` holds the French text; `code` is a stable short reason where callers branch on it."""

    def __init__(self, en: str, fr: str | None = None, *, code: str = "") -> None:
        super().__init__(en)
        self.en = en
        self.fr = fr or en
        self.code = code or en
