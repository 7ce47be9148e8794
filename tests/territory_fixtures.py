"""Realistic diagnostics for N municipalities, built with the pydantic models (seeded randomness).

Used by tests/test_territory*.py and benchmarks/territory.py. The scoring here is a simplified,
self-contained version of the grid's logic (threshold levels, critical items capping the overall
level): the territory code only reads what a Diagnostic records, so it does not depend on it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cyberdiag.models import (
    AnsweredItem,
    Cap,
    CheckResult,
    Coverage,
    Diagnostic,
    DomainScore,
    Finding,
    LevelInfo,
    Nis2Status,
    OverallScore,
    Profile,
    Recommendation,
    References,
    Text,
    VersionInfo,
)

DOMAINS: list[tuple[str, str, str]] = [
    ("gouvernance", "Gouvernance et pilotage", "Governance"),
    ("sensibilisation", "Sensibilisation et formation", "Awareness and training"),
    ("inventaire", "Connaissance du SI et des prestataires", "Assets and suppliers"),
    ("acces", "Identités et accès", "Identity and access"),
    ("postes", "Postes, serveurs et mises à jour", "Endpoints, servers and updates"),
    ("sauvegardes", "Sauvegardes et continuité", "Backups and continuity"),
    ("messagerie", "Messagerie et nom de domaine", "E-mail and domain name"),
    ("exposition", "Exposition sur Internet et site web", "Internet exposure and website"),
    ("reseau", "Réseau, Wi-Fi et travail à distance", "Network, Wi-Fi and remote work"),
    ("incidents", "Détection et réaction aux incidents", "Incident detection and response"),
    ("equipements", "Équipements techniques connectés", "Building and operational technology"),
]

LEVELS = [
    LevelInfo(
        id=0,
        name=Text(fr="Exposé", en="Exposed"),
        meaning=Text(fr="Un point critique manque.", en="A critical item is missing."),
    ),
    LevelInfo(
        id=1,
        name=Text(fr="Hygiène de base", en="Basic hygiene"),
        meaning=Text(fr="Points critiques en partie.", en="Critical items partly."),
    ),
    LevelInfo(
        id=2,
        name=Text(fr="Socle", en="Baseline"),
        meaning=Text(fr="Le socle est en place.", en="The baseline is in place."),
    ),
    LevelInfo(
        id=3,
        name=Text(fr="Maîtrisé", en="Managed"),
        meaning=Text(fr="Documenté et testé.", en="Documented and tested."),
    ),
    LevelInfo(
        id=4,
        name=Text(fr="Résilient", en="Resilient"),
        meaning=Text(fr="Renforcé.", en="Reinforced."),
    ),
]
THRESHOLDS = [0, 40, 60, 75, 90]

# (id, domain, fr, en, critical, level)
QUESTIONS: list[tuple[str, str, str, str, bool, int]] = [
    ("gouvernance.referent_elu", "gouvernance", "Élu référent", "Elected referent", False, 1),
    ("gouvernance.dpo", "gouvernance", "DPO désigné", "DPO appointed", False, 1),
    ("gouvernance.budget", "gouvernance", "Budget cyber", "Cyber budget", False, 2),
    ("gouvernance.assurance", "gouvernance", "Assurance cyber", "Cyber insurance", False, 3),
    (
        "sensibilisation.formation_agents",
        "sensibilisation",
        "Agents sensibilisés",
        "Staff trained",
        False,
        1,
    ),
    (
        "sensibilisation.phishing",
        "sensibilisation",
        "Exercice d'hameçonnage",
        "Phishing exercise",
        False,
        3,
    ),
    (
        "inventaire.activites_vitales",
        "inventaire",
        "Activités vitales listées",
        "Vital activities listed",
        False,
        2,
    ),
    ("inventaire.contrats", "inventaire", "Contrats prestataires", "Supplier contracts", False, 2),
    (
        "acces.mfa",
        "acces",
        "MFA sur la messagerie et l'accès distant",
        "MFA on webmail and remote access",
        True,
        1,
    ),
    ("acces.admin_local", "acces", "Agents non administrateurs", "Users not local admins", True, 1),
    (
        "acces.mots_de_passe",
        "acces",
        "Mots de passe par défaut changés",
        "Default passwords changed",
        False,
        1,
    ),
    (
        "postes.mises_a_jour",
        "postes",
        "Mises à jour sous 30 jours",
        "Security updates within 30 days",
        True,
        1,
    ),
    (
        "postes.antivirus",
        "postes",
        "Antivirus actif partout",
        "Antivirus active everywhere",
        True,
        1,
    ),
    ("postes.obsoletes", "postes", "Aucun système obsolète", "No unsupported system", False, 2),
    (
        "sauvegardes.hors_ligne",
        "sauvegardes",
        "Copie de sauvegarde hors ligne",
        "Offline backup copy",
        True,
        1,
    ),
    (
        "sauvegardes.test_restauration",
        "sauvegardes",
        "Restauration testée",
        "Restore tested",
        False,
        3,
    ),
    (
        "messagerie.adresse_officielle",
        "messagerie",
        "Adresse sur le domaine de la commune",
        "Address on the municipality's domain",
        False,
        1,
    ),
    ("exposition.site_maj", "exposition", "Site web à jour", "Website up to date", False, 2),
    (
        "exposition.services_exposes",
        "exposition",
        "Aucun bureau à distance exposé",
        "No remote desktop exposed",
        True,
        1,
    ),
    ("reseau.wifi_public", "reseau", "Wi-Fi public séparé", "Public Wi-Fi separated", False, 2),
    ("reseau.vpn", "reseau", "Accès distant par VPN", "Remote access through VPN", False, 2),
    ("incidents.fiche_reflexe", "incidents", "Fiche réflexe connue", "Reflex sheet known", True, 1),
    ("incidents.exercice", "incidents", "Exercice de crise", "Crisis exercise", False, 3),
    (
        "equipements.teleMaintenance",
        "equipements",
        "Télémaintenance maîtrisée",
        "Remote maintenance controlled",
        False,
        2,
    ),
]
CHECKS = [
    ("mail.dmarc_policy", "messagerie", "DMARC absent ou laxiste", "DMARC missing or weak"),
    ("mail.spf_strict", "messagerie", "SPF non strict", "SPF not strict"),
    ("web.hsts", "exposition", "HSTS absent", "HSTS missing"),
]

_SYLL = [
    "ber",
    "mont",
    "lan",
    "quin",
    "vil",
    "hal",
    "roz",
    "tour",
    "wat",
    "cro",
    "bou",
    "fle",
    "mar",
    "seq",
    "lom",
    "hem",
    "wav",
    "ann",
    "sai",
    "pér",
]
_SUFFIX = ["-sur-Deûle", "-lez-Lannoy", "-en-Weppes", "-le-Haut", "", "", "ville", "court"]


@dataclass(frozen=True)
class Muni:
    insee: str
    name: str
    population: int


def tier_of(population: int) -> int:
    if population < 1000:
        return 1
    if population <= 10000:
        return 2
    if population <= 30000:
        return 3
    return 4


def municipalities(n: int, seed: int = 7) -> list[Muni]:
    """n municipalities with unique, distinctive names (never a real French word alone)."""
    rng = random.Random(seed)
    out: list[Muni] = []
    names: set[str] = set()
    while len(out) < n:
        base = "".join(rng.choice(_SYLL) for _ in range(rng.randint(2, 3))).capitalize()
        name = f"{base}{rng.choice(_SUFFIX)}"
        if name in names or len(name) < 6:
            continue
        names.add(name)
        r = rng.random()
        pop = (
            rng.randint(200, 999)
            if r < 0.25
            else rng.randint(1000, 10000)
            if r < 0.75
            else rng.randint(10001, 30000)
            if r < 0.92
            else rng.randint(30001, 230000)
        )
        k = len(out)
        out.append(Muni(insee=f"{59 + k // 999:02d}{k % 999 + 1:03d}", name=name, population=pop))
    return out


def _level(score: float | None) -> int:
    if score is None:
        return 0
    return max(i for i, t in enumerate(THRESHOLDS) if score >= t)


def make_diagnostic(
    m: Muni,
    rng: random.Random,
    *,
    created_at: datetime | None = None,
    quality: float | None = None,
) -> Diagnostic:
    tier = tier_of(m.population)
    q = quality if quality is not None else min(0.95, max(0.05, rng.gauss(0.35 + 0.1 * tier, 0.2)))
    created = created_at or datetime(2026, 3, 1, tzinfo=UTC) + timedelta(
        hours=rng.randint(0, 24 * 60)
    )
    has_ot = rng.random() < 0.3
    answers: list[AnsweredItem] = []
    findings: list[Finding] = []
    caps: list[Cap] = []
    per_domain: dict[str, list[tuple[int, int]]] = {d[0]: [] for d in DOMAINS}
    for qid, dom, fr, en, critical, level in QUESTIONS:
        applicable = not (tier == 1 and level >= 3) and (dom != "equipements" or has_ot)
        if not applicable:
            answers.append(
                AnsweredItem(
                    question_id=qid,
                    domain=dom,
                    question=Text(fr=fr, en=en),
                    applicable=False,
                    weight=1,
                    critical=critical,
                    level=level,
                )
            )
            continue
        r = rng.random()
        kind = "dont_know" if r < 0.06 else "answer"
        score = 0 if kind == "dont_know" else min(4, max(0, round(rng.gauss(q * 4.6, 1.2))))
        answers.append(
            AnsweredItem(
                question_id=qid,
                domain=dom,
                question=Text(fr=fr, en=en),
                applicable=True,
                weight=1,
                critical=critical,
                level=level,
                option=kind if kind == "dont_know" else f"s{score}",
                option_label=Text(fr=str(score), en=str(score)),
                kind=kind,
                score=score,
            )
        )
        per_domain[dom].append((score, 1))
        if score < 3:
            fkind = "unknown" if kind == "dont_know" else "gap"
            findings.append(_finding(qid, "question", dom, fr, en, critical, fkind, score))
            if critical:
                cap_level = 0 if score == 0 else 1
                caps.append(
                    Cap(
                        item=f"crit.{qid}",
                        label=Text(fr=fr, en=en),
                        level=cap_level,
                        source="question",
                        ref=qid,
                    )
                )
    checks: list[CheckResult] = []
    for cid, dom, fr, en in CHECKS:
        status = "fail" if rng.random() > q + 0.2 else "pass"
        checks.append(
            CheckResult(id=cid, target=f"{m.insee}.test", status=status, message=Text(fr=fr, en=en))
        )
        if status == "fail":
            findings.append(_finding(cid, "check", dom, fr, en, False, "check", 1))
    domains: list[DomainScore] = []
    target = {1: 2, 2: 2, 3: 3, 4: 3}[tier]
    for did, fr, en in DOMAINS:
        vals = per_domain[did]
        applicable = bool(vals) or did != "equipements"
        dscore = round(sum(s for s, _ in vals) / (4 * len(vals)) * 100, 1) if vals else None
        lvl = _level(dscore)
        domains.append(
            DomainScore(
                id=did,
                name=Text(fr=fr, en=en),
                applicable=applicable,
                score=dscore,
                level=lvl,
                target_level=target,
                gap=max(0, target - lvl),
                coverage=Coverage(
                    questions_applicable=len(vals),
                    questions_answered=len(vals),
                    questions_not_applicable=0,
                    checks_tested=0,
                    checks_not_tested=0,
                ),
            )
        )
    scored = [d.score for d in domains if d.score is not None]
    overall = round(sum(scored) / len(scored), 1) if scored else None
    uncapped = _level(overall)
    level = min([uncapped] + [c.level for c in caps])
    findings.sort(key=lambda f: (not f.critical, -f.priority))
    findings = [f.model_copy(update={"rank": i + 1}) for i, f in enumerate(findings)]
    return Diagnostic(
        tool_version="0.1.0",
        created_at=created,
        questionnaire=VersionInfo(id="complet", version="1.0"),
        grid=VersionInfo(id="grille-territoriale", version="1.0"),
        profile=Profile(
            name=m.name,
            insee=m.insee,
            population=m.population,
            agents=max(1, m.population // 120),
            domains=[f"{m.insee}.test"],
            has_ot=has_ot,
        ),
        tier=tier,
        levels=LEVELS,
        answers=answers,
        checks=checks,
        domains=domains,
        overall=OverallScore(
            score=overall,
            level=level,
            uncapped_level=uncapped,
            capped_by=caps,
            target_level=target,
            gap=max(0, target - level),
        ),
        findings=findings,
        nis2=Nis2Status(
            entity="essential" if tier == 4 else "none", estimated=True, obligations=[]
        ),
    )


def _finding(
    ref: str, source: str, dom: str, fr: str, en: str, critical: bool, kind: str, score: int
) -> Finding:
    sev = "critical" if critical else "high" if score == 0 else "medium"
    return Finding.model_validate(
        {
            "id": f"f.{ref}",
            "source": source,
            "ref": ref,
            "domain": dom,
            "title": Text(fr=fr, en=en),
            "severity": sev,
            "kind": kind,
            "critical": critical,
            "recommendation": Recommendation(
                action=Text(fr="Agir", en="Act"), effort="quick_win", who="it"
            ),
            "references": References(),
            "priority": float(4 - score) * (2 if critical else 1),
            "rank": 0,
        }
    )


def write_diagnostics(
    folder: Path, munis: list[Muni], seed: int = 11, created_at: datetime | None = None
) -> list[Path]:
    """One diagnostic-<insee>.json per municipality in `folder`."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for m in munis:
        d = make_diagnostic(m, rng, created_at=created_at)
        p = folder / f"diagnostic-{m.insee}.json"
        p.write_text(d.model_dump_json(indent=1), encoding="utf-8")
        paths.append(p)
    return paths


