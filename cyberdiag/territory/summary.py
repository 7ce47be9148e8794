"""The campaign's summary export: one row per municipality (named) or per group of at least
MIN_GROUP municipalities (anonymised), as CSV or JSON.

Each row gives the level (and the level expected for the tier), the caps with their cause (a
known gap or an answer to confirm), the findings, the domain scores and the latest check-all
results. Anonymised rows are groups of tiers (territory.anonymise) plus the whole territory: the
level distribution, medians, caps and findings that concern at least MIN_GROUP municipalities,
and every count from 1 to MIN_GROUP − 1 written « < 5 »; nothing names a municipality. The CSV
follows French spreadsheet conventions whatever the language (semicolon, decimal comma, UTF-8
with a BOM; cells never read as formulas: csvsafe); headers and labels are in the chosen
language, JSON keys are stable English identifiers.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from cyberdiag.csvsafe import csv_text
from cyberdiag.i18n import Lang
from cyberdiag.models import Text
from cyberdiag.territory.anonymise import MIN_GROUP, refuse_small_export, tier_groups
from cyberdiag.territory.beside import STALE_MONTHS, months_before, worst
from cyberdiag.territory.causes import cap_counts, held_by
from cyberdiag.territory.medians import median
from cyberdiag.territory.pooling import generic_title
from cyberdiag.territory.store import LatestRun, MuniRow, Store
from cyberdiag.territory.targets import reached

_HELD = {
    "gap": Text(fr="écart connu", en="known gap"),
    "unknown": Text(fr="à confirmer", en="to be confirmed"),
    "score": Text(fr="score seul", en="score alone"),
}
_BAD = ("fail", "warn")


@dataclass
class Summary:
    """The rows, their columns (JSON key, header in the chosen language) and the domains."""

    campaign: str
    named: bool
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]


def masked(n: int, named: bool) -> int | str:
    """A count as an anonymised export writes it: « < 5 » from 1 to MIN_GROUP − 1."""
    return n if named or n == 0 or n >= MIN_GROUP else f"< {MIN_GROUP}"


def summary(store: Store, campaign: str | None, *, named: bool, lang: Lang) -> Summary:
    """The summary of `campaign` (default: the latest); anonymised unless `named` (an
    anonymised summary of fewer than MIN_GROUP municipalities is refused)."""
    campaign = store.resolve_campaign(campaign)
    rows = store.campaign_rows(campaign)
    if not named:
        refuse_small_export(len(rows), campaign)
    domains = store.campaign_domains(campaign)
    levels = {lv.id: lv.name.get(lang) for lv in store.campaign_levels(campaign)}
    runs = store.latest_check_runs({m.insee for m in rows})
    if named:
        out = [_commune(campaign, m, domains, levels, runs.get(m.insee), lang) for m in rows]
        out.sort(key=lambda r: str(r["municipality"]).casefold())
    else:
        groups = tier_groups(Counter(m.tier for m in rows), MIN_GROUP)
        parts = [(g.label, [m for m in rows if m.tier in g.tiers]) for g in groups]
        parts.append((Text(fr="Territoire", en="Territory").get(lang), rows))
        out = [_group(campaign, label, ms, domains, levels, runs, lang) for label, ms in parts]
    return Summary(campaign, named, _columns(named, domains, lang), out)


def _stale_limit() -> str:
    return months_before(datetime.now(UTC).date(), STALE_MONTHS).isoformat()


def _checks(run: LatestRun | None) -> dict[str, Any]:
    if run is None:
        return {"date": None, "campaign": None, "fail": None, "warn": None, "pass": None,
                "not_tested": None, "failing": []}  # fmt: skip
    per = worst([(r.id, r.status) for r in run.run.results])
    n = Counter(per.values())
    return {
        "date": run.finished_at[:10],
        "campaign": run.campaign,
        "fail": n["fail"],
        "warn": n["warn"],
        "pass": n["pass"],
        "not_tested": n["not_tested"],
        "failing": sorted(c for c, s in per.items() if s in _BAD),
    }


def _commune(
    campaign: str,
    m: MuniRow,
    domains: list[tuple[str, Text]],
    levels: dict[int, str],
    run: LatestRun | None,
    lang: Lang,
) -> dict[str, Any]:
    gaps, unknown = cap_counts(m)
    created = m.created_at[:10]
    return {
        "campaign": campaign,
        "insee": m.insee,
        "municipality": m.name,
        "population": m.population,
        "tier": m.tier,
        "created_at": created,
        "older_than_18_months": created < _stale_limit(),
        "overall_score": m.overall_score,
        "level": m.overall_level,
        "level_name": levels.get(m.overall_level, str(m.overall_level)),
        "target_level": m.target_level,
        "reached_target": reached(m),
        "held_by": held_by(m),
        "caps": [
            {
                "item": c.item,
                "ref": c.ref,
                "label": c.label.get(lang),
                "level": c.level,
                "cause": c.cause,
            }
            for c in m.caps
        ],  # fmt: skip
        "caps_gap": gaps,
        "caps_unknown": unknown,
        "findings": [
            {
                "ref": f.ref,
                "title": f.title.get(lang),
                "kind": f.kind,
                "severity": f.severity,
                "critical": f.critical,
                "domain": f.domain,
            }
            for f in m.findings
        ],  # fmt: skip
        "domains": {d: m.scores.get(d) for d, _ in domains if d in m.scores},
        "checks": _checks(run),
    }


def _group(
    campaign: str,
    label: str,
    ms: list[MuniRow],
    domains: list[tuple[str, Text]],
    levels: dict[int, str],
    runs: dict[str, LatestRun],
    lang: Lang,
) -> dict[str, Any]:
    """One group's row: only figures over at least MIN_GROUP municipalities."""
    held = Counter(held_by(m) for m in ms)
    caps: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    cap_label: dict[str, str] = {}
    for m in ms:
        for c in m.caps:
            caps[c.ref][c.cause].add(m.insee)
            cap_label.setdefault(c.ref, c.label.get(lang))
    found: dict[str, set[str]] = defaultdict(set)
    titles: dict[str, str] = {}
    for m in ms:
        for f in m.findings:
            if f.kind != "delegated":
                found[f.ref].add(m.insee)
                titles.setdefault(f.ref, generic_title(f).get(lang))
    checked = [runs[m.insee] for m in ms if m.insee in runs]
    failing: dict[str, Counter[str]] = defaultdict(Counter)
    for run in checked:
        for cid, status in worst([(r.id, r.status) for r in run.run.results]).items():
            failing[cid][status] += 1
    scores = [m.overall_score for m in ms if m.overall_score is not None]
    dates = sorted(r.finished_at[:10] for r in checked)
    return {
        "campaign": campaign,
        "group": label,
        "municipalities": len(ms),
        "overall_median": median(scores) if len(scores) >= MIN_GROUP else None,
        "levels": {
            levels.get(i, str(i)): masked(sum(m.overall_level == i for m in ms), False)
            for i in sorted(levels or {0: ""})
        },  # fmt: skip
        "reached_target": masked(sum(reached(m) for m in ms), False),
        "held_by": {k: masked(held[k], False) for k in ("gap", "unknown", "score")},
        "caps": [
            {
                "ref": ref,
                "label": cap_label[ref],
                "gap": masked(len(by["gap"]), False),
                "unknown": masked(len(by["unknown"]), False),
            }
            for ref, by in sorted(caps.items(), key=lambda kv: -len(set().union(*kv[1].values())))
            if len(set().union(*by.values())) >= MIN_GROUP
        ],  # fmt: skip
        "findings": [
            {"ref": ref, "title": titles[ref], "municipalities": len(who)}
            for ref, who in sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            if len(who) >= MIN_GROUP
        ],
        "domains": {d: _median([m.scores.get(d) for m in ms]) for d, _ in domains},
        "checks": {
            "checked": masked(len(checked), False),
            "first": dates[0] if len(dates) >= MIN_GROUP else None,
            "last": dates[-1] if len(dates) >= MIN_GROUP else None,
            "failing": [
                {"id": cid, "fail": masked(c["fail"], False), "warn": masked(c["warn"], False)}
                for cid, c in sorted(
                    failing.items(), key=lambda kv: -(kv[1]["fail"] + kv[1]["warn"])
                )
                if c["fail"] + c["warn"] >= MIN_GROUP
            ],  # fmt: skip
        },
    }


