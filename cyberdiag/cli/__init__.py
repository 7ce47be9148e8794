"""Command-line entry point: wires the command modules and the one error handler.

User mistake -> one clear line, exit 1. Ctrl-C -> exit 130 after saying what was saved.
Bug -> exit 3 and the path of a log file holding the traceback.
"""

from __future__ import annotations

import sys

# Command modules register themselves on `app` when imported (each imports only typer and the
# standard library at module level: `cyberdiag --help` stays fast).
# The registration order is the order of `cyberdiag --help`: the user's journey.
# isort: off
from cyberdiag.cli import core  # noqa: F401
from cyberdiag.cli import checks_cmd  # noqa: F401
from cyberdiag.cli import scan_cmd  # noqa: F401
from cyberdiag.cli import report_cmd  # noqa: F401
from cyberdiag.cli import run_cmd  # noqa: F401
from cyberdiag.cli import territory_cmd  # noqa: F401
from cyberdiag.cli import workshop_cmd  # noqa: F401
# isort: on
from cyberdiag.cli.app import app

EXIT_USER = 1
EXIT_INTERRUPTED = 130
EXIT_BUG = 3

__all__ = ["app", "entry", "main"]



def _err(text: str) -> None:
    sys.stderr.write(text.rstrip("\n") + "\n")


def _log_bug() -> str:
    import tempfile
    import traceback
    from pathlib import Path

    try:
        from platformdirs import user_log_dir

        log_dir = Path(user_log_dir("cyberdiag"))
        log_dir.mkdir(parents=True, exist_ok=True)
    except Exception:  # pragma: no cover - fall back to the temp dir
        log_dir = Path(tempfile.gettempdir())
    path = log_dir / "cyberdiag-error.log"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(traceback.format_exc())
        fh.write("\n")
    return str(path)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code (the one error handler of cyberdiag)."""
    import typer

    from cyberdiag.errors import UserError
    from cyberdiag.i18n import current, set_lang, tr

    set_lang(None)  # each run starts from the default language (CYBERDIAG_LANG or French)
    code = 0
    try:
        rv = app(args=argv, prog_name="cyberdiag", standalone_mode=False)
        # Recent typer returns the exit code of typer.Exit (and 130 for Ctrl-C) here.
        if isinstance(rv, int) and not isinstance(rv, bool):
            code = rv
            if code == EXIT_INTERRUPTED:
                _err(tr("Interrompu.", "Interrupted."))
    except UserError as exc:
        _err(tr("Erreur : ", "Error: ") + exc.message(current()))
        for line in exc.lines:
            _err("  " + line)
        code = EXIT_USER
    except (KeyboardInterrupt, typer.Abort):
        _err(tr("\nInterrompu.", "\nInterrupted."))
        code = EXIT_INTERRUPTED
    except typer.Exit as exc:
        code = exc.exit_code
    except Exception as exc:
        # Usage errors of the command-line parser (click's ClickException family, vendored by
        # recent typer): duck-typed so that any typer version works.
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            code = 0 if type(exc).__name__ == "NoArgsIsHelpError" else EXIT_USER
        else:
            path = _log_bug()
            _err(
                tr(
                    f"Erreur interne de cyberdiag (ce n'est pas de votre fait). Détails : {path}",
                    f"Internal cyberdiag error (not your fault). Details: {path}",
                )
            )
            code = EXIT_BUG
    return code


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
