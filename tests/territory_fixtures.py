"""Realistic diagnostics for N municipalities, built with the pydantic models (seeded randomness).

Used by tests/territory/ and benchmarks/territory.py. The scoring here is a simplified,
self-contained version of the grid's logic (threshold levels, critical items capping the overall
level): the territory code only reads what a Diagnostic records, so it does not depend on it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import diag_factory as df

from cyberdiag.models import (
    AnsweredItem,
    Cap,
    CheckResult,
    Diagnostic,
    DomainScore,
    Finding,
    Nis2Status,
    Profile,
    Text,
)

# The levels carry no minimum score: the thresholds below stand for the grid's.
LEVEL_ROWS: list[df.LevelRow] = [
    (0, "Exposé", "Exposed", "Un point critique manque.", "A critical item is missing.", None),
    (
        1,
        "Hygiène de base",
        "Basic hygiene",
        "Points critiques en partie.",
        "Critical items partly.",
        None,
    ),
    (2, "Socle", "Baseline", "Le socle est en place.", "The baseline is in place.", None),
    (3, "Maîtrisé", "Managed", "Documenté et testé.", "Documented and tested.", None),
    (4, "Résilient", "Resilient", "Renforcé.", "Reinforced.", None),
]
LEVELS = df.level_infos(LEVEL_ROWS)
THRESHOLDS = [0, 40, 60, 75, 90]

# [domain], then its questions: key | level (* = critical) | French | English; the question id
# is <domain>.<key>.
_QUESTION_TABLE = """
[gouvernance]
referent_elu | 1 | Élu référent | Elected referent
dpo | 1 | DPO désigné | DPO appointed
budget | 2 | Budget cyber | Cyber budget
assurance | 3 | Assurance cyber | Cyber insurance
[sensibilisation]
formation_agents | 1 | Agents sensibilisés | Staff trained
phishing | 3 | Exercice d'hameçonnage | Phishing exercise
[inventaire]
activites_vitales | 2 | Activités vitales listées | Vital activities listed
contrats | 2 | Contrats prestataires | Supplier contracts
[acces]
mfa | 1* | MFA sur la messagerie et l'accès distant | MFA on webmail and remote access
admin_local | 1* | Agents non administrateurs | Users not local admins
mots_de_passe | 1 | Mots de passe par défaut changés | Default passwords changed
[postes]
mises_a_jour | 1* | Mises à jour sous 30 jours | Security updates within 30 days
antivirus | 1* | Antivirus actif partout | Antivirus active everywhere
obsoletes | 2 | Aucun système obsolète | No unsupported system
[sauvegardes]
hors_ligne | 1* | Copie de sauvegarde hors ligne | Offline backup copy
test_restauration | 3 | Restauration testée | Restore tested
[messagerie]
adresse_officielle | 1 | Adresse sur le domaine de la commune | Address on the municipality's domain
[exposition]
site_maj | 2 | Site web à jour | Website up to date
services_exposes | 1* | Aucun bureau à distance exposé | No remote desktop exposed
[reseau]
wifi_public | 2 | Wi-Fi public séparé | Public Wi-Fi separated
vpn | 2 | Accès distant par VPN | Remote access through VPN
[incidents]
fiche_reflexe | 1* | Fiche réflexe connue | Reflex sheet known
exercice | 3 | Exercice de crise | Crisis exercise
[equipements]
teleMaintenance | 2 | Télémaintenance maîtrisée | Remote maintenance controlled
"""


def _questions(table: str) -> list[tuple[str, str, str, str, bool, int]]:
    out: list[tuple[str, str, str, str, bool, int]] = []
    domain = ""
    for line in table.strip().splitlines():
        if line.startswith("["):
            domain = line.strip("[]")
            continue
        key, level, fr, en = (cell.strip() for cell in line.split("|"))
        out.append((f"{domain}.{key}", domain, fr, en, level.endswith("*"), int(level.rstrip("*"))))
    return out


# (id, domain, fr, en, critical, level)
QUESTIONS = _questions(_QUESTION_TABLE)
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
    if population < 30000:  # the shipped grid: strate 4 from 30 000 inhabitants
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
    return df.level_of(score, THRESHOLDS)


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
    per_domain: dict[str, list[tuple[int, int]]] = {d[0]: [] for d in df.DOMAINS}
    for qid, dom, fr, en, critical, level in QUESTIONS:
        applicable = not (tier == 1 and level >= 3) and (dom != "equipements" or has_ot)
        question = Text(fr=fr, en=en)
        if not applicable:
            answers.append(
                df.answered_item(
                    qid, dom, question, applicable=False, weight=1, critical=critical, level=level
                )
            )
            continue
        r = rng.random()
        kind = "dont_know" if r < 0.06 else "answer"
        score = 0 if kind == "dont_know" else min(4, max(0, round(rng.gauss(q * 4.6, 1.2))))
        answers.append(
            df.answered_item(
                qid,
                dom,
                question,
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
                        cause="unknown" if kind == "dont_know" else "gap",
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
    for did, fr, en in df.DOMAINS:
        vals = per_domain[did]
        applicable = bool(vals) or did != "equipements"
        dscore = round(sum(s for s, _ in vals) / (4 * len(vals)) * 100, 1) if vals else None
        lvl = _level(dscore)
        domains.append(
            df.domain_score(
                did,
                Text(fr=fr, en=en),
                dscore,
                lvl,
                target,
                applicable=applicable,
                answered=len(vals),
                applicable_q=len(vals),
            )
        )
    scored = [d.score for d in domains if d.score is not None]
    overall = round(sum(scored) / len(scored), 1) if scored else None
    uncapped = _level(overall)
    level = min([uncapped] + [c.level for c in caps])
    findings.sort(key=lambda f: (not f.critical, -f.priority))
    findings = [f.model_copy(update={"rank": i + 1}) for i, f in enumerate(findings)]
    return df.diagnostic(
        created_at=created,
        grid="grille-territoriale",
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
        score=overall,
        level=level,
        uncapped_level=uncapped,
        caps=caps,
        target_level=target,
        findings=findings,
        nis2=Nis2Status(
            entity="essential" if tier == 4 else "none", estimated=True, obligations=[]
        ),
    )


def _finding(
    ref: str, source: str, dom: str, fr: str, en: str, critical: bool, kind: str, score: int
) -> Finding:
    sev = "critical" if critical else "high" if score == 0 else "medium"
    return df.finding(
        f"f.{ref}",
        ref,
        dom,
        Text(fr=fr, en=en),
        Text(fr="Agir", en="Act"),
        source=source,
        severity=sev,
        kind=kind,
        critical=critical,
        priority=float(4 - score) * (2 if critical else 1),
        rank=0,
    )


def write_diagnostics(
    folder: Path,
    munis: list[Muni],
    seed: int = 11,
    created_at: datetime | None = None,
    factory: Callable[..., Diagnostic] = make_diagnostic,
) -> list[Path]:
    """One diagnostic-<insee>.json per municipality in `folder`, built by `factory`
    (make_diagnostic or real_diagnostic) from one random generator seeded with `seed`."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for m in munis:
        d = factory(m, rng, created_at=created_at)
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
        if not question.scored:  # pooling questions: any answer, none better than another
            answers[question.id] = Answer(option=rng.choice(opts).id)
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
    return write_diagnostics(folder, munis, seed, created_at, factory=real_diagnostic)