def _median(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return median(vals) if len(vals) >= MIN_GROUP else None


def _t(lang: Lang, fr: str, en: str) -> str:
    return en if lang == "en" else fr


def _columns(named: bool, domains: list[tuple[str, Text]], lang: Lang) -> list[tuple[str, str]]:
    """(key, header) of the CSV columns; a domain column's key is "domain:<id>"."""
    t = partial(_t, lang)
    head = [("campaign", t("campagne", "campaign"))]
    if named:
        head += [
            ("insee", t("code INSEE", "INSEE code")),
            ("municipality", t("commune", "municipality")),
            ("population", t("habitants", "population")),
            ("tier", t("strate", "tier")),
            ("created_at", t("date du diagnostic", "diagnostic date")),
            ("older_than_18_months", t("plus de 18 mois", "over 18 months old")),
            ("overall_score", t("score global", "overall score")),
            ("level", t("niveau", "level")),
            ("level_name", t("nom du niveau", "level name")),
            ("target_level", t("niveau attendu", "expected level")),
            ("reached_target", t("niveau attendu atteint", "expected level reached")),
            ("held_by", t("ce qui la retient", "what holds it")),
            ("caps", t("plafonds (niveau, cause)", "caps (level, cause)")),
            ("caps_gap", t("plafonds : écarts connus", "caps: known gaps")),
            ("caps_unknown", t("plafonds : à confirmer", "caps: to be confirmed")),
            ("findings", t("constats", "findings")),
        ]
    else:
        head += [
            ("group", t("groupe", "group")),
            ("municipalities", t("communes", "municipalities")),
            ("overall_median", t("score global médian", "median overall score")),
            ("levels", t("niveaux (communes)", "levels (municipalities)")),
            ("reached_target", t("au niveau attendu", "at the expected level")),
            ("held_by", t("ce qui les retient", "what holds them")),
            ("caps", t("plafonds (écart connu, à confirmer)", "caps (known gap, to confirm)")),
            ("findings", t("constats (communes)", "findings (municipalities)")),
        ]
    median_word = "" if named else t(" (médiane)", " (median)")
    head += [(f"domain:{d}", name.get(lang) + median_word) for d, name in domains]
    head += [
        ("checks.date" if named else "checks.dates", t("check-all : date", "check-all: date")),
        ("checks.fail" if named else "checks.checked",
         t("check-all : échecs", "check-all: failing") if named
         else t("check-all : communes vérifiées", "check-all: municipalities checked")),
    ]  # fmt: skip
    if named:
        head += [
            ("checks.warn", t("check-all : avertissements", "check-all: warnings")),
            ("checks.pass", t("check-all : réussies", "check-all: passed")),
            ("checks.not_tested", t("check-all : non testées", "check-all: not tested")),
        ]
    head.append(("checks.failing", t("check-all : en échec ou avertissement",
                                     "check-all: failing or warning")))  # fmt: skip
    return head


def _number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _cells(row: dict[str, Any], named: bool, lang: Lang) -> dict[str, str]:
    """A summary row as CSV cells (lists joined with « | »)."""
    t = partial(_t, lang)
    yes_no = {True: t("oui", "yes"), False: t("non", "no")}
    cause = {"gap": _HELD["gap"].get(lang), "unknown": _HELD["unknown"].get(lang)}
    out = {k: _number(v) for k, v in row.items() if not isinstance(v, dict | list)}
    for d, score in row["domains"].items():
        out[f"domain:{d}"] = _number(score)
    checks = row["checks"]
    if named:
        for key in ("older_than_18_months", "reached_target"):
            out[key] = yes_no[bool(row[key])]
        out["held_by"] = _HELD[row["held_by"]].get(lang)
        out["caps"] = " | ".join(
            f"{c['label']} ({t('niveau', 'level')} {c['level']}, {cause[c['cause']]})"
            for c in row["caps"]
        )
        out["findings"] = " | ".join(f"{f['title']} [{f['ref']}]" for f in row["findings"])
        for key in ("date", "fail", "warn", "pass", "not_tested"):
            out[f"checks.{key}"] = _number(checks[key])
        out["checks.failing"] = " | ".join(checks["failing"])
        return out
    out["levels"] = " | ".join(f"{name} : {n}" for name, n in row["levels"].items())
    out["held_by"] = " | ".join(f"{_HELD[k].get(lang)} : {n}" for k, n in row["held_by"].items())
    out["caps"] = " | ".join(
        f"{c['label']} : {c['gap']} {cause['gap']}, {c['unknown']} {cause['unknown']}"
        for c in row["caps"]
    )
    out["findings"] = " | ".join(f"{f['title']} : {f['municipalities']}" for f in row["findings"])
    out["checks.checked"] = _number(checks["checked"])
    out["checks.dates"] = f"{checks['first']} – {checks['last']}" if checks["first"] else ""
    out["checks.failing"] = " | ".join(
        f"{c['id']} : {c['fail']} {t('échec', 'fail')}, {c['warn']} {t('avert.', 'warn')}"
        for c in checks["failing"]
    )
    return out


def to_csv(s: Summary, lang: Lang) -> str:
    """French spreadsheet CSV: semicolon, decimal comma, UTF-8 BOM, formulas neutralised."""
    table = [[head for _, head in s.columns]]
    for row in s.rows:
        cells = _cells(row, s.named, lang)
        table.append([cells.get(key, "") for key, _ in s.columns])
    return csv_text(table, delimiter=";")


def to_json(s: Summary) -> str:
    """The rows as JSON, with the campaign and whether they are anonymised."""
    doc = {
        "campaign": s.campaign,
        "anonymised": not s.named,
        "per": "municipality" if s.named else "group",
        "min_group": None if s.named else MIN_GROUP,
        "rows": s.rows,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
