"""Sealed diagnostics: keygen, seal, and the import of sealed files (cyberdiag/sealing.py).

Through the CLI with real files: the key pair's files and modes, a diagnostic sealed for the
public key and opened by the secret key only, and every way a sealed file goes wrong (another
key, truncated, altered, not an age file, too large), each named in one line while the others
are imported.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from territory_fixtures import municipalities, write_diagnostics

from cyberdiag.cli import main
from cyberdiag.errors import UserError
from cyberdiag.sealing import (
    MAX_SEALED_BYTES,
    PUBLIC_FILE,
    SECRET_FILE,
    open_sealed,
    read_identities,
    read_recipients,
)
from cyberdiag.territory.store import open_store


def _keys(folder: Path) -> tuple[Path, Path]:
    assert main(["territory", "keygen", "-d", str(folder)]) == 0
    return folder / PUBLIC_FILE, folder / SECRET_FILE


def _diagnostics(folder: Path, n: int = 6) -> list[Path]:
    return write_diagnostics(folder, municipalities(n, seed=3), seed=5)


def test_keygen_writes_a_private_secret_and_a_shareable_public_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    public, secret = _keys(tmp_path / "cles")
    out = capsys.readouterr().out
    key = public.read_text(encoding="utf-8").split()[-1]
    assert key.startswith("age1") and key in out  # printed, to paste into the instructions
    assert "AGE-SECRET-KEY-1" in secret.read_text(encoding="utf-8")
    assert "AGE-SECRET-KEY" not in out and "AGE-SECRET-KEY" not in public.read_text()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE(public.stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "cles").stat().st_mode) == 0o700
    before = secret.read_bytes()
    assert main(["territory", "keygen", "-d", str(tmp_path / "cles")]) == 1  # never replaced
    assert "déjà une clé" in capsys.readouterr().err
    assert secret.read_bytes() == before


def test_seal_writes_insee_date_age_file_that_only_the_secret_key_opens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    public, secret = _keys(tmp_path / "cles")
    diag = _diagnostics(tmp_path / "in", 1)[0]
    capsys.readouterr()
    assert main(["seal", str(diag), "--to", str(public)]) == 0
    sealed = next((tmp_path / "in").glob("*.cyberdiag.age"))
    assert sealed.name.startswith("59001-2026-") and sealed.name.endswith(".cyberdiag.age")
    assert stat.S_IMODE(sealed.stat().st_mode) == 0o600
    assert str(sealed) in capsys.readouterr().out
    raw = sealed.read_bytes()
    assert raw.startswith(b"age-encryption.org/v1\n") and b"Deul" not in raw  # nothing in clear
    assert open_sealed(sealed, read_identities(secret)) == diag.read_bytes()
    # With the key itself (age1…) and -o: the same diagnostic.
    key = public.read_text(encoding="utf-8").split()[-1]
    assert main(["seal", str(diag), "--to", key, "-o", str(tmp_path / "x.age")]) == 0
    assert open_sealed(tmp_path / "x.age", read_identities(secret)) == diag.read_bytes()


def test_seal_refuses_a_secret_key_a_bad_key_and_an_invalid_diagnostic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    public, secret = _keys(tmp_path / "cles")
    diag = _diagnostics(tmp_path / "in", 1)[0]
    capsys.readouterr()
    assert main(["seal", str(diag), "--to", str(secret)]) == 1
    assert "clé SECRÈTE" in capsys.readouterr().err
    assert main(["seal", str(diag), "--to", "age1nimportequoi"]) == 1
    assert "clé publique invalide" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": "1.1", "tool_version": "x"', encoding="utf-8")
    assert main(["seal", str(broken), "--to", str(public)]) == 1
    assert "broken.json" in capsys.readouterr().err
    assert not list(tmp_path.rglob("*.age"))
    with pytest.raises(UserError, match="clé secrète invalide"):
        read_identities(public)
    with pytest.raises(UserError, match="SECRÈTE"):
        read_recipients(str(secret))


def test_import_of_sealed_files_names_each_bad_one_and_imports_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    public, secret = _keys(tmp_path / "cles")
    other_public, _ = _keys(tmp_path / "autre")
    diags = _diagnostics(tmp_path / "in", 6)
    box = tmp_path / "recus"
    box.mkdir()
    for d in diags[:4]:
        assert main(["seal", str(d), "--to", str(public), "-o", str(box)]) == 0
    # Sealed for another key; truncated; one byte of the payload altered; not age at all.
    assert main(["seal", str(diags[4]), "--to", str(other_public), "-o",
                 str(box / "autre-cle.cyberdiag.age")]) == 0  # fmt: skip
    sealed = sorted(box.glob("5900*.cyberdiag.age"))  # 59001 … 59004
    good = sealed[0].read_bytes()
    (box / "tronque.cyberdiag.age").write_bytes(good[: len(good) // 2])
    altered = bytearray(sealed[1].read_bytes())
    altered[-100] ^= 0x01
    (box / "modifie.cyberdiag.age").write_bytes(bytes(altered))
    sealed[0].unlink()
    sealed[1].unlink()
    (box / "texte.cyberdiag.age").write_text("bonjour", encoding="utf-8")
    plain = tmp_path / "clair"
    plain.mkdir()
    (plain / "d.json").write_bytes(diags[5].read_bytes())  # a plain one alongside
    store = tmp_path / "t.sqlite"
    capsys.readouterr()
    # Without the secret key: one error, nothing imported.
    assert main(["territory", "import", str(box), "--store", str(store), "--campaign", "2026"]) == 1
    assert "--identity" in capsys.readouterr().err
    code = main(["territory", "import", str(box), str(plain), "--identity", str(secret),
                 "--store", str(store), "--campaign", "2026"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("Refusé")]
    assert len(lines) == 4, err
    assert any("autre-cle" in line and "autre clé" in line for line in lines)
    assert any("tronque" in line and "tronqué ou modifié" in line for line in lines)
    assert any("modifie" in line and "tronqué ou modifié" in line for line in lines)
    assert any("texte" in line and "pas un diagnostic scellé" in line for line in lines)
    assert re.search(r"\b4 fichier(s|\(s\))? refusé", err)
    assert re.search(r"\b3 diagnostic(s|\(s\))? import", out)  # 2 intact sealed + 1 plain
    with open_store(store, create=False) as s:
        assert {d.insee for d in s.campaign_diagnostics("2026")} == {"59003", "59004", "59006"}


def test_a_sealed_file_too_large_is_refused_before_decryption(tmp_path: Path) -> None:
    _, secret = _keys(tmp_path / "cles")
    big = tmp_path / "gros.cyberdiag.age"
    with big.open("wb") as fh:
        fh.write(b"age-encryption.org/v1\n")
        fh.truncate(MAX_SEALED_BYTES + 10)
    with pytest.raises(UserError, match="trop gros"):
        open_sealed(big, read_identities(secret))
