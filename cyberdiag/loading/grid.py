"""Rules of a grid file beyond its schema: levels, tiers, and the questions and checks it names."""

from __future__ import annotations

from typing import Any

from cyberdiag.i18n import tr
from cyberdiag.loading.bundle import Bundle, dup_ids, items, unknown_flag
from cyberdiag.loading.yamlread import RawFile
from cyberdiag.models import PROFILE_FLAGS


def _all_question_ids(bundle: Bundle) -> set[str]:
    """Ids of every question of the questionnaires in play."""
    ids: set[str] = set()
    for raw, _ in bundle.questionnaires:
        ids |= {str(q.get("id")) for _, q in items(raw, "questions")}
    return ids


def _unscored_question_ids(bundle: Bundle) -> set[str]:
    """Ids of the questions marked `scored: false` in the questionnaires in play."""
    ids: set[str] = set()
    for raw, _ in bundle.questionnaires:
        ids |= {str(q.get("id")) for _, q in items(raw, "questions") if q.get("scored") is False}
    return ids


def _all_check_ids(bundle: Bundle) -> set[str]:
    """Ids of every check of the catalogues in play."""
    ids: set[str] = set()
    for raw, _ in bundle.catalogues:
        ids |= {str(c.get("id")) for _, c in items(raw, "checks")}
    return ids


def check_grid(raw: RawFile, bundle: Bundle) -> None:
    """Every rule of a grid file, in the order its mistakes are reported."""
    dup_ids(raw, "domains")
    dup_ids(raw, "tiers")
    dup_ids(raw, "critical")
    dup_ids(raw, "levels")
    levels = [lv for _, lv in items(raw, "levels")]
    _check_levels(raw, levels)
    max_level = len(levels) - 1 if levels else 4
    check_ids = _all_check_ids(bundle)
    _check_tiers(raw, max_level)
    _check_domains(raw, bundle, check_ids)
    _check_critical(raw, bundle, _all_question_ids(bundle), check_ids, max_level)


def _check_levels(raw: RawFile, levels: list[dict[str, Any]]) -> None:
    """Levels numbered 0, 1, 2… with increasing thresholds."""
    level_ids = [lv.get("id") for lv in levels]
    if level_ids and level_ids != list(range(len(level_ids))):
        raw.error(
            ("levels",),
            tr(
                f"niveaux : attendu les identifiants 0, 1, 2… dans l'ordre, trouvé {level_ids}",
                f"levels: expected ids 0, 1, 2… in order, found {level_ids}",
            ),
        )
    thresholds = [lv.get("min_score") for lv in levels]
    nums = [t for t in thresholds if isinstance(t, int)]
    if nums != sorted(nums):
        raw.error(
            ("levels",),
            tr(
                f"niveaux : les seuils min_score doivent croître, trouvé {thresholds}",
                f"levels: min_score thresholds must increase, found {thresholds}",
            ),
        )


def _check_tiers(raw: RawFile, max_level: int) -> None:
    """The four tiers present, each aiming at an existing level."""
    tiers = {t.get("id") for _, t in items(raw, "tiers")}
    missing_tiers = sorted({1, 2, 3, 4} - {t for t in tiers if isinstance(t, int)})
    if raw.data and isinstance(raw.data, dict) and missing_tiers:
        raw.error(
            ("tiers",),
            tr(
                f"strates manquantes : attendu 1, 2, 3 et 4, il manque {missing_tiers}",
                f"missing tiers: expected 1, 2, 3 and 4, missing {missing_tiers}",
            ),
        )
    for i, t in items(raw, "tiers"):
        tl = t.get("target_level")
        if isinstance(tl, int) and not 0 <= tl <= max_level:
            raw.error(
                ("tiers", i, "target_level"),
                tr(
                    f"niveau cible inconnu : attendu 0 à {max_level}, trouvé {tl}",
                    f"unknown target level: expected 0 to {max_level}, found {tl}",
                ),
            )


def _check_domains(raw: RawFile, bundle: Bundle, check_ids: set[str]) -> None:
    """Domains: known profile conditions, checks listed once and defined in a catalogue."""
    for i, d in items(raw, "domains"):
        cond = d.get("condition")
        if cond is not None and cond not in PROFILE_FLAGS:
            raw.error(("domains", i, "condition"), unknown_flag(cond))
        checks = d.get("checks") or []
        if d.get("scored") is False and checks:
            raw.error(
                ("domains", i, "checks"),
                tr(
                    "un domaine non noté (scored: false) n'a pas de vérifications",
                    "an unscored domain (scored: false) has no checks",
                ),
            )
        seen: set[str] = set()
        for j, c in enumerate(checks if isinstance(checks, list) else []):
            cid = c.get("id") if isinstance(c, dict) else None
            if not isinstance(cid, str):
                continue
            if cid in seen:
                raw.error(
                    ("domains", i, "checks", j, "id"),
                    tr(f"vérification en double : « {cid} »", f"duplicate check: '{cid}'"),
                )
            seen.add(cid)
            if bundle.catalogues and cid not in check_ids:
                raw.error(
                    ("domains", i, "checks", j, "id"),
                    tr(
                        f"vérification inconnue : aucun catalogue checks/*.yaml ne définit "
                        f"« {cid} »",
                        f"unknown check: no catalogue in checks/*.yaml defines '{cid}'",
                    ),
                )


def _check_critical(
    raw: RawFile, bundle: Bundle, question_ids: set[str], check_ids: set[str], max_level: int
) -> None:
    """Critical items: one question (scored) or one check that exists, caps on existing
    levels."""
    unscored = _unscored_question_ids(bundle)
    for i, c in items(raw, "critical"):
        q, ch = c.get("question"), c.get("check")
        if (q is None) == (ch is None):
            raw.error(
                ("critical", i),
                tr(
                    "attendu exactement une des clés question ou check",
                    "expected exactly one of the keys question or check",
                ),
            )
        if isinstance(q, str) and bundle.questionnaires and q not in question_ids:
            raw.error(
                ("critical", i, "question"),
                tr(
                    f"question inconnue : aucun questionnaire ne définit « {q} »",
                    f"unknown question: no questionnaire defines '{q}'",
                ),
            )
        if isinstance(q, str) and q in unscored:
            raw.error(
                ("critical", i, "question"),
                tr(
                    f"la question « {q} » n'est pas notée (scored: false) : elle ne peut pas "
                    "plafonner le niveau",
                    f"question '{q}' is not scored (scored: false): it cannot cap the level",
                ),
            )
        if isinstance(ch, str) and bundle.catalogues and ch not in check_ids:
            raw.error(
                ("critical", i, "check"),
                tr(
                    f"vérification inconnue : aucun catalogue checks/*.yaml ne définit « {ch} »",
                    f"unknown check: no catalogue in checks/*.yaml defines '{ch}'",
                ),
            )
        for key in ("cap_if_missing", "cap_if_partial"):
            v = c.get(key)
            if isinstance(v, int) and not 0 <= v <= max_level:
                raw.error(
                    ("critical", i, key),
                    tr(
                        f"niveau inconnu : attendu 0 à {max_level}, trouvé {v}",
                        f"unknown level: expected 0 to {max_level}, found {v}",
                    ),
                )
