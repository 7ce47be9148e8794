"""Rules of a questionnaire file beyond its schema: ids, domains, scores, "I don't know", flags."""

from __future__ import annotations

from typing import Any

from cyberdiag.i18n import tr
from cyberdiag.loading.bundle import (
    Bundle,
    dup_ids,
    grid_info,
    items,
    unknown_flag,
    unscored_domains,
)
from cyberdiag.loading.messages import show
from cyberdiag.loading.yamlread import Path_, RawFile
from cyberdiag.models import PROFILE_FLAGS


def check_questionnaire(raw: RawFile, bundle: Bundle) -> None:
    """Every rule of a questionnaire file, in the order its mistakes are reported."""
    scale_max, domains, crit = grid_info(bundle)
    unscored = unscored_domains(bundle)
    has_grid = bool(bundle.grids)
    dup_ids(raw, "questions")
    for i, q in items(raw, "questions"):
        qid = str(q.get("id", f"#{i + 1}"))
        dom = q.get("domain")
        if has_grid and isinstance(dom, str) and domains and dom not in domains:
            raw.error(
                ("questions", i, "domain"),
                tr(
                    f"domaine inconnu de la grille : attendu l'un de {', '.join(sorted(domains))}, "
                    f"trouvé « {dom} »",
                    f"domain not in the grid: expected one of {', '.join(sorted(domains))}, "
                    f"found '{dom}'",
                ),
            )
        options = q.get("options")
        if isinstance(options, list):
            _dup_ids_list(raw, ("questions", i, "options"), options, qid)
            kinds = [o.get("kind", "answer") for o in options if isinstance(o, dict)]
            if "dont_know" not in kinds:
                raw.error(
                    ("questions", i, "options"),
                    tr(
                        "aucune option « je ne sais pas » (kind: dont_know) : attendue dans "
                        "chaque question",
                        'no "I don\'t know" option (kind: dont_know): every question needs one',
                    ),
                )
            if q.get("scored") is False:
                _check_unscored_options(raw, i, options)
            else:
                _check_option_scores(raw, i, options, scale_max)
        _check_scored(raw, i, q, unscored)
        applies = q.get("applies")
        if isinstance(applies, dict):
            for j, flag in enumerate(applies.get("requires") or []):
                if flag not in PROFILE_FLAGS:
                    raw.error(("questions", i, "applies", "requires", j), unknown_flag(flag))
            for j, tier in enumerate(applies.get("tiers") or []):
                if tier not in (1, 2, 3, 4):
                    raw.error(
                        ("questions", i, "applies", "tiers", j),
                        tr(
                            f"strate inconnue : attendu 1, 2, 3 ou 4, trouvé {show(tier)}",
                            f"unknown tier: expected 1, 2, 3 or 4, found {show(tier)}",
                        ),
                    )
        if has_grid and q.get("critical") is True and qid not in crit["q"]:
            raw.error(
                ("questions", i, "critical"),
                tr(
                    "question marquée critique mais la grille n'a aucun élément critique qui "
                    "s'y réfère (section critical)",
                    "question marked critical but no critical item of the grid refers to it "
                    "(section critical)",
                ),
            )


def _check_scored(raw: RawFile, i: int, q: dict[str, Any], unscored: set[str]) -> None:
    """An unscored question (`scored: false`) is never critical, and sits in an unscored domain
    exactly when it is unscored itself."""
    dom = q.get("domain")
    if q.get("scored") is False and q.get("critical") is True:
        raw.error(
            ("questions", i, "critical"),
            tr(
                "une question non notée (scored: false) ne peut pas être critique",
                "an unscored question (scored: false) cannot be critical",
            ),
        )
    if isinstance(dom, str) and dom in unscored and q.get("scored") is not False:
        raw.error(
            ("questions", i, "domain"),
            tr(
                f"le domaine « {dom} » n'est pas noté (scored: false dans la grille) : "
                "ajoutez scored: false à la question, ou changez de domaine",
                f"domain '{dom}' is not scored (scored: false in the grid): add scored: false "
                "to the question, or move it to another domain",
            ),
        )


def _check_unscored_options(raw: RawFile, i: int, options: list[Any]) -> None:
    """Options of an unscored question carry no score (nothing is scored)."""
    for j, opt in enumerate(options):
        if isinstance(opt, dict) and opt.get("score") is not None:
            raw.error(
                ("questions", i, "options", j, "score"),
                tr(
                    "une question non notée (scored: false) n'a pas de score sur ses options, "
                    f"trouvé {show(opt['score'])}",
                    "an unscored question (scored: false) has no score on its options, found "
                    f"{show(opt['score'])}",
                ),
            )


def _check_option_scores(raw: RawFile, i: int, options: list[Any], scale_max: int) -> None:
    """Scores of one question's options: on the grid's scale; none for "not applicable"."""
    for j, opt in enumerate(options):
        if not isinstance(opt, dict):
            continue
        kind = opt.get("kind", "answer")
        score = opt.get("score")
        at = ("questions", i, "options", j, "score")
        if kind == "not_applicable":
            if score is not None:
                raw.error(
                    at,
                    tr(
                        "une option « non applicable » n'a pas de score (elle est exclue "
                        f"du calcul), trouvé {show(score)}",
                        "a not_applicable option has no score (it is excluded from the "
                        f"score), found {show(score)}",
                    ),
                )
        elif score is None:
            raw.error(
                at,
                tr(
                    f"score manquant : attendu un entier entre 0 et {scale_max}",
                    f"missing score: expected a whole number between 0 and {scale_max}",
                ),
            )
        elif (
            isinstance(score, int) and not isinstance(score, bool) and not (0 <= score <= scale_max)
        ):
            raw.error(
                at,
                tr(
                    f"score hors de l'échelle : attendu un entier entre 0 et {scale_max}, "
                    f"trouvé {score}",
                    f"score outside the scale: expected a whole number between 0 and "
                    f"{scale_max}, found {score}",
                ),
            )


def _dup_ids_list(raw: RawFile, base: Path_, entries: list[Any], owner: str) -> None:
    """Report option ids given twice within one question (`owner`)."""
    seen: set[Any] = set()
    for j, opt in enumerate(entries):
        if isinstance(opt, dict) and opt.get("id") is not None:
            if opt["id"] in seen:
                raw.error(
                    (*base, j, "id"),
                    tr(
                        f"identifiant d'option en double : « {opt['id']} »",
                        f"duplicate option id: '{opt['id']}'",
                    ),
                    item=owner,
                )
            seen.add(opt["id"])
