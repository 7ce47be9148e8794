"""Sealed diagnostics: diagnostic.json encrypted with age (pyrage) for the territory's public key.

The ISD makes one key pair per territory (`cyberdiag territory keygen`): the public key is given
to the communes with the campaign's instructions; the secret key never leaves the ISD. A commune
seals its diagnostic.json for that public key (`cyberdiag seal`, or `score`/`run --seal-to`) and
sends the `<insee>-<date>.cyberdiag.age` file by ordinary e-mail: only the secret key opens it,
and any change to the file (truncated, altered) makes it refuse to open. `territory import
--identity` opens the sealed files in memory, bounded in size. No cryptography is written here:
the age format and its primitives (X25519, ChaCha20-Poly1305) come from the `pyrage` bindings of
the reference Rust implementation; the key files are in age's own format (the `age` command line
tool reads them too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cyberdiag.diagnostic import parse
from cyberdiag.diagnostic_limits import MAX_BYTES
from cyberdiag.errors import UserError
from cyberdiag.fileio import OUTPUT_HINT, read_limited, write_failed, write_private
from cyberdiag.loading.jsonread import decode
from cyberdiag.models import Diagnostic

PUBLIC_FILE = "cle-publique.txt"
SECRET_FILE = "cle-secrete.txt"
SEALED_SUFFIX = ".cyberdiag.age"
AGE_MAGIC = b"age-encryption.org/v1\n"
MAX_KEY_FILE = 64_000
# age adds a header (about 200 bytes per recipient) and 16 bytes per 64 KiB chunk: the sealed
# file of a diagnostic at its size limit stays under this bound (its plaintext is never larger).
MAX_SEALED_BYTES = MAX_BYTES + MAX_BYTES // 4096 + 65_536

_PUBLIC_PREFIX = "age1"
_SECRET_PREFIX = "AGE-SECRET-KEY-1"


def _age() -> Any:
    import pyrage  # lazy: a compiled extension, only needed to seal or open

    return pyrage


@dataclass(frozen=True)
class KeyPair:
    """The ISD's key pair as written by keygen."""

    public: str
    public_path: Path
    secret_path: Path


def keygen(folder: Path) -> KeyPair:
    """Write a new key pair in `folder`: the secret key (0600, age's identity format) and the
    public key (0644: it is meant to be shared). An existing secret key is never replaced:
    the files sealed for it could no longer be opened."""
    secret_path, public_path = folder / SECRET_FILE, folder / PUBLIC_FILE
    if secret_path.exists() or public_path.exists():
        raise UserError(
            f"{folder} contient déjà une clé ({SECRET_FILE} ou {PUBLIC_FILE}) : elle n'est pas "
            "remplacée (les diagnostics scellés pour elle ne pourraient plus être ouverts). "
            "Choisissez un autre dossier avec -d.",
            f"{folder} already holds a key ({SECRET_FILE} or {PUBLIC_FILE}): it is not replaced "
            "(the diagnostics sealed for it could no longer be opened). Choose another folder "
            "with -d.",
        )
    identity = _age().x25519.Identity.generate()
    public = str(identity.to_public())
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise write_failed(folder, exc, OUTPUT_HINT) from None
    write_private(
        secret_path,
        f"# cyberdiag : clé secrète du territoire — ne jamais la diffuser / secret key, never "
        f"share it\n# created: {stamp}\n# public key: {public}\n{identity}\n",
        hint=OUTPUT_HINT,
    )
    write_private(
        public_path,
        f"# cyberdiag : clé publique du territoire, à donner aux communes / public key\n{public}\n",
        mode=0o644,
        hint=OUTPUT_HINT,
    )
    return KeyPair(public, public_path, secret_path)


def _key_lines(path: Path) -> list[str]:
    text = decode(read_limited(path, MAX_KEY_FILE), str(path))
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


