"""Import diagnostic.json files into the territorial store, in one transaction.

Each file is validated first (JSON, schema version, the Diagnostic model). Bad files are refused
with their name and the reason; the good ones are imported together. The same municipality twice
in a campaign keeps the newer diagnostic (by created_at) and the report says so. Everything is
written in a single transaction: a killed import leaves the store exactly as it was.

A JSON file found in a folder that is not a diagnostic (the checks.json and scan.json of a
`cyberdiag run` folder) is skipped with a note. A campaign compares like with like: a workshop's
diagnostic (the awareness questionnaire) is refused, and so is a diagnostic made against another
questionnaire or grid version than the campaign's, or whose tier contradicts its population.

Sealed diagnostics (`*.cyberdiag.age`, cyberdiag.sealing) are opened in memory with the secret
key given (`identity`), bounded in size; one sealed for another key, truncated or altered is
refused with its name like any bad file, and the others are imported.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cyberdiag.diagnostic import parse
from cyberdiag.diagnostic_limits import MAX_BYTES
from cyberdiag.errors import UserError
from cyberdiag.fileio import check_writable, read_limited
from cyberdiag.i18n import one_or_many
from cyberdiag.loading import load_grid
from cyberdiag.loading.jsonread import decode, loads
from cyberdiag.models import SCHEMA_VERSION, Diagnostic, Text, TierRules
from cyberdiag.sealing import SEALED_SUFFIX, is_sealed, open_sealed, read_identities
from cyberdiag.territory.store import Store, now_iso
from cyberdiag.territory.store.base import STORE_HINT

# Test hook: seconds to sleep after writing each diagnostic (inside the transaction), so that a
# test can kill an import midway. Never set in normal use.
DELAY_ENV = "CYBERDIAG_TERRITORY_IMPORT_DELAY"

# Files up to this size take the fast validation path; larger ones (real diagnostics are about
# 90 kB) go through diagnostic.parse, which checks every limit with its own message.
MAX_FAST_BYTES = 2_000_000


@dataclass(frozen=True)
class Refused:
    """A file not imported, and why."""

    path: Path
    reason: Text


@dataclass(frozen=True)
class Imported:
    """A diagnostic written to the store (or found there already, identical)."""

    path: Path
    insee: str
    name: str
    created_at: str


@dataclass(frozen=True)
class Superseded:
    """Two diagnostics of one municipality in one campaign: `kept` is the newer."""

    insee: str
    name: str
    kept: str  # source path or "(base)"
    kept_created_at: str
    dropped: str
    dropped_created_at: str


@dataclass
class ImportReport:
    """What one import did, file by file."""

    campaign: str
    imported: list[Imported] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    superseded: list[Superseded] = field(default_factory=list)
    # Same municipality, same created_at as the diagnostic already kept: nothing to do.
    unchanged: list[Imported] = field(default_factory=list)
    # JSON files found in a folder that are not diagnostics (checks.json…): skipped, a note.
    skipped: list[Refused] = field(default_factory=list)


WORKSHOP_QUESTIONNAIRE = "atelier"
Version = tuple[str, str, str, str]  # questionnaire id, version, grid id, version


def collect_files(paths: list[Path]) -> list[Path]:
    """Files given directly, plus every *.json under the directories given (sorted)."""
    return [p for p, _ in collect(paths)]


def collect(paths: list[Path]) -> list[tuple[Path, bool]]:
    """(file, found in a folder) for the files given and every *.json under the folders."""
    out: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    for p in paths:
        if p.is_dir():
            found = [
                (q, True)
                for q in sorted([*p.rglob("*.json"), *p.rglob("*" + SEALED_SUFFIX)])
                if q.is_file()
            ]
        elif p.exists():
            found = [(p, False)]
        else:
            raise UserError(
                f"Fichier ou dossier introuvable : {p}", f"File or folder not found: {p}"
            )
        for q, in_folder in found:
            key = q.resolve()
            if key not in seen:
                seen.add(key)
                out.append((q, in_folder))
    return out



def load_file(path: Path, identities: list[Any] | None = None) -> Diagnostic | Text | None:
    """The diagnostic in `path`, the reason it is refused (names the file; never raises), or
    None for a JSON file that is not a diagnostic at all (no schema_version: checks.json…).

    The file is read once, bounded (diagnostic_limits.MAX_BYTES, counted on the bytes read; a
    UTF-8 BOM is accepted). Fast path: pydantic's own JSON parser validates a good file in one
    step (about 1.6 times faster than json.loads + validation, which matters for 1,000 files of
    ~90 kB); the models carry the record's limits. Anything it does not accept, of another
    schema version, or larger than MAX_FAST_BYTES, goes through cyberdiag.diagnostic.parse,
    which gives the reason the file is refused.
    """
    label = str(path)
    try:
        data = _read(path, label, identities)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        if len(data) <= MAX_FAST_BYTES:
            with contextlib.suppress(ValueError):  # ValidationError is a ValueError
                diag = Diagnostic.model_validate_json(data)
                if diag.schema_version == SCHEMA_VERSION:
                    return diag
        text = decode(data, label)
        if _not_a_diagnostic(text, label):
            return None
        return parse(text, label)
    except UserError as exc:
        return Text(fr=exc.fr, en=exc.en)


def _read(path: Path, label: str, identities: list[Any] | None) -> bytes:
    """The bytes of a diagnostic file, bounded; a sealed one (*.age) decrypted in memory."""
    if is_sealed(path):
        if not identities:  # import_files asks for the key first; kept for direct callers
            raise UserError(
                f"{label} : diagnostic scellé ; indiquez la clé secrète avec --identity.",
                f"{label}: sealed diagnostic; give the secret key with --identity.",
            )
        return open_sealed(path, identities)
    return read_limited(path, MAX_BYTES, label)


def _identities(files: list[tuple[Path, bool]], identity: Path | None) -> list[Any] | None:
    """The secret key(s) for the sealed files, read before any work; sealed files without
    --identity are one error, before anything is imported."""
    if identity is not None:
        return read_identities(identity)
    sealed = [p for p, _ in files if is_sealed(p)]
    if sealed:
        n = len(sealed)
        raise UserError(
            one_or_many(n, "1 diagnostic scellé (.age), ", f"{n} diagnostics scellés (.age), dont ")
            + f"{sealed[0]} : indiquez la clé secrète du territoire avec --identity "
            "cle-secrete.txt. Rien n'a été importé.",
            one_or_many(n, "1 sealed diagnostic (.age), ",
                        f"{n} sealed diagnostics (.age), including ")
            + f"{sealed[0]}: give the territory's secret key with --identity cle-secrete.txt. "
            "Nothing was imported.",
        )
    return None


def _not_a_diagnostic(text: str, label: str) -> bool:
    """Valid JSON without the schema_version every diagnostic carries."""
    try:
        data = loads(text, label)
    except (ValueError, UserError):
        return False
    return not isinstance(data, dict) or "schema_version" not in data


def _not_a_diagnostic_reason(path: Path) -> Text:
    return Text(
        fr=f"{path} : ce n'est pas un diagnostic cyberdiag (pas de schema_version).",
        en=f"{path}: not a cyberdiag diagnostic (no schema_version).",
    )


def unfit(diag: Diagnostic, path: Path, campaign: str, versions: set[Version]) -> Text | None:
    """Why a valid diagnostic does not belong in the campaign, or None: a workshop's, another
    questionnaire or grid version than the campaign's, a tier its population contradicts."""
    q, g = diag.questionnaire, diag.grid
    if q.id == WORKSHOP_QUESTIONNAIRE or (
        diag.answers
        and all(a.question_id.startswith(WORKSHOP_QUESTIONNAIRE + ".") for a in diag.answers)
    ):
        return Text(
            fr=f"{path} : diagnostic d'un atelier de sensibilisation (questionnaire « {q.id} ») : "
            "il ne mesure pas la commune, il n'est pas importé. Importez le diagnostic fait avec "
            "le questionnaire complet.",
            en=f"{path}: diagnostic of an awareness workshop (questionnaire '{q.id}'): it does "
            "not measure the municipality and is not imported. Import the diagnostic made with "
            "the full questionnaire.",
        )
    key = (q.id, q.version, g.id, g.version)
    if versions and key not in versions:
        known = ", ".join(f"{a} {b} / {c} {d}" for a, b, c, d in sorted(versions))
        return Text(
            fr=f"{path} : fait avec le questionnaire {q.id} {q.version} et la grille {g.id} "
            f"{g.version} ; la campagne {campaign} compare des diagnostics faits avec {known} : "
            "pas mélangé. Importez-le dans une autre campagne (--campaign) ou refaites-le avec "
            "cette version.",
            en=f"{path}: made with questionnaire {q.id} {q.version} and grid {g.id} {g.version}; "
            f"campaign {campaign} compares diagnostics made with {known}: not mixed. Import it "
            "into another campaign (--campaign) or redo it with that version.",
        )
    grid = load_grid()
    possible = tiers_for_population(
        diag.profile.population, grid.tier_rules if g.id == grid.id else TierRules()
    )
    if diag.tier not in possible:
        pop = diag.profile.population
        shown = " ou ".join(str(t) for t in possible)
        shown_en = " or ".join(str(t) for t in possible)
        return Text(
            fr=f"{path} : strate {diag.tier} incohérente avec la population ({pop:,} habitants "
            f"→ strate {shown}) : fichier modifié ? Refaites le calcul avec cyberdiag "
            "score.".replace(",", "\u202f"),
            en=f"{path}: tier {diag.tier} contradicts the population ({pop:,} inhabitants → "
            f"tier {shown_en}): edited file? Score it again with cyberdiag score.",
        )
    return None


