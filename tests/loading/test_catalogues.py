"""Rules of a check catalogue: with a duplicate key and a bad severity, both reported."""

from __future__ import annotations

from pathlib import Path

from cyberdiag.loading import validate_files


def test_duplicate_key_and_bad_severity() -> None:
    files = ["grid.yaml", "dupkey.yaml", "good.yaml"]
    assert validate_files([Path(f) for f in files]) == [
        "dupkey.yaml:8 › mail.spf › title: clé en double (la seconde valeur écraserait la "
        "première)",
        "dupkey.yaml:9 › mail.spf › severity: attendu l'une des valeurs 'info', 'low', "
        "'medium', 'high' ou 'critical', trouvé « extreme »",
    ]
