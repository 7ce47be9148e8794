"""YAML data files → typed models, with errors that name file › item id › field.

The one YAML reader is `yamlread.read_yaml` (data) / `read_raw` (data with line numbers);
`read_model` validates a file against a pydantic model. `validate.py` runs the cross-file
rules of `cyberdiag validate`; `shipped.py`, `answers.py` and `profile.py` hold the typed
loaders used by the commands.
"""

from cyberdiag.loading.answers import check_answer_entry, load_answers
from cyberdiag.loading.messages import pydantic_message, read_model, validate_model
from cyberdiag.loading.profile import load_profile
from cyberdiag.loading.shipped import (
    load_check_catalogue,
    load_grid,
    load_questionnaire,
    load_questionnaire_file,
)
from cyberdiag.loading.validate import build_bundle, check_bundle, shipped_files, validate_files
from cyberdiag.loading.yamlread import RawFile, read_raw, read_yaml

__all__ = [
    "RawFile",
    "build_bundle",
    "check_answer_entry",
    "check_bundle",
    "load_answers",
    "load_check_catalogue",
    "load_grid",
    "load_profile",
    "load_questionnaire",
    "load_questionnaire_file",
    "pydantic_message",
    "read_model",
    "read_raw",
    "read_yaml",
    "shipped_files",
    "validate_files",
    "validate_model",
]