def import_files(
    store: Store, paths: list[Path], campaign: str, identity: Path | None = None
) -> ImportReport:
    """Validate and import `paths` into `campaign`, in one transaction for the whole batch.

    Files are streamed (validated and written one at a time, never all held in memory). The
    order does not matter: each diagnostic is compared with the one already in the store for
    the same municipality and campaign, including those written earlier in this batch.
    """
    campaign = campaign.strip()
    if not campaign or len(campaign) > 64:
        raise UserError(
            "Nom de campagne vide ou trop long (64 caractères au plus).",
            "Empty or too long campaign name (64 characters at most).",
        )
    report = ImportReport(campaign=campaign)
    files = collect(paths)
    delay = float(os.environ.get(DELAY_ENV, "0") or 0)
    imported_at = now_iso()
    if not files:
        raise UserError(
            "Aucun fichier .json ni .cyberdiag.age trouvé dans : "
            + ", ".join(str(p) for p in paths),
            "No .json or .cyberdiag.age file found in: " + ", ".join(str(p) for p in paths),
        )
    identities = _identities(files, identity)
    # Before any work: room for the data (the store takes about twice the files' size).
    check_writable(store.path, need=2 * sum(_size(p) for p, _ in files), hint=STORE_HINT)
    versions = store.campaign_versions(campaign)
    with store.transaction():
        batch: dict[str, Imported] = {}
        for path, in_folder in files:
            diag = load_file(path, identities)
            if diag is None:  # valid JSON, not a diagnostic
                note = Refused(path, _not_a_diagnostic_reason(path))
                (report.skipped if in_folder else report.refused).append(note)
                continue
            why = diag if isinstance(diag, Text) else unfit(diag, path, campaign, versions)
            if why is not None:
                report.refused.append(Refused(path, why))
                continue
            assert isinstance(diag, Diagnostic)
            if not _replaces_stored(store, report, campaign, path, diag, batch):
                continue
            q, g = diag.questionnaire, diag.grid
            versions.add((q.id, q.version, g.id, g.version))
            if not batch:
                store.ensure_campaign(campaign)  # a campaign exists once it has data
            store.insert_diagnostic(campaign, str(path), diag, imported_at)
            insee = diag.profile.insee
            batch[insee] = Imported(path, insee, diag.profile.name, diag.created_at.isoformat())
            if delay:
                time.sleep(delay)
        report.imported = sorted(batch.values(), key=lambda i: i.insee)
    return report


