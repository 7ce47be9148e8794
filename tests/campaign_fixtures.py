"""A territory's campaign for the end-to-end tests: diagnostics with the pooling answers.

Built on territory_fixtures.make_diagnostic (seeded, self-contained scoring), with what the
campaign view reads besides scores: the unscored answers of the `mutualisation` domain (who runs
the IT, services already shared, group offer, training needs, with the questionnaire's option ids
and labels), the profile's IT provider (typed in several ways), and a few diagnostics older than
18 months. Also check-all's runner for the campaign (no network: results chosen here, recorded by
the real check-all orchestration).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import diag_factory as df
from territory_fixtures import Muni, make_diagnostic, municipalities

from cyberdiag.models import AnsweredItem, CheckResult, Diagnostic, Text

T = df.T
YES_NO = [("oui", T("Oui", "Yes")), ("non", T("Non", "No"))]
DONT_KNOW = ("je_ne_sais_pas", T("Je ne sais pas", "I don't know"))
NEEDS = [
    ("prioritaire", T("Oui, en priorité cette année", "Yes, as a priority this year")),
    ("plus_tard", T("Oui, sans urgence", "Yes, not urgently")),
    ("non", T("Non, ils sont déjà formés", "No, they are already trained")),
]
# (question id, question, options): the questionnaire's pooling questions.
POOLING: list[tuple[str, Text, list[tuple[str, Text]]]] = [
    ("mut.it_operator", T("Qui s'occupe principalement de l'informatique de la mairie ?",
                          "Who mainly looks after the town hall's IT?"),
     [("agents", T("Des agents de la commune", "Municipal staff")),
      ("intercommunalite", T("Le service informatique de l'intercommunalité ou de la métropole",
                             "The IT department of the intercommunality or metropolis")),
      ("syndicat", T("Un syndicat ou un organisme public partagé", "A shared public body")),
      ("prestataire_prive", T("Une entreprise privée (prestataire informatique)",
                              "A private company (IT provider)")),
      ("personne", T("Personne en particulier", "Nobody in particular"))]),
    ("mut.shared_dpo", T("DPO partagé déjà utilisé ?", "Shared DPO already used?"), YES_NO),
    ("mut.shared_backup", T("Sauvegarde partagée déjà utilisée ?", "Shared backup already used?"),
     YES_NO),
    ("mut.shared_training", T("Sensibilisation partagée déjà suivie ?",
                              "Shared awareness sessions already attended?"), YES_NO),
    ("mut.group_offer", T("Rejoindre une offre groupée ?", "Join a group offer?"),
     [("oui", T("Oui", "Yes")),
      ("selon_cout", T("Peut-être, selon le coût et le contenu", "Perhaps, depending on the cost")),
      ("deja", T("La commune adhère déjà à une offre de ce type", "Already a member")),
      ("non", T("Non", "No"))]),
    ("mut.training_elected", T("Besoin de formation des élus ?", "Training need: elected?"), NEEDS),
    ("mut.training_agents", T("Besoin de formation des agents ?", "Training need: staff?"), NEEDS),
]  # fmt: skip
# Providers as the profiles typed them: the first two in several spellings.
PROVIDERS = [
    "Infogérance du Nord",
    "infogérance du nord.",
    "INFOGÉRANCE  DU NORD",
    "Syndicat Numérique 59",
    "syndicat numérique 59",
    "Dépann'PC Lesquin",
    None,
    None,
]
RARE_PROVIDER = "Micro-Services Vandamme"


def pooling_answers(rng: random.Random) -> list[AnsweredItem]:
    """One commune's answers to the pooling questions (about 5 % « je ne sais pas »)."""
    out = []
    for qid, question, options in POOLING:
        option, label = DONT_KNOW if rng.random() < 0.05 else rng.choice(options)
        out.append(
            df.answered_item(
                qid,
                "mutualisation",
                question,
                applicable=True,
                weight=1,
                critical=False,
                level=1,
                option=option,
                option_label=label,
                kind="dont_know" if option == DONT_KNOW[0] else "answer",
                score=0,
            )
        )
    return out


