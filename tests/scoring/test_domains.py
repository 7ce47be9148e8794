"""Caps and their causes on the hand-computed mini grid (tests/core_fixtures.py).

The mini grid plus two critical items: b.mfa (options oui 4, partiel 2, non 0, je ne sais pas,
n/a, prestataire = delegated 2) and the check mail.spf. Tier 2 (target 2); domain a (weight 2):
a.backup (weight 3, critical), a.doc (weight 1, level 3), check mail.spf (weight 2); domain b
(weight 1): b.mfa (weight 2). Levels at 0/40/60/80/92. Every expectation is computed by hand in
the comment of its row.
"""

from __future__ import annotations

import copy

import pytest
from core_fixtures import CATALOGUE, GRID, NOW, T, answers, check, profile, questionnaire

from cyberdiag.models import AnswerFile, CheckResult, Diagnostic, Grid
from cyberdiag.scoring import score

GRID_CAPS = copy.deepcopy(GRID)
GRID_CAPS["critical"] += [
    {"id": "crit-mfa", "label": T("pas de MFA"), "question": "b.mfa"},
    {"id": "crit-spf", "label": T("SPF absent"), "check": "mail.spf"},
]


def run(ans: AnswerFile, checks: list[CheckResult] | None = None) -> Diagnostic:
    return score(
        grid=Grid.model_validate(GRID_CAPS),
        questionnaire=questionnaire(),
        profile=profile(),
        answers=ans,
        checks=checks or [],
        catalogue=CATALOGUE,
        tool_version="test",
        created_at=NOW,
    )


def confirmed(ans: AnswerFile, qid: str) -> AnswerFile:
    """`ans` with the answer to `qid` given by the IT provider (`cyberdiag provider merge`)."""
    a = ans.answers[qid].model_copy(
        update={"source": "provider", "confirmed_by": "Info Nord", "confirmed_on": NOW.date()}
    )
    return ans.model_copy(update={"answers": {**ans.answers, qid: a}})


SPF_WARN = [check("mail.spf", "x.test", "warn")]
SPF_FAIL = [check("mail.spf", "x.test", "fail")]

