"""Scoring on a hand-computed grid (tests/core_fixtures.py): caps, tiers, "don't know", N/A."""

from __future__ import annotations

from core_fixtures import CATALOGUE, NOW, answers, check, grid, profile, questionnaire

from cyberdiag.models import Diagnostic
from cyberdiag.scoring import score


def run(ans, checks=(), prof=None) -> Diagnostic:  # type: ignore[no-untyped-def]
    return score(
        grid=grid(),
        questionnaire=questionnaire(),
        profile=prof or profile(),
        answers=ans,
        checks=list(checks),
        catalogue=CATALOGUE,
        tool_version="test",
        created_at=NOW,
    )


def dom(d: Diagnostic, did: str):  # type: ignore[no-untyped-def]
    return next(x for x in d.domains if x.id == did)


def test_everything_in_place_but_documentation() -> None:
    d = run(answers(a_backup="oui", a_doc="non", b_mfa="oui"))
    a, b, ot = dom(d, "a"), dom(d, "b"), dom(d, "ot")
    # a: (3*100 + 1*0) / 4
    assert a.score == 75.0
    assert a.level == 2 and a.blocking == ["a.doc"]
    assert b.score == 100.0 and b.level == 4
    # b.t3only does not apply to tier 2
    assert b.coverage.questions_applicable == 1
    assert ot.applicable is False and ot.score is None
    # overall: (2*75 + 1*100) / 3 = 83.3 -> threshold level 3, weakest domain 2 -> 3
    assert d.overall.score == 83.3
    assert d.overall.level == 3 and d.overall.capped_by == []
    assert d.tier == 2 and d.overall.target_level == 2 and d.overall.gap == 0
    assert [f.id for f in d.findings] == ["a.doc"]
    assert d.findings[0].severity == "low" and d.findings[0].priority == 1.0


def test_partial_critical_item_caps_and_is_named() -> None:
    d = run(answers(a_backup="partiel", a_doc="oui", b_mfa="oui"))
    a = dom(d, "a")
    # (3*50 + 1*100) / 4 = 62.5; level 2 blocked by the partial backup
    assert a.score == 62.5 and a.level == 1 and a.blocking == ["a.backup"]
    # overall (2*62.5 + 100) / 3 = 75.0 -> 2 by threshold; weakest 1 -> 2; cap partial -> 1
    assert d.overall.score == 75.0
    assert d.overall.uncapped_level == 2
    assert d.overall.level == 1
    assert [(c.item, c.level, c.ref) for c in d.overall.capped_by] == [
        ("crit-backup", 1, "a.backup")
    ]
    assert d.overall.capped_by[0].label.fr == "pas de sauvegarde (fr)"
    f = d.findings[0]
    assert (f.id, f.severity, f.critical, f.kind, f.priority) == (
        "a.backup", "critical", True, "gap", 6.0
    )


def test_dont_know_scores_low_and_not_applicable_is_excluded() -> None:
    ans = answers(a_backup="nsp", a_doc="oui", b_mfa="na")
    d = run(ans)
    a, b = dom(d, "a"), dom(d, "b")
    assert a.score == 25.0 and a.level == 0 and a.blocking == ["a.backup"]
    # everything in b is not applicable: no score, excluded from the overall score
    assert b.score is None
    assert b.coverage.questions_not_applicable == 1 and b.coverage.questions_applicable == 0
    assert d.overall.score == 25.0 and d.overall.level == 0
    f = d.findings[0]
    assert f.kind == "unknown" and f.critical
    assert f.recommendation.action.fr.startswith("Se renseigner : question a.backup ? (fr) Si ce")


def test_unanswered_critical_item_caps_at_missing() -> None:
    d = run(answers(a_doc="oui", b_mfa="oui"))
    # a: only a.doc answered -> 100, but level 1 is blocked by the unanswered backup question
    assert dom(d, "a").score == 100.0 and dom(d, "a").level == 0
    # overall (2*100 + 100)/3 = 100 -> 4, weakest domain 0 -> 1; unanswered critical -> cap 0
    assert d.overall.uncapped_level == 1 and d.overall.level == 0
    assert d.overall.capped_by[0].level == 0
    assert dom(d, "a").coverage.questions_answered == 1


def test_delegated_asks_for_proof() -> None:
    d = run(answers(a_backup="oui", a_doc="oui", b_mfa="prest"))
    b = dom(d, "b")
    assert b.score == 50.0 and b.level == 1
    f = next(f for f in d.findings if f.ref == "b.mfa")
    assert f.kind == "delegated" and f.recommendation.who == "management"
    assert f.recommendation.action.en.startswith("Ask the IT provider to show")


