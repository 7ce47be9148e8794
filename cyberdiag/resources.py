"""Where the shipped data folders (questionnaires/, checks/, report_templates/...) are.

Inside the wheel (cyberdiag/_data/...) when installed, at the top of the source tree when running
from a checkout or an editable install.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA_FOLDERS = ("questionnaires", "checks", "report_templates", "examples")


@cache
def data_dir(folder: str) -> Path:
    """Path of a shipped data folder (one of DATA_FOLDERS)."""
    if folder not in DATA_FOLDERS:
        raise ValueError(folder)
    here = Path(__file__).resolve().parent
    installed = here / "_data" / folder
    if installed.is_dir():
        return installed
    return here.parent / folder


def data_file(folder: str, name: str) -> Path:
    """Path of one file of a shipped data folder."""
    return data_dir(folder) / name


def templates_dir() -> Path:
    """The folder of the report's templates, stylesheets and texts (resolved)."""
    return data_dir("report_templates").resolve()


def report_stylesheet() -> Path:
    """The awareness report's stylesheet (report_templates/report.css)."""
    return templates_dir() / "report.css"