# (answers, checks, uncapped level, level, [(cap item, cap level, cause)])
TABLE = [
    pytest.param(
        # a = b = 100 → 4; overall 100 → 4; weakest 4 → 4. Nothing caps.
        answers(a_backup="oui", a_doc="oui", b_mfa="oui"), None, 4, 4, [],
        id="everything-in-place",
    ),
    pytest.param(
        # a = (3*0 + 1*100)/4 = 25 → 0; b = 100; overall (2*25 + 100)/3 = 50 → 1, weakest 0 → 1.
        # « je ne sais pas » on the backup: cap 0, unknown.
        answers(a_backup="nsp", a_doc="oui", b_mfa="oui"), None, 1, 0,
        [("crit-backup", 0, "unknown")],
        id="dont-know",
    ),
    pytest.param(
        # a = 25 → 0; b = 2/4 = 50 → 1; overall (2*25 + 50)/3 = 33.3 → 0: the score alone gives
        # 0. The backup « non » (cap 0, gap) still holds it there and is named; the delegated MFA
        # (partial, cap 1) is above the level and does not apply.
        answers(a_backup="non", a_doc="oui", b_mfa="prest"), None, 0, 0,
        [("crit-backup", 0, "gap")],
        id="score-alone-gives-0",
    ),
    pytest.param(
        # a = (300 + 100 + 2*50)/6 = 83.3 → 3 (a warning does not block level 2); b = 50 → 1;
        # overall (2*83.3 + 50)/3 = 72.2 → 2, weakest 1 → 2. Delegated MFA partial: cap 1,
        # unknown; SPF warns: cap 1, gap.
        answers(a_backup="oui", a_doc="oui", b_mfa="prest"), SPF_WARN, 2, 1,
        [("crit-mfa", 1, "unknown"), ("crit-spf", 1, "gap")],
        id="delegated-and-check-warn",
    ),
    pytest.param(
        # The same, the provider confirming « oui » for the MFA: b = 100 → 4; overall
        # (2*83.3 + 100)/3 = 88.9 → 3, weakest 3 → 3. Only the SPF warning caps, at 1.
        confirmed(answers(a_backup="oui", a_doc="oui", b_mfa="oui"), "b.mfa"), SPF_WARN, 3, 1,
        [("crit-spf", 1, "gap")],
        id="provider-confirmed-yes",
    ),
    pytest.param(
        # The provider confirms « non »: now a known gap. a = 100 → 4; b = 0 → 0; overall
        # 200/3 = 66.7 → 2, weakest 0 → 1. MFA missing: cap 0, gap.
        confirmed(answers(a_backup="oui", a_doc="oui", b_mfa="non"), "b.mfa"), None, 1, 0,
        [("crit-mfa", 0, "gap")],
        id="provider-confirmed-no",
    ),
    pytest.param(
        # The delegated MFA confirmed by the provider is no longer « to confirm »: partial,
        # cap 1, gap. a = 100 → 4; b = 50 → 1; overall 250/3 = 83.3 → 3, weakest 1 → 2.
        confirmed(answers(a_backup="oui", a_doc="oui", b_mfa="prest"), "b.mfa"), None, 2, 1,
        [("crit-mfa", 1, "gap")],
        id="delegated-confirmed",
    ),
    pytest.param(
        # MFA unanswered: b has no score (left out); a = (300 + 100 + 0)/6 = 66.7, level 1 (an
        # important check fails: no level 2); overall 66.7 → 2, weakest 1 → 2. Unanswered MFA:
        # cap 0, unknown; SPF fails: cap 0, gap.
        answers(a_backup="oui", a_doc="oui"), SPF_FAIL, 2, 0,
        [("crit-mfa", 0, "unknown"), ("crit-spf", 0, "gap")],
        id="unanswered-and-check-fail",
    ),
    pytest.param(
        # MFA not applicable: no cap. a = (3*50 + 100)/4 = 62.5 → 1 (backup partial blocks 2);
        # b no score; overall 62.5 → 2, weakest 1 → 2. Backup partial: cap 1, gap.
        answers(a_backup="partiel", a_doc="oui", b_mfa="na"), None, 2, 1,
        [("crit-backup", 1, "gap")],
        id="not-applicable-and-partial",
    ),
    pytest.param(
        # Everything missing: a = 0, b = 0 → overall 0 → 0. Three caps at 0, all named.
        answers(a_backup="non", a_doc="non", b_mfa="nsp"), SPF_FAIL, 0, 0,
        [("crit-backup", 0, "gap"), ("crit-mfa", 0, "unknown"), ("crit-spf", 0, "gap")],
        id="everything-missing",
    ),
]


@pytest.mark.parametrize(("ans", "checks", "uncapped", "level", "caps"), TABLE)
def test_caps_and_their_causes(
    ans: AnswerFile,
    checks: list[CheckResult] | None,
    uncapped: int,
    level: int,
    caps: list[tuple[str, int, str]],
) -> None:
    d = run(ans, checks)
    assert d.overall.uncapped_level == uncapped
    assert d.overall.level == level
    assert [(c.item, c.level, c.cause) for c in d.overall.capped_by] == caps


def test_a_cap_above_the_uncapped_level_is_not_listed_but_one_equal_to_it_is() -> None:
    # score-alone-gives-0: before causes were recorded, capped_by was empty here.
    d = run(answers(a_backup="non", a_doc="oui", b_mfa="prest"))
    assert d.overall.uncapped_level == 0
    assert {c.item for c in d.overall.capped_by} == {"crit-backup"}


def test_the_provider_loop_answers_file_counts_like_the_communes_own() -> None:
    own = run(answers(a_backup="oui", a_doc="oui", b_mfa="oui"), SPF_WARN)
    prov = run(confirmed(answers(a_backup="oui", a_doc="oui", b_mfa="oui"), "b.mfa"), SPF_WARN)
    assert own.overall == prov.overall

