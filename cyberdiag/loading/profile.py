"""The municipality's profile file (municipality.yaml) as a validated `Profile`."""

from __future__ import annotations

from pathlib import Path

from cyberdiag.loading.messages import read_model
from cyberdiag.models import Profile


def load_profile(path: Path) -> Profile:
    """municipality.yaml, validated; ValidationFailed lists every mistake."""
    return read_model(path, Profile)