def write_roster(path: Path, munis: list[Muni], sep: str = ",") -> Path:
    lines = [sep.join(["insee", "name", "domains", "population"])]
    lines += [sep.join([m.insee, m.name, f"{m.insee}.test", str(m.population)]) for m in munis]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def future_version(path: Path, version: str = "9.0") -> Path:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["schema_version"] = version
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Diagnostics scored by the real grid and questionnaire (cyberdiag.scoring), random answers
# --------------------------------------------------------------------------------------------


def real_diagnostic(
    m: Muni, rng: random.Random, *, created_at: datetime | None = None, quality: float | None = None
) -> Diagnostic:
    """A diagnostic of `m` computed by the shipped grid from random (seeded) answers."""
    from cyberdiag.diagnostic import build
    from cyberdiag.loading import load_check_catalogue, load_grid, load_questionnaire
    from cyberdiag.models import Answer, AnswerFile

    q = load_questionnaire("complet")
    tier = tier_of(m.population)
    qual = (
        quality if quality is not None else min(0.95, max(0.05, rng.gauss(0.45 + 0.1 * tier, 0.2)))
    )
    answers: dict[str, Answer] = {}
    for question in q.questions:
        opts = [o for o in question.options if o.kind == "answer"]
        other = {o.kind: o for o in question.options if o.kind != "answer"}
        r = rng.random()
        if "dont_know" in other and r < 0.06:
            answers[question.id] = Answer(option=other["dont_know"].id)
            continue
        if "delegated" in other and r < 0.1:
            answers[question.id] = Answer(option=other["delegated"].id)
            continue
        top = max(o.score or 0 for o in opts)
        target = qual * top + rng.gauss(0, 0.8)
        best = min(opts, key=lambda o: abs((o.score or 0) - target))
        answers[question.id] = Answer(option=best.id)
    profile = Profile(
        name=m.name,
        insee=m.insee,
        population=m.population,
        agents=max(1, m.population // 120),
        it_staff=m.population > 3000,
        domains=[f"commune-{m.insee}.test"],
        has_ot=rng.random() < 0.3,
        online_services=rng.random() < 0.5,
    )
    created = created_at or datetime(2026, 3, 1, tzinfo=UTC) + timedelta(
        hours=rng.randint(0, 24 * 60)
    )
    return build(
        grid=load_grid(),
        questionnaire=q,
        profile=profile,
        answers=AnswerFile(questionnaire=q.id, answers=answers),
        checks=[],
        catalogue=load_check_catalogue(),
        now=created,
    )


def write_real_diagnostics(
    folder: Path, munis: list[Muni], seed: int = 11, created_at: datetime | None = None
) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for m in munis:
        p = folder / f"diagnostic-{m.insee}.json"
        p.write_text(
            real_diagnostic(m, rng, created_at=created_at).model_dump_json(indent=1),
            encoding="utf-8",
        )
        paths.append(p)
    return paths
