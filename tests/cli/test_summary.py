"""The summary `cyberdiag score` prints: the level with what caps it, counted by cause.

Real files (a strate-1 profile, an answers file of the shipped questionnaire) scored by the
shipped grid through the command line. The critical items are taken from the grid itself (those
asked to every strate-1 commune), so the expected counts follow from the answers chosen here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cyberdiag.cli import main
from cyberdiag.loading import load_grid, load_questionnaire
from cyberdiag.models import CriticalItem, Question

PROFILE = {
    "name": "Petiteville",
    "insee": "59998",
    "population": 800,
    "agents": 4,
    "it_staff": False,
    "it_provider": "Info Nord",
    "domains": ["petiteville.test"],
    "has_website": True,
}


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CYBERDIAG_LANG", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)


def _tier1_critical() -> list[tuple[CriticalItem, Question]]:
    """Critical items set by a question asked to every strate-1 commune (no profile flag)."""
    questions = {q.id: q for q in load_questionnaire("complet").questions}
    domains = {d.id: d for d in load_grid().domains}
    out = []
    for c in load_grid().critical:
        q = questions.get(c.question or "")
        if q is None or c.min_tier > 1 or 1 not in q.applies.tiers or q.applies.requires:
            continue
        if domains[q.domain].condition is None:
            out.append((c, q))
    return out


def _option(q: Question, kind: str, lowest: bool = False) -> str | None:
    """The id of q's option of `kind` (for "answer": the top one, or the lowest)."""
    opts = [o for o in q.options if o.kind == kind]
    if not opts:
        return None
    return (min if lowest else max)(opts, key=lambda o: o.score or 0).id


def _pick(q: Question, kind: str, lowest: bool = False) -> str:
    option = _option(q, kind, lowest)
    assert option is not None
    return option


def _score(answers: dict[str, str], lang: str = "fr") -> dict[str, Any]:
    """`cyberdiag score` on municipality.yaml and answers.yaml written here; the record."""
    qn = load_questionnaire("complet")
    Path("municipality.yaml").write_text(yaml.safe_dump(PROFILE), encoding="utf-8")
    Path("answers.yaml").write_text(
        yaml.safe_dump(
            {
                "questionnaire": qn.id,
                "questionnaire_version": qn.version,
                "answers": {k: {"option": v} for k, v in answers.items()},
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    assert main(["score", "--lang", lang]) == 0
    record: dict[str, Any] = json.loads(Path("diagnostic.json").read_text(encoding="utf-8"))
    return record


def _top_everywhere() -> dict[str, str]:
    out = {}
    for q in load_questionnaire("complet").questions:
        top = _option(q, "answer")
        if top is not None:
            out[q.id] = top
    return out


def flat(text: str) -> str:
    """The terminal's output with its line wrapping undone."""
    return " ".join(text.split())


def test_gaps_and_answers_to_confirm_are_counted_apart(
    capsys: pytest.CaptureFixture[str],
) -> None:
    crit = _tier1_critical()
    gaps = [(c, q) for c, q in crit if c.cap_if_missing == 0][:2]
    rest = [(c, q) for c, q in crit if (c, q) not in gaps and c.cap_if_partial <= 1]
    delegated = [(c, q) for c, q in rest if _option(q, "delegated")][:2]
    dont_know = [(c, q) for c, q in rest if (c, q) not in delegated and _option(q, "dont_know")][:1]
    assert len(gaps) == 2 and len(delegated) == 2 and len(dont_know) == 1, "grid too small"
    answers = _top_everywhere()
    for _, q in gaps:
        answers[q.id] = _pick(q, "answer", lowest=True)
    for _, q in delegated:
        answers[q.id] = _pick(q, "delegated")
    for _, q in dont_know:
        answers[q.id] = _pick(q, "dont_know")
    level0 = next(lv.name for lv in load_grid().levels if lv.id == 0)

    _score(answers)
    out = flat(capsys.readouterr().out)
    assert (
        f"Niveau global 0 — {level0.fr} : 2 mesures critiques manquent, 3 sont à confirmer "
        "auprès du prestataire" in out
    )
    assert "Plafonné par :" in out
    for c, _ in gaps:
        assert f"{flat(c.label.fr)} → niveau 0 ({level0.fr}) — écart constaté" in out
    for c, _ in delegated + dont_know:
        assert flat(c.label.fr) in out
    assert out.count("à confirmer auprès du prestataire") == 1 + 3  # the headline + each cap

    _score(answers, "en")
    out = flat(capsys.readouterr().out)
    assert (
        f"Overall level 0 — {level0.en}: 2 critical measures missing, 3 to be confirmed with "
        "the provider" in out
    )
    assert "Capped by:" in out and out.count("known gap") == 2


def test_capped_by_is_shown_when_the_score_alone_gives_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Everything « non » but the critical items that depend on the profile: the score is 0,
    and every critical item missing that caps at 0 is still named, as a known gap."""
    crit = _tier1_critical()
    mine = {q.id for _, q in crit}
    critical_questions = {c.question for c in load_grid().critical}
    answers = _top_everywhere()
    for q in load_questionnaire("complet").questions:
        if q.id in mine or q.id not in critical_questions:
            low = _option(q, "answer", lowest=True)
            if low is not None:
                answers[q.id] = low
    overall = _score(answers)["overall"]
    assert overall["uncapped_level"] == 0 and overall["level"] == 0
    expected = [c for c, _ in crit if c.cap_if_missing == 0]
    assert [c["item"] for c in overall["capped_by"]] == sorted(c.id for c in expected)
    assert {c["cause"] for c in overall["capped_by"]} == {"gap"}
    out = flat(capsys.readouterr().out)
    assert f": {len(expected)} mesures critiques manquent (score " in out
    assert "Plafonné par :" in out
    for c in expected:
        assert f"{flat(c.label.fr)} → niveau 0" in out


def test_no_cap_no_capped_by(capsys: pytest.CaptureFixture[str]) -> None:
    diag = _score(_top_everywhere())
    out = flat(capsys.readouterr().out)
    assert diag["overall"]["capped_by"] == []
    assert "Plafonné par" not in out and "mesure critique" not in out
