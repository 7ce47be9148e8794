"""Process settings of a command-line run: applied first (before typer, pydantic, the models)
and at its end (`leave`).

Imported by `cyberdiag/cli/__init__.py` before any command module. Measured with
`benchmarks/commands.py` (issue 14: the first question of `questionnaire`, `score`, `validate`).
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

# Start-up builds tens of thousands of objects that live until the end (modules, classes, the
# models' validators): with the default thresholds (700, 10, 10) the cyclic collector ran ~200
# times before the first question of `questionnaire`, freeing almost nothing (~3 % of the
# wait). Young objects are collected every 200,000 allocations instead, as mypy does; cycles
# are still collected.
gc.set_threshold(200_000, 30, 30)

# cyberdiag uses no pydantic plugin. Looking for them reads the metadata of every installed
# package at the first model built (~5 ms), and a plugin installed in the same environment would
# be shown every value validated (the answers describe the municipality's weaknesses). Set to
# anything else (even empty) by whoever really wants them.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


# True in the console script's process, which ends with its one command (`entry`); False when
# main() is called by a longer-lived program (the tests).
_ends_with_the_command = False


def one_command_process() -> None:
    """Say that this process ends when its command does (called by the console script)."""
    global _ends_with_the_command
    _ends_with_the_command = True


def resume_collector(was_enabled: bool) -> None:
    """Restore the cyclic collector after a command that paused it (`report`), unless the
    process ends with the command: its first collection would then walk all that the command
    left (WeasyPrint's documents: ~0.2 s for the report) only to free memory that the operating
    system takes back at once."""
    if was_enabled and not _ends_with_the_command:
        gc.enable()


def leave(code: int) -> NoReturn:
    """End the command-line process with `code`, once every file is written and closed.

    Everything still in memory is set aside from the cyclic collector first (gc.freeze): at
    exit, Python would otherwise walk all that the run built and free, one by one, what cycles
    hold (modules, classes, validators: ~6 % of `cyberdiag score`). The operating system frees
    the memory at once. atexit handlers and the flushing of stdout and stderr still run; Python
    never promised to finalise objects still alive at exit anyway.
    """
    gc.freeze()
    sys.exit(code)
