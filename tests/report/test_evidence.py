"""Evidence of a check result: bounded, with a visible marker; key items first."""

from __future__ import annotations

from cyberdiag.report.evidence import key_items, pretty


def test_evidence_is_bounded_with_visible_marker() -> None:
    text = pretty({"blob": "A" * 30000, "n": list(range(500))}, "fr")
    assert len(text) < 2700
    assert text.rstrip().endswith("caractères de plus]")
    assert "tronqué" in text
    small = pretty({"record": "v=spf1 -all"}, "en")
    assert "truncated" not in small and "v=spf1 -all" in small
    assert pretty({}, "fr") == ""


def test_key_items_scalars_first_and_short() -> None:
    items = key_items({"nested": {"a": 1}, "record": "x" * 500, "status": 301}, "en")
    assert [k for k, _ in items] == ["record", "status", "nested"]
    assert len(items[0][1]) < 200 and "truncated" in items[0][1]
