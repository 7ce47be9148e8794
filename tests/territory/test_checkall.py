"""check-all orchestration: checkpoint, resume, errors, politeness.

These tests drive the orchestration with a runner function passed in (no network involved);
tests/territory/test_checkall_lab.py runs the real checks against the lab's servers.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from cyberdiag.errors import UserError
from cyberdiag.models import CheckResult, CheckRun, Text
from cyberdiag.territory.checkall import RateLimiter, run_check_all

ROSTER = """insee;name;domains;population
59001;Alpha-sur-Deûle;alpha.test;1200
59002;Bravo;bravo.test, mairie-bravo.test;800
59003;Charlie;charlie.test;45000
59004;Delta;injoignable.test;3000
59005;Echo;echo.test;15000
59006;Foxtrot;;500
"""


class FakeRunner:
    """Answers like the runner: one result per (check, domain); the dead domain: not_tested."""

    def __init__(self, interrupt_on: str | None = None, crash_on: str | None = None) -> None:
        self.calls: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        self.interrupt_on = interrupt_on
        self.crash_on = crash_on
        self.lock = threading.Lock()

    def __call__(
        self, domains: list[str], *, nameservers: list[str], **kw: Any
    ) -> list[CheckResult]:
        with self.lock:
            self.calls.append((tuple(domains), tuple(nameservers)))
        if self.interrupt_on in domains:
            raise KeyboardInterrupt
        if self.crash_on in domains:
            raise RuntimeError("boom")
        out = []
        for d in domains:
            for cid in ("mail.spf", "mail.dmarc", "web.https"):
                status = (
                    "not_tested"
                    if d == "injoignable.test"
                    else ("fail" if cid == "mail.dmarc" else "pass")
                )
                out.append(
                    CheckResult(id=cid, target=d, status=status, message=Text(fr="x", en="x"))
                )
        return out


def _runs(store: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(store) as c:
        return {
            r[0]: (r[1], r[2])
            for r in c.execute(
                "SELECT insee, finished_at, results_json FROM check_runs WHERE campaign='2026'"
            )
        }


def _go(roster: Path, store: Path, runner: FakeRunner, **kw: Any) -> Any:
    return run_check_all(
        roster,
        nameservers=kw.pop("nameservers", ["127.0.0.1:5353"]),
        campaign="2026",
        store_path=store,
        concurrency=kw.pop("concurrency", 1),
        rate=kw.pop("rate", 1000.0),
        run_checks=runner,
        say=print,
        **kw,
    )


def test_check_all_interrupted_then_resumed(tmp_path: Path) -> None:
    roster = tmp_path / "communes.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    store = tmp_path / "t.sqlite"
    first = FakeRunner(interrupt_on="injoignable.test")
    with pytest.raises(KeyboardInterrupt):
        _go(roster, store, first)
    before = _runs(store)
    # Done before the interruption: kept (59005 may have finished meanwhile: kept too).
    assert {"59001", "59002", "59003"} <= set(before) and "59004" not in before
    stored = CheckRun.model_validate_json(before["59002"][1])
    assert {r.target for r in stored.results} == {"bravo.test", "mairie-bravo.test"}

    second = FakeRunner()
    summary = _go(roster, store, second)
    domains = {"59004": ("injoignable.test",), "59005": ("echo.test",)}
    assert sorted(c[0] for c in second.calls) == sorted(
        d for k, d in domains.items() if k not in before
    )  # nothing redone
    assert summary.skipped_done == len(before) and summary.no_domain == ["59006"]
    assert summary.unreachable == ["59004"]
    after = _runs(store)
    assert set(after) == {"59001", "59002", "59003", "59004", "59005"}
    assert all(after[k] == before[k] for k in before)  # nothing rewritten

    # A third run does nothing; --retry-not-tested redoes only the unreachable one.
    third = FakeRunner()
    assert _go(roster, store, third).done == [] and third.calls == []
    fourth = FakeRunner()
    _go(roster, store, fourth, retry_not_tested=True)
    assert [c[0] for c in fourth.calls] == [("injoignable.test",)]


def test_check_all_crash_of_one_municipality_is_retried_later(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "communes.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    store = tmp_path / "t.sqlite"
    with pytest.raises(UserError, match="1 commune"):
        _go(roster, store, FakeRunner(crash_on="charlie.test"), concurrency=3)
    assert "59003" not in _runs(store) and len(_runs(store)) == 4
    assert "boom" in capsys.readouterr().out
    again = FakeRunner()
    _go(roster, store, again)
    assert [c[0] for c in again.calls] == [("charlie.test",)]


def test_check_all_spreads_municipalities_over_nameservers(tmp_path: Path) -> None:
    roster = tmp_path / "communes.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    runner = FakeRunner()
    _go(roster, tmp_path / "t.sqlite", runner, nameservers=["127.0.0.1:53", "127.0.0.2:53"])
    firsts = [c[1][0] for c in runner.calls]
    assert firsts.count("127.0.0.1:53") == 3 and firsts.count("127.0.0.2:53") == 2
    assert all(len(c[1]) == 2 for c in runner.calls)  # the other one as a fallback


def test_check_all_needs_a_nameserver(tmp_path: Path) -> None:
    roster = tmp_path / "communes.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    with pytest.raises(UserError, match="nameserver"):
        _go(roster, tmp_path / "t.sqlite", FakeRunner(), nameservers=[])
    with pytest.raises(UserError, match="invalide"):
        _go(roster, tmp_path / "t.sqlite", FakeRunner(), nameservers=["dns.example"])


def test_rate_limiter_spaces_starts() -> None:
    lim = RateLimiter(20.0)
    t0 = time.monotonic()
    for _ in range(5):
        lim.acquire(2)  # 10 units at 20/s: the last start is 0.4 s after the first
    assert time.monotonic() - t0 >= 0.39
    fast = RateLimiter(1000.0)
    t0 = time.monotonic()
    for _ in range(5):
        fast.acquire(1)
    assert time.monotonic() - t0 < 0.2


def test_check_all_results_in_territorial_report(tmp_path: Path) -> None:
    from cyberdiag.territory.aggregate import build_view
    from cyberdiag.territory.report import render_html
    from cyberdiag.territory.store import open_store

    roster = tmp_path / "communes.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    store = tmp_path / "t.sqlite"
    _go(roster, store, FakeRunner())
    with open_store(store) as s:
        view = build_view(s, "2026")
        named = build_view(s, "2026", named=True)
    assert view.check_runs == 5
    dmarc = next(c for c in view.checks if c.id == "mail.dmarc")
    assert (dmarc.fail, dmarc.warn, dmarc.not_tested, dmarc.tested) == (4, 0, 1, 4)
    assert [c.id for c in view.checks] == ["mail.dmarc"]  # only checks with fail or warn
    html = render_html(view, "fr", embed_css=False)
    assert "Vérifications passives" in html and "mail.dmarc" in html
    assert "Alpha-sur-Deûle" not in html and "Alpha-sur-Deûle" not in render_html(
        named, "fr", embed_css=False
    )  # no diagnostics imported: check results are counted, never listed by name