def _replaces_stored(
    store: Store,
    report: ImportReport,
    campaign: str,
    path: Path,
    diag: Diagnostic,
    batch: dict[str, Imported],
) -> bool:
    """Should `diag` be written? Compares it with the one kept for the municipality and
    campaign (deleted when older); a duplicate is recorded in the report."""
    insee, name = diag.profile.insee, diag.profile.name
    created = diag.created_at.isoformat()
    old = store.stored_diagnostic(campaign, insee)
    if old is None:
        return True
    old_label = str(old.source) if insee in batch else "(base)"
    if _instant(old.created_at) == _instant(created):
        report.unchanged.append(Imported(path, insee, name, created))
        return False
    if _instant(old.created_at) > _instant(created):
        report.superseded.append(
            Superseded(insee, name, old_label, old.created_at, str(path), created)
        )
        return False
    report.superseded.append(Superseded(insee, name, str(path), created, old_label, old.created_at))
    store.delete_diagnostic(old.id)
    return True


def tiers_for_population(population: int, rules: TierRules) -> tuple[int, ...]:
    """The tiers a municipality of this population can be in (scoring.derive_tier: tiers 2 and
    3 also depend on having IT staff)."""
    if population > rules.large_above:
        return (4,)
    if population > rules.medium_up_to:
        return (2, 3)
    if population >= rules.small_below:
        return (1, 2)
    return (1,)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _instant(iso: str) -> float:
    dt = datetime.fromisoformat(iso)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()