# --------------------------------------------------------------------------------------------
# The sample territory most tests share
# --------------------------------------------------------------------------------------------


def sample_munis() -> list[Muni]:
    """The 30 municipalities most territory tests share."""
    return municipalities(30, seed=3)


def write_sample(tmp_path: Path) -> Path:
    """Their diagnostics, one file each, in tmp_path/in (returned)."""
    write_diagnostics(tmp_path / "in", sample_munis(), seed=5)
    return tmp_path / "in"


def read_diagnostic(path: Path) -> Diagnostic:
    """A diagnostic.json written by the factories."""
    return Diagnostic.model_validate_json(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# Ten municipalities of one tier whose caps are chosen by hand (known gaps / to be confirmed)
# --------------------------------------------------------------------------------------------

# (overall level, [(cap level, cause)]) of each; what holds it at its level, in the comment.
CAUSE_TABLE: list[tuple[int, list[tuple[int, str]]]] = [
    (0, [(0, "gap")]),  # level 0, known gap
    (0, [(0, "gap"), (0, "unknown")]),  # level 0, known gap (one is enough)
    (0, [(0, "unknown"), (1, "gap")]),  # level 0, to be confirmed (the gap caps at 1 only)
    (0, [(0, "unknown")]),  # level 0, to be confirmed
    (0, [(0, "unknown"), (0, "unknown")]),  # level 0, to be confirmed
    (0, []),  # level 0, the score alone
    (1, [(1, "gap")]),  # capped at 1 by a known gap
    (1, [(1, "unknown")]),  # capped at 1, to be confirmed
    (2, []),  # not capped
    (1, []),  # not capped
]
CAUSE_HELD = ["gap", "gap", "unknown", "unknown", "unknown", "score", "gap", "unknown", "score",
              "score"]


def cause_munis() -> list[Muni]:
    """Ten tier-2 municipalities (1,000 to 10,000 inhabitants), in CAUSE_TABLE's order."""
    return [m for m in municipalities(60, seed=21) if tier_of(m.population) == 2][:10]


def write_cause_sample(folder: Path) -> list[Muni]:
    """The diagnostics of cause_munis() with the overall results of CAUSE_TABLE, in `folder`."""
    rng = random.Random(4)
    munis = cause_munis()
    folder.mkdir(parents=True, exist_ok=True)
    for m, (level, caps) in zip(munis, CAUSE_TABLE, strict=True):
        d = make_diagnostic(m, rng)
        capped_by = [
            Cap(
                item=f"crit.{i}",
                label=Text(fr=f"point critique {i}", en=f"critical item {i}"),
                level=cap_level,
                source="question",
                ref=QUESTIONS[i][0],
                cause=cause,  # type: ignore[arg-type]
            )
            for i, (cap_level, cause) in enumerate(caps)
        ]
        overall = d.overall.model_copy(
            update={"level": level, "uncapped_level": max([level, *(c for c, _ in caps)]),
                    "capped_by": capped_by}
        )
        d = d.model_copy(update={"overall": overall})
        (folder / f"diagnostic-{m.insee}.json").write_text(d.model_dump_json(), encoding="utf-8")
    return munis
