"""`cyberdiag validate`: load data files by kind, run every cross-file rule, list every mistake.

Every mistake in a file is collected (never only the first): pydantic's errors are translated
into plain sentences, then the cross-file rules are checked (duplicate ids, grid →
questions/checks, scores on the grid's scale, critical flags...).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from cyberdiag.i18n import tr
from cyberdiag.loading.answers import check_answer_file
from cyberdiag.loading.bundle import Bundle
from cyberdiag.loading.catalogues import check_catalogue, check_ports
from cyberdiag.loading.grid import check_grid
from cyberdiag.loading.messages import show, validate_model
from cyberdiag.loading.provider import check_provider_file
from cyberdiag.loading.questionnaire import check_questionnaire
from cyberdiag.loading.yamlread import RawFile, read_raw
from cyberdiag.models import CheckCatalogue, Grid, PortCatalogue, Profile, Questionnaire
from cyberdiag.resources import data_dir

KIND_MODELS: dict[str, type[BaseModel]] = {
    "questionnaire": Questionnaire,
    "grid": Grid,
    "checks": CheckCatalogue,
    "ports": PortCatalogue,
}


def shipped_files() -> list[Path]:
    """The shipped questionnaires, grid and catalogues, in a stable order."""
    out = sorted(data_dir("questionnaires").glob("*.yaml"))
    out += sorted(data_dir("checks").glob("*.yaml"))
    return out


def _classify(raw: RawFile, bundle: Bundle) -> None:
    """Validate one file against the model of its kind and file it in `bundle`."""
    data = raw.data
    if raw.errors and data is None:
        return
    if not isinstance(data, dict):
        raw.error(
            (),
            tr(
                "attendu un ensemble de clés (mapping) en haut du fichier, trouvé "
                f"{type(data).__name__}",
                f"expected a mapping at the top of the file, found {type(data).__name__}",
            ),
        )
        return
    kind = data.get("kind")
    if kind is None and "answers" in data:
        bundle.answers.append(raw)
        return
    if kind is None and "insee" in data:  # a municipality profile (municipality.yaml)
        validate_model(raw, Profile)
        return
    if kind == "provider_answers":  # prestataire-<insee>.yaml (cyberdiag provider sheet)
        bundle.provider_files.append(raw)
        return
    model = KIND_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raw.error(
            ("kind",),
            tr(
                "type de fichier inconnu : attendu kind: questionnaire, grid, checks ou ports "
                f"(ou un profil, ou des réponses), trouvé {show(kind)}",
                "unknown file type: expected kind: questionnaire, grid, checks or ports "
                f"(or a profile, or answers), found {show(kind)}",
            ),
        )
        return
    obj = validate_model(raw, model)
    if kind == "questionnaire":
        bundle.questionnaires.append((raw, obj))  # type: ignore[arg-type]
    elif kind == "grid":
        bundle.grids.append((raw, obj))  # type: ignore[arg-type]
    elif kind == "checks":
        bundle.catalogues.append((raw, obj))  # type: ignore[arg-type]
    else:
        bundle.ports.append((raw, obj))  # type: ignore[arg-type]


def build_bundle(paths: list[Path] | None = None) -> Bundle:
    """Load the given files (or every shipped one) plus, for cross-references, the shipped files
    of the kinds that were not given."""
    given = [Path(p) for p in paths] if paths else shipped_files()
    bundle = Bundle()
    for p in given:
        raw = read_raw(p)
        bundle.files.append(raw)
        _classify(raw, bundle)
    if paths:
        # Cross-references: shipped files of the kinds not provided (their own errors not shown).
        ref = Bundle()
        for p in shipped_files():
            if any(p.resolve() == Path(g).resolve() for g in given):
                continue
            _classify(read_raw(p), ref)
        if not bundle.grids:
            bundle.grids = ref.grids
        if not bundle.catalogues:
            bundle.catalogues = ref.catalogues
        bundle.ref_questionnaires = ref.questionnaires
    return bundle


def check_bundle(bundle: Bundle) -> list[str]:
    """Run the cross-file rules; return every mistake (formatted)."""
    own = {id(r) for r in bundle.files}
    grids_for_refs = bundle
    extra_q = bundle.ref_questionnaires
    if extra_q:
        grids_for_refs = Bundle(
            files=bundle.files,
            questionnaires=bundle.questionnaires + extra_q,
            grids=bundle.grids,
            catalogues=bundle.catalogues,
            ref_questionnaires=extra_q,
        )
    for raw, _ in bundle.questionnaires:
        if id(raw) in own:
            check_questionnaire(raw, grids_for_refs)
    for raw, _ in bundle.grids:
        if id(raw) in own:
            check_grid(raw, grids_for_refs)
    seen: dict[str, str] = {}
    for raw, _ in bundle.catalogues:
        if id(raw) in own:
            check_catalogue(raw, grids_for_refs, seen)
    for raw, _ in bundle.ports:
        check_ports(raw)
    for raw in bundle.answers:
        check_answer_file(raw, grids_for_refs)
    for raw in bundle.provider_files:
        check_provider_file(raw, grids_for_refs)
    return bundle.errors()


def validate_files(paths: list[Path] | None = None) -> list[str]:
    """Validate questionnaires, grids, check catalogues (and answer files); every mistake."""
    return check_bundle(build_bundle(paths))