def read_recipients(spec: str) -> list[Any]:
    """The public key(s) to seal for: `spec` is a key (age1…) or a file holding one per line.
    A secret key given by mistake is refused: it must never leave the ISD."""
    spec = spec.strip()
    path = Path(spec)
    if spec.startswith(_PUBLIC_PREFIX) and not path.exists():
        keys = [spec]
        where = spec
    else:
        lines = _key_lines(path)
        if any(s.startswith(_SECRET_PREFIX) for s in lines):
            raise UserError(
                f"{path} est une clé SECRÈTE : elle ne doit jamais quitter le service "
                f"informatique du territoire. Pour sceller, donnez la clé publique ({PUBLIC_FILE}, "
                "qui commence par age1).",
                f"{path} is a SECRET key: it must never leave the territory's IT service. To seal, "
                f"give the public key ({PUBLIC_FILE}, which starts with age1).",
            )
        keys = [s for s in lines if s.startswith(_PUBLIC_PREFIX)]
        where = str(path)
    age = _age()
    try:
        out = [age.x25519.Recipient.from_str(key) for key in keys]
    except age.RecipientError:  # not a valid age public key
        out = []
    if not out:
        raise UserError(
            f"{where} : clé publique invalide (attendu : une ligne qui commence par age1, telle "
            f"que l'écrit cyberdiag territory keygen dans {PUBLIC_FILE}).",
            f"{where}: invalid public key (expected a line starting with age1, as written by "
            f"cyberdiag territory keygen in {PUBLIC_FILE}).",
        )
    return out


def read_identities(path: Path) -> list[Any]:
    """The secret key(s) of the file at `path` (age's identity format)."""
    age = _age()
    try:
        out = [
            age.x25519.Identity.from_str(s)
            for s in _key_lines(path)
            if s.startswith(_SECRET_PREFIX)
        ]
    except age.IdentityError:
        out = []
    if not out:
        raise UserError(
            f"{path} : clé secrète invalide (attendu : le fichier {SECRET_FILE} écrit par "
            "cyberdiag territory keygen, avec une ligne AGE-SECRET-KEY-1…).",
            f"{path}: invalid secret key (expected the {SECRET_FILE} file written by cyberdiag "
            "territory keygen, with an AGE-SECRET-KEY-1… line).",
        )
    return out


def sealed_name(diag: Diagnostic) -> str:
    """`<insee>-<date>.cyberdiag.age`, the date of the diagnostic."""
    return f"{diag.profile.insee}-{diag.created_at.date().isoformat()}{SEALED_SUFFIX}"


def seal_file(diagnostic: Path, recipients: list[Any], output: Path | None = None) -> Path:
    """Seal the diagnostic at `diagnostic` for `recipients`; returns the file written (0600):
    `output`, or `<insee>-<date>.cyberdiag.age` in `output` (a folder) or next to the
    diagnostic. The diagnostic is validated first: the ISD never receives a file it refuses."""
    label = str(diagnostic)
    data = read_limited(diagnostic, MAX_BYTES, label)
    diag = parse(decode(data, label), label)
    if output is None:
        target = diagnostic.parent / sealed_name(diag)
    elif output.is_dir():
        target = output / sealed_name(diag)
    else:
        target = output
    write_private(target, _age().encrypt(data, recipients), hint=OUTPUT_HINT)
    return target


def is_sealed(path: Path) -> bool:
    """Whether `path` is named like a sealed diagnostic (*.age)."""
    return path.name.lower().endswith(".age")


def open_sealed(path: Path, identities: list[Any]) -> bytes:
    """The diagnostic sealed in `path`, decrypted in memory; UserError naming the file when it
    is no age file, was sealed for another key, or is truncated or altered."""
    data = read_limited(path, MAX_SEALED_BYTES, str(path))
    if not data.startswith(AGE_MAGIC):
        raise UserError(
            f"{path} : ce n'est pas un diagnostic scellé (fichier age) : fichier abîmé ou d'un "
            "autre type.",
            f"{path}: not a sealed diagnostic (age file): damaged file or of another kind.",
        )
    age = _age()
    try:
        plain = bytes(age.decrypt(data, identities))
    except age.DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            raise UserError(
                f"{path} : scellé pour une autre clé que celle donnée avec --identity (ou son "
                "en-tête a été modifié) : non ouvert. Demandez à la commune de le sceller avec "
                f"la clé publique de cette campagne ({PUBLIC_FILE}).",
                f"{path}: sealed for another key than the one given with --identity (or its "
                "header was altered): not opened. Ask the municipality to seal it with this "
                f"campaign's public key ({PUBLIC_FILE}).",
            ) from None
        raise UserError(
            f"{path} : fichier scellé tronqué ou modifié (il ne correspond plus à ce qui a été "
            "scellé) : non ouvert. Demandez à la commune de le renvoyer.",
            f"{path}: sealed file truncated or altered (it no longer matches what was sealed): "
            "not opened. Ask the municipality to send it again.",
        ) from None
    if len(plain) > MAX_BYTES:  # the diagnostic's own bound, as for a plain file
        raise UserError(
            f"{path} : diagnostic scellé trop gros (plus de {MAX_BYTES // 1_000_000} Mo).",
            f"{path}: sealed diagnostic too large (over {MAX_BYTES // 1_000_000} MB).",
        )
    return plain