def campaign_diagnostic(
    m: Muni, rng: random.Random, *, created_at: datetime | None = None, quality: float | None = None
) -> Diagnostic:
    """make_diagnostic's diagnostic of `m`, with pooling answers and an IT provider."""
    d = make_diagnostic(m, rng, created_at=created_at, quality=quality)
    profile = d.profile.model_copy(update={"it_provider": rng.choice(PROVIDERS)})
    return d.model_copy(update={"answers": [*d.answers, *pooling_answers(rng)], "profile": profile})


def campaign_munis(n: int = 90) -> list[Muni]:
    """The campaign's municipalities (distinctive names, INSEE codes 59001…)."""
    return municipalities(n, seed=15)


def days_ago(days: float) -> datetime:
    """A date `days` days before now (diagnostic dates are relative: a test never ages)."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=days)


def write_campaign(
    folder: Path,
    munis: list[Muni],
    *,
    seed: int = 9,
    old: int = 3,
    age_days: float = 40,
    quality: float | None = None,
) -> list[Path]:
    """One diagnostic-<insee>.json per municipality in `folder`, made about `age_days` days
    ago; the first `old` are dated 600 days ago (more than 18 months); the 6th and 7th have
    RARE_PROVIDER as their IT provider."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, m in enumerate(munis):
        created = days_ago(600 if i < old else age_days + rng.uniform(0, 20))
        d = campaign_diagnostic(m, rng, created_at=created, quality=quality)
        if i in (5, 6):  # a provider of two municipalities only
            d = d.model_copy(
                update={"profile": d.profile.model_copy(update={"it_provider": RARE_PROVIDER})}
            )
        p = folder / f"diagnostic-{m.insee}.json"
        p.write_text(d.model_dump_json(indent=1), encoding="utf-8")
        paths.append(p)
    return paths


def write_roster(path: Path, munis: list[Muni]) -> Path:
    """municipalities.csv of `munis` (one domain each, commune-<insee>.test)."""
    lines = ["insee;nom;domaines;habitants"]
    lines += [f"{m.insee};{m.name};commune-{m.insee}.test;{m.population}" for m in munis]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class CheckRunner:
    """check-all's runner for the campaign, without network: DMARC fails for the communes
    whose INSEE code is even, HSTS warns for one commune in three, the rest passes."""

    def __call__(self, domains: list[str], **kw: Any) -> list[CheckResult]:
        out = []
        for d in domains:
            n = int(d.split("-")[1].split(".")[0])
            for cid, status in (
                ("mail.dmarc", "fail" if n % 2 == 0 else "pass"),
                ("web.hsts", "warn" if n % 3 == 0 else "pass"),
                ("mail.spf", "pass"),
            ):
                out.append(CheckResult(id=cid, target=d, status=status,
                                       message=Text(fr="x", en="x")))  # fmt: skip
        return out


def run_checks(roster: Path, store: Path, campaign: str = "2026") -> None:
    """check-all over the roster with CheckRunner (the real orchestration, no network)."""
    from cyberdiag.territory.checkall import run_check_all

    run_check_all(
        roster,
        nameservers=["127.0.0.1:5353"],
        campaign=campaign,
        store_path=store,
        concurrency=2,
        rate=1000.0,
        run_checks=CheckRunner(),
        say=lambda _: None,
    )


def build_store(tmp: Path, n: int = 40, *, previous: int = 30, checks: bool = True) -> Path:
    """A store with campaign 2025 (the first `previous` municipalities, made 700 days ago) and
    campaign 2026 (all `n`, three of them more than 18 months old), check-all run on 2026."""
    from cyberdiag.cli import main

    munis = campaign_munis(n)
    store = tmp / "t.sqlite"
    if previous:
        write_campaign(tmp / "2025", munis[:previous], seed=3, old=0, age_days=700)
        assert main(["territory", "import", str(tmp / "2025"), "--campaign", "2025",
                     "--store", str(store)]) == 0  # fmt: skip
    write_campaign(tmp / "2026", munis, seed=9)
    assert main(["territory", "import", str(tmp / "2026"), "--campaign", "2026",
                 "--store", str(store)]) == 0  # fmt: skip
    if checks:
        run_checks(write_roster(tmp / "communes.csv", munis), store)
    return store


def read_campaign(folder: Path) -> list[Diagnostic]:
    """The diagnostics written in `folder` (to compute expected figures independently)."""
    return [Diagnostic.model_validate_json(p.read_text(encoding="utf-8"))
            for p in sorted(folder.glob("diagnostic-*.json"))]  # fmt: skip
