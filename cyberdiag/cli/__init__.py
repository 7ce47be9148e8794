"""Command-line entry point: wires the command modules and the one error handler.

User mistake -> one clear line, exit 1. Ctrl-C -> exit 130 after saying what was saved.
Bug -> exit 3 and the path of a log file holding the traceback.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

# Command modules register themselves on `app` when imported (each imports only typer and the
# standard library at module level: `cyberdiag --help` stays fast).
# The registration order is the order of `cyberdiag --help`: the user's journey.
# isort: off
from cyberdiag.cli import startup  # noqa: F401  (first: process settings, cli/startup.py)
from cyberdiag.cli import core  # noqa: F401
from cyberdiag.cli import provider_cmd  # noqa: F401
from cyberdiag.cli import checks_cmd  # noqa: F401
from cyberdiag.cli import scan_cmd  # noqa: F401
from cyberdiag.cli import report_cmd  # noqa: F401
from cyberdiag.cli import seal_cmd  # noqa: F401
from cyberdiag.cli import run_cmd  # noqa: F401
from cyberdiag.cli import territory_cmd  # noqa: F401
from cyberdiag.cli import workshop_cmd  # noqa: F401
# isort: on
from cyberdiag.cli.app import app

if TYPE_CHECKING:
    import typer

EXIT_USER = 1
EXIT_INTERRUPTED = 130
EXIT_BUG = 3

__all__ = ["app", "entry", "main"]



def _err(text: str) -> None:
    """One message on stderr. Messages quote outside text (a value found in a file, a name):
    each line goes through the one cleaning function, so no escape sequence reaches the
    terminal."""
    from cyberdiag.net.text import clean

    lines = text.rstrip("\n").split("\n")
    sys.stderr.write("\n".join(clean(line, 4000) for line in lines) + "\n")


def _log_bug(exc: BaseException, argv: list[str]) -> str:
    """Write what went wrong to the private crash log; return its path (see cli/crashlog.py)."""
    from cyberdiag.cli.crashlog import write_crash_log

    return str(write_crash_log(exc, argv))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code (the one error handler of cyberdiag)."""
    import typer

    from cyberdiag.cli.translation import activate, deactivate, localise
    from cyberdiag.errors import UserError
    from cyberdiag.i18n import current, set_lang, tr

    args = list(sys.argv[1:] if argv is None else argv)
    # Each run starts from the language asked for anywhere on the command line (--lang before
    # or after the command), else CYBERDIAG_LANG, else French: usage errors and help included.
    set_lang(_lang_in(args))
    activate(current())
    code = 0
    try:
        command = typer.main.get_command(_only_what_runs(args))
        localise(command, current())
        rv = command.main(args=args, prog_name="cyberdiag", standalone_mode=False)
        # Recent typer returns the exit code of typer.Exit (and 130 for Ctrl-C) here.
        if isinstance(rv, int) and not isinstance(rv, bool):
            code = rv
            if code == EXIT_INTERRUPTED:
                _err(tr("Interrompu.", "Interrupted."))
    except UserError as exc:
        _err(tr("Erreur : ", "Error: ") + exc.message(current()))
        for line in exc.lines:
            if line != exc.message(current()):  # a single mistake is the message itself
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
            path = _log_bug(exc, sys.argv[1:] if argv is None else argv)
            _err(
                tr(
                    f"Erreur interne de cyberdiag (ce n'est pas de votre fait). Détails : {path}",
                    f"Internal cyberdiag error (not your fault). Details: {path}",
                )
            )
            code = EXIT_BUG
    finally:
        deactivate()
    return code


def _only_what_runs(args: list[str]) -> typer.Typer:
    """The application with only the command that the arguments name (Typer reads the
    signature of every command it builds: ~0.1 s for all of them); the whole application when
    the arguments name none (`cyberdiag --help`, a mistyped command and its suggestions)."""
    import copy

    import typer.main

    wanted = next((a for i, a in enumerate(args) if not a.startswith("-")
                   and (i == 0 or args[i - 1] != "--lang")), None)
    if wanted is None:
        return app

    def named(value: object) -> str | None:
        return value if isinstance(value, str) else None

    commands = [c for c in app.registered_commands
                if (named(c.name) or typer.main.get_command_name(c.callback.__name__)
                    if c.callback else named(c.name)) == wanted]
    groups = [g for g in app.registered_groups
              if (named(g.name) or (named(g.typer_instance.info.name) if g.typer_instance
                                    else None)) == wanted]
    if not commands and not groups:
        return app
    only = copy.copy(app)
    only.registered_commands, only.registered_groups = commands, groups
    return only


def _lang_in(args: list[str]) -> str | None:
    """The value of --lang on the command line (before any `--`), when it is fr or en."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        if value in ("fr", "en"):
            return value
    return None


def entry() -> None:
    """Console-script entry point."""
    startup.one_command_process()
    startup.leave(main())
