"""Diagnostic records for the report tests, built directly with the pydantic models.

complete(): a plausible medium-sized municipality (every domain answered, checks of every status,
comply-or-explain explanations, a capped overall level). sparse(): almost nothing answered.
extreme(): every check failing with huge evidence, 500-character comments, hostile content in
every free text (markup, URLs to a local server, file:// paths, template syntax).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from diag_factory import (
    DOMAINS,
    LevelRow,
    T,
    answered_item,
    diagnostic,
    domain_score,
    finding,
    level_infos,
    level_of,
)

from cyberdiag.models import (
    AnsweredItem,
    Cap,
    CheckResult,
    Diagnostic,
    DomainScore,
    Explanation,
    Finding,
    Nis2Status,
    Profile,
    Text,
)

LEVELS: list[LevelRow] = [
    (
        0,
        "Exposé",
        "Exposed",
        "Un point critique manque : un seul incident peut arrêter les services.",
        "A critical item is missing: one incident can stop services.",
        0,
    ),
    (
        1,
        "Hygiène de base",
        "Basic hygiene",
        "Chaque point critique est au moins en partie en place.",
        "Every critical item is at least partly in place.",
        25,
    ),
    (
        2,
        "Socle",
        "Baseline",
        "Chaque mesure attendue pour la strate est en place.",
        "Every measure required for the tier is in place.",
        50,
    ),
    (
        3,
        "Maîtrisé",
        "Managed",
        "Mesures documentées, attribuées et testées.",
        "Measures documented, owned and tested.",
        70,
    ),
    (
        4,
        "Résilient",
        "Resilient",
        "Mesures renforcées, en progrès sur deux campagnes.",
        "Reinforced measures, improving over two campaigns.",
        85,
    ),
]

# Scores of the complete diagnostic, by domain (the figures the tests look for).
COMPLETE_SCORES = {
    "gouvernance": 62.5, "sensibilisation": 40.0, "inventaire": 55.0, "acces": 35.0,
    "postes": 71.0, "sauvegardes": 18.75, "messagerie": 48.0, "exposition": 80.0,
    "reseau": 66.0, "incidents": 27.5,
}  # fmt: skip
COMPLETE_OVERALL = 49.6
MUNICIPALITY = "Saint-Exupéry-lès-Lille"
CAP_LABEL = T("pas de copie de sauvegarde hors ligne", "no offline backup copy")
# The cap of complete() and sparse(): the offline backup (critical question) is missing.
BACKUP_CAP = Cap(
    item="backup_offline", label=CAP_LABEL, level=0, source="question", ref="sauvegardes.q1"
)
THRESHOLDS = [ms or 0 for *_, ms in LEVELS]


def _profile(name: str = MUNICIPALITY, **kw: Any) -> Profile:
    base: dict[str, Any] = {
        "name": name,
        "insee": "59999",
        "population": 12345,
        "agents": 140,
        "it_staff": True,
        "it_provider": "Infogérance Nord SARL",
        "domains": ["saint-exupery.example"],
    }
    base.update(kw)
    return Profile(**base)


OPTIONS = [
    ("yes", "Oui", "Yes", "answer", 4),
    ("partly", "En partie", "Partly", "answer", 2),
    ("no", "Non", "No", "answer", 0),
    ("dont_know", "Je ne sais pas", "Don't know", "dont_know", 0),
    ("delegated", "Notre prestataire s'en charge", "Our IT provider does it", "delegated", 2),
    ("na", "Sans objet", "Not applicable", "not_applicable", None),
]


def _answer(
    qid: str,
    domain: str,
    n: int,
    opt_index: int | None,
    comment: str | None = None,
    explanation: Explanation | None = None,
    critical: bool = False,
    applicable: bool = True,
) -> AnsweredItem:
    q = T(
        f"La commune applique-t-elle la mesure {n} du domaine « {domain} » ?",
        f"Does the municipality apply measure {n} of the '{domain}' domain?",
    )
    common = {"weight": 2, "critical": critical, "applicable": applicable}
    if opt_index is None:
        return answered_item(qid, domain, q, level=1, comment=comment, **common)
    oid, fr, en, kind, score = OPTIONS[opt_index]
    return answered_item(
        qid,
        domain,
        q,
        level=1 + n % 3,
        option=oid,
        option_label=T(fr, en),
        kind=kind,
        score=score,
        comment=comment,
        explanation=explanation,
        **common,
    )


def _domain(
    did: str,
    fr: str,
    en: str,
    score: float | None,
    target: int,
    applicable: bool = True,
    answered: int = 5,
    applicable_q: int = 5,
    checks: int = 0,
    blocking: list[str] | None = None,
) -> DomainScore:
    return domain_score(
        did,
        T(fr, en),
        score,
        level_of(score, THRESHOLDS),
        target,
        applicable=applicable,
        answered=answered,
        applicable_q=applicable_q,
        checks=checks,
        blocking=blocking,
    )


def _finding(
    i: int,
    domain: str,
    *,
    critical: bool = False,
    severity: str = "high",
    kind: str = "gap",
    effort: str = "quick_win",
    who: str = "it",
    priority: float = 10.0,
    title: Text | None = None,
    action: Text | None = None,
    explanation: Explanation | None = None,
    source: str = "question",
    ref: str | None = None,
    target: str | None = None,
) -> Finding:
    return finding(
        f"f{i}",
        ref or f"{domain}.q{i}",
        domain,
        title or T(f"Mesure à mettre en place numéro {i}", f"Measure to put in place number {i}"),
        action
        or T(
            f"Faire le nécessaire pour la mesure {i} avant la fin du trimestre.",
            f"Do what is needed for measure {i} before the end of the quarter.",
        ),
        effort=effort,
        who=who,
        references={
            "anssi": [f"hygiene-{i % 42 + 1}"],
            "cis": [f"{i % 18 + 1}.1"],
            "nis2": ["21.2.c"] if i % 3 == 0 else [],
        },
        source=source,
        severity=severity,
        kind=kind,
        critical=critical,
        priority=priority,
        rank=i,
        target=target,
        explanation=explanation,
    )


def _check(
    cid: str,
    status: str,
    target: str = "saint-exupery.example",
    evidence: dict[str, Any] | None = None,
    message: Text | None = None,
) -> CheckResult:
    return CheckResult(
        id=cid,
        target=target,
        status=status,
        message=message or T(f"Résultat de {cid} : {status}", f"Result of {cid}: {status}"),
        evidence=evidence or {},
        duration=0.05,
        reason=T("délai dépassé (réseau)", "timeout (network)") if status == "not_tested" else None,
    )


def _diagnostic(**fields: Any) -> Diagnostic:
    """A diagnostic on the MEL grid, overall level 0 (every fixture here is capped)."""
    return diagnostic(grid="grille-mel", level=0, levels=level_infos(LEVELS), **fields)


def complete() -> Diagnostic:
    answers: list[AnsweredItem] = []
    domains: list[DomainScore] = []
    for k, (did, fr, en) in enumerate(DOMAINS[:10]):
        for n in range(1, 6):
            opt = (k + n) % 6
            comment = "Vu avec le DGS en réunion." if n == 2 else None
            expl = (
                Explanation(kind="planned", text="Budget voté pour 2027.", date="2027-03-31")
                if (did, n) == ("sauvegardes", 1)
                else None
            )
            answers.append(
                _answer(
                    f"{did}.q{n}",
                    did,
                    n,
                    opt,
                    comment,
                    expl,
                    critical=(did == "sauvegardes" and n == 1),
                )
            )
        domains.append(
            _domain(
                did,
                fr,
                en,
                COMPLETE_SCORES[did],
                3,
                checks=4 if did in ("messagerie", "exposition") else 0,
                blocking=[f"{did}.q1"] if COMPLETE_SCORES[did] < 50 else [],
            )
        )
    did, fr, en = DOMAINS[10]
    domains.append(_domain(did, fr, en, None, 2, applicable=False, answered=0, applicable_q=0))
    checks = [
        _check("dns.spf", "pass", evidence={"record": "v=spf1 mx include:_spf.example -all"}),
        _check(
            "dns.dmarc",
            "warn",
            evidence={"record": "v=DMARC1; p=none; rua=mailto:d@x.example", "policy": "none"},
        ),
        _check("dns.dkim", "not_tested"),
        _check("dns.dnssec", "fail", evidence={"ds": [], "dnskey": False}),
        _check(
            "web.https",
            "pass",
            target="www.saint-exupery.example",
            evidence={"status": 301, "location": "https://www.saint-exupery.example/"},
        ),
        _check(
            "web.hsts",
            "fail",
            target="www.saint-exupery.example",
            evidence={"headers": {"server": "nginx/1.18.0", "content-type": "text/html"}},
        ),
        _check("web.security_txt", "not_applicable", target="www.saint-exupery.example"),
        _check(
            "web.cert",
            "warn",
            target="www.saint-exupery.example",
            evidence={"not_after": "2026-12-01T00:00:00Z", "days_left": 8},
        ),
    ]
    findings = [
        _finding(
            1,
            "sauvegardes",
            critical=True,
            severity="critical",
            priority=100,
            effort="project",
            title=T("Pas de copie de sauvegarde hors ligne", "No offline backup copy"),
            action=T(
                "Mettre en place une copie hors ligne des données vitales et tester "
                "une restauration.",
                "Set up an offline copy of vital data and test a restore.",
            ),
            explanation=Explanation(
                kind="planned", text="Budget voté pour 2027.", date="2027-03-31"
            ),
        ),
        _finding(
            2,
            "acces",
            critical=True,
            severity="critical",
            priority=90,
            who="it",
            title=T(
                "Double authentification absente sur la messagerie",
                "No multi-factor authentication on webmail",
            ),
        ),
        _finding(
            3,
            "incidents",
            severity="high",
            priority=60,
            effort="project",
            who="elected",
            title=T("Pas de fiche réflexe en cas d'incident", "No incident reflex sheet"),
        ),
        _finding(
            4,
            "incidents",
            severity="high",
            priority=60,
            effort="quick_win",
            who="management",
            title=T(
                "Contacts d'urgence inconnus du secrétariat",
                "Emergency contacts unknown to the secretariat",
            ),
        ),
        _finding(
            5,
            "sensibilisation",
            severity="medium",
            priority=40,
            kind="unknown",
            who="staff",
            title=T(
                "Savoir si les agents ont été sensibilisés à l'hameçonnage",
                "Find out whether staff were trained on phishing",
            ),
        ),
        _finding(
            6,
            "messagerie",
            severity="medium",
            priority=35,
            kind="check",
            source="check",
            ref="dns.dmarc",
            target="saint-exupery.example",
            title=T("DMARC en mode « none »", "DMARC policy is 'none'"),
            explanation=Explanation(
                kind="accepted_risk", text="Passage en quarantaine après la migration."
            ),
        ),
        _finding(
            7,
            "exposition",
            severity="medium",
            priority=30,
            kind="check",
            source="check",
            ref="web.hsts",
            target="www.saint-exupery.example",
            title=T("HSTS absent", "HSTS missing"),
        ),
        _finding(
            8,
            "postes",
            severity="low",
            priority=20,
            kind="delegated",
            title=T(
                "Demander au prestataire la preuve des mises à jour",
                "Ask the provider for proof of updates",
            ),
        ),
    ]
    findings += [
        _finding(i, DOMAINS[i % 10][0], severity="low", priority=10 - i / 10) for i in range(9, 22)
    ]
    return _diagnostic(
        created_at=datetime(2026, 11, 22, 10, 30, tzinfo=UTC),
        profile=_profile(),
        tier=3,
        answers=answers,
        checks=checks,
        domains=domains,
        score=COMPLETE_OVERALL,
        uncapped_level=1,
        caps=[BACKUP_CAP],
        target_level=3,
        findings=findings,
        csf={"GV": 55.0, "ID": 50.0, "PR": 45.5, "DE": 30.0, "RS": 25.0, "RC": 20.0},
        nis2=Nis2Status(
            entity="important",
            estimated=True,
            obligations=[
                T("S'enregistrer auprès de l'ANSSI", "Register with ANSSI"),
                T(
                    "Déclarer les incidents importants (24 h, 72 h, un mois)",
                    "Report significant incidents (24 h, 72 h, one month)",
                ),
            ],
        ),
    )


def sparse() -> Diagnostic:
    answers = [
        _answer("gouvernance.q1", "gouvernance", 1, 2),
        _answer("sauvegardes.q1", "sauvegardes", 1, 3, critical=True),
        _answer("acces.q1", "acces", 1, None),
    ]
    domains = []
    for did, fr, en in DOMAINS[:10]:
        score = {"gouvernance": 0.0, "sauvegardes": 0.0}.get(did)
        domains.append(
            _domain(did, fr, en, score, 2, answered=1 if score is not None else 0, applicable_q=3)
        )
    findings = [
        _finding(
            1,
            "sauvegardes",
            critical=True,
            kind="unknown",
            severity="critical",
            priority=100,
            title=T(
                "Savoir s'il existe une sauvegarde hors ligne",
                "Find out whether an offline backup exists",
            ),
        ),
        _finding(
            2,
            "gouvernance",
            severity="high",
            priority=50,
            who="elected",
            title=T(
                "Désigner un élu référent cybersécurité",
                "Appoint an elected cybersecurity referent",
            ),
        ),
    ]
    return _diagnostic(
        created_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        profile=_profile(
            "Petit-Village", population=480, agents=3, it_staff=False, it_provider=None
        ),
        tier=1,
        answers=answers,
        domains=domains,
        score=None,
        uncapped_level=0,
        caps=[BACKUP_CAP],
        target_level=2,
        findings=findings,
        nis2=Nis2Status(entity="none", estimated=True, obligations=[]),
    )


def hostile_texts(url: str) -> list[str]:
    """Free texts a user (or a DNS record) could carry, all meant to be printed as text."""
    return [
        f'<img src="{url}/img.png"> commentaire',
        f'<link rel="stylesheet" href="{url}/x.css"><style>@import "{url}/y.css";</style>',
        '<iframe src="file:///etc/passwd"></iframe> file:///etc/passwd',
        f"<script>fetch('{url}/js')</script>{{{{ 7*7 }}}}{{% raw %}}",
        f'<object data="{url}/obj"></object><svg><image href="{url}/svg.png"/></svg>',
        f'<div style="background:url({url}/bg.png)">&amp; « ok » ; fin !</div>',
    ]


def extreme(url: str = "http://127.0.0.1:9") -> Diagnostic:
    hostile = hostile_texts(url)
    long_comment = ("Commentaire très long <b>non gras</b> " * 20)[:500]
    answers: list[AnsweredItem] = []
    domains: list[DomainScore] = []
    for k, (did, fr, en) in enumerate(DOMAINS):
        for n in range(1, 9):
            comment = hostile[(k + n) % len(hostile)] if n % 2 else long_comment
            expl = (
                Explanation(
                    kind="compensating_measure", text=hostile[n % len(hostile)], date="2027-01-01"
                )
                if n == 3
                else None
            )
            answers.append(
                _answer(f"{did}.q{n}", did, n, (k * n) % 6, comment, expl, critical=n == 1)
            )
        domains.append(
            _domain(
                did,
                fr + " <b>",
                en + " <b>",
                5.0 * k,
                3,
                answered=8,
                applicable_q=8,
                checks=6,
                blocking=[f"{did}.q1", f"{did}.q2", "unknown.check"],
            )
        )
    huge = "A" * 30000
    checks = [
        _check(
            f"{['dns', 'web', 'mail', 'scan'][i % 4]}.check_{i}",
            "fail",
            target=f"host{i}.example",
            evidence={
                "record": hostile[i % len(hostile)],
                "blob": huge,
                "headers": {f"x-h{j}": f"<b>{j}</b>" for j in range(60)},
                "nested": {"list": list(range(200))},
            },
            message=T(
                f"Échec {i} : {hostile[i % len(hostile)]}",
                f"Failure {i}: {hostile[i % len(hostile)]}",
            ),
        )
        for i in range(24)
    ]
    findings = [
        _finding(
            i,
            DOMAINS[i % 11][0],
            critical=i < 12,
            severity="critical" if i < 12 else "high",
            priority=100 - i // 3,
            effort="project" if i % 2 else "quick_win",
            who=["elected", "management", "staff", "it"][i % 4],
            title=T(f"Constat {i} {hostile[i % len(hostile)]}"),
            action=T(long_comment),
            explanation=Explanation(kind="accepted_risk", text=hostile[i % len(hostile)])
            if i % 5 == 0
            else None,
            target=hostile[i % len(hostile)] if i % 7 == 0 else None,
        )
        for i in range(1, 61)
    ]
    return _diagnostic(
        created_at=datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
        questionnaire="complet<script>",
        profile=_profile(
            '<script>alert("x")</script> & Cie « Saint-Ü » ' + "N" * 80,
            population=1_234_567,
            has_ot=True,
            it_provider=hostile[0],
        ),
        tier=4,
        answers=answers,
        checks=checks,
        domains=domains,
        score=3.25,
        uncapped_level=2,
        caps=[
            Cap(
                item=f"c{i}",
                label=T(hostile[i % len(hostile)]),
                level=0,
                source="check",
                ref=f"dns.check_{i}",
            )
            for i in range(3)
        ],
        target_level=4,
        findings=findings,
        csf={"GV": 1.0, "ID": 2.0, "PR": 3.0, "DE": 0.0, "RS": 0.0, "RC": 0.0},
        nis2=Nis2Status(entity="essential", estimated=False, obligations=[T(hostile[2])]),
    )


def from_example(tmp: Path) -> Diagnostic:
    """The shipped example municipality scored through the real pipeline (grid, questionnaire,
    scoring), as `cyberdiag score` does; written to tmp/diagnostic.json."""
    from cyberdiag.journey.files import score_files
    from cyberdiag.resources import data_dir

    example = data_dir("examples") / "ville-exemple"
    return score_files(
        example / "municipality.yaml", example / "answers.yaml", [], tmp / "diagnostic.json"
    )