def test_checks_feed_their_domain_and_not_tested_is_only_counted() -> None:
    checks = [
        check("mail.spf", "x.test", "fail"),
        check("mail.spf", "y.test", "pass"),
        check("mail.spf", "z.test", "not_tested"),
    ]
    d = run(answers(a_backup="oui", a_doc="oui", b_mfa="oui"), checks)
    a = dom(d, "a")
    # (3*100 + 1*100 + 2*mean(0, 100)) / 6 = 500 / 6
    assert a.score == 83.3
    assert a.coverage.checks_tested == 2 and a.coverage.checks_not_tested == 1
    # an important check failing blocks level 2
    assert a.level == 1 and a.blocking == ["mail.spf"]
    f = d.findings[0]
    assert (f.id, f.severity, f.priority, f.kind) == ("mail.spf@x.test", "high", 6.0, "check")


def test_only_not_tested_checks_do_not_change_the_score() -> None:
    base = run(answers(a_backup="oui", a_doc="oui", b_mfa="oui"))
    nt = run(
        answers(a_backup="oui", a_doc="oui", b_mfa="oui"),
        [check("mail.spf", "x.test", "not_tested")],
    )
    assert dom(base, "a").score == dom(nt, "a").score == 100.0
    assert nt.findings == base.findings == []


def test_conditional_domain_applies_with_profile_flag() -> None:
    d = run(answers(a_backup="oui", a_doc="oui", b_mfa="oui", ot_cam="non"),
            prof=profile(has_ot=True))
    ot = dom(d, "ot")
    assert ot.applicable and ot.score == 0.0 and ot.level == 0
    # overall: (2*100 + 100 + 1*0) / 4 = 75; weakest domain is 0 -> 1
    assert d.overall.score == 75.0 and d.overall.level == 1


def test_quick_wins_first_among_equals() -> None:
    q = questionnaire()
    # make a.doc a project and b.mfa a quick win with the same priority
    from core_fixtures import QUESTIONNAIRE

    data = dict(QUESTIONNAIRE)
    qs = [dict(x) for x in data["questions"]]
    for x in qs:
        if x["id"] == "a.doc":
            x["recommendation"] = {**x["recommendation"], "effort": "project"}
            x["weight"] = 2
    data["questions"] = qs
    q = type(q).model_validate(data)
    d = score(
        grid=grid(), questionnaire=q, profile=profile(),
        answers=answers(a_backup="oui", a_doc="non", b_mfa="non"),
        checks=[], catalogue=CATALOGUE, tool_version="t", created_at=NOW,
    )
    assert [(f.id, f.priority) for f in d.findings] == [("b.mfa", 4.0), ("a.doc", 4.0)]
    assert [f.rank for f in d.findings] == [1, 2]


def test_unscored_questions_are_recorded_and_count_for_nothing() -> None:
    import copy

    from core_fixtures import GRID, QUESTIONNAIRE, T

    from cyberdiag.models import Answer, Grid, Questionnaire

    g, q = copy.deepcopy(GRID), copy.deepcopy(QUESTIONNAIRE)
    g["domains"].append(
        {"id": "mut", "name": T("Mutualisation"), "description": T("m"), "scored": False}
    )
    plain = [
        {"id": "oui", "label": T("oui")},
        {"id": "non", "label": T("non")},
        {"id": "nsp", "label": T("je ne sais pas"), "kind": "dont_know"},
    ]
    for qid, domain in (("mut.shared", "mut"), ("b.training_need", "b")):
        q["questions"].append(
            {
                "id": qid,
                "domain": domain,
                "scored": False,
                "text": T(qid),
                "why": T("pourquoi"),
                "options": plain,
                "recommendation": {"action": T("faire"), "effort": "quick_win", "who": "it"},
            }
        )
    ans = answers(a_backup="oui", a_doc="non", b_mfa="oui")
    extra = {"mut.shared": Answer(option="nsp"), "b.training_need": Answer(option="non")}
    ans = ans.model_copy(update={"answers": {**ans.answers, **extra}})
    d = score(
        grid=Grid.model_validate(g),
        questionnaire=Questionnaire.model_validate(q),
        profile=profile(),
        answers=ans,
        checks=[],
        catalogue=CATALOGUE,
        tool_version="test",
        created_at=NOW,
    )
    # Exactly as in test_everything_in_place_but_documentation.
    assert [x.id for x in d.domains] == ["a", "b", "ot"]
    assert dom(d, "b").coverage.questions_applicable == 1 and dom(d, "b").score == 100.0
    assert d.overall.score == 83.3 and d.overall.level == 3
    assert [f.id for f in d.findings] == ["a.doc"]
    # Recorded for the territory, marked unscored.
    recorded = {a.question_id: a for a in d.answers}
    assert recorded["mut.shared"].scored is False and recorded["mut.shared"].kind == "dont_know"
    assert recorded["b.training_need"].option == "non" and recorded["b.training_need"].applicable
    assert recorded["a.backup"].scored is True
