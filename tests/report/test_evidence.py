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


def test_key_facts_for_the_annex() -> None:
    """The annex's table: the record looked up and the value found, in plain words."""
    from cyberdiag.report.evidence import facts

    dmarc = {"name": "_dmarc.ville.test", "records": ["v=DMARC1; p=none"], "p": "none"}
    assert facts(dmarc, "ville.test", "fr", "mail.dmarc") == (
        "TXT _dmarc.ville.test", "v=DMARC1; p=none")
    assert facts({"checked": "ville.test"}, "ville.test", "fr", "dns.caa") == (
        "CAA ville.test", "aucun")
    assert facts({"txt": []}, "ville.test", "en", "mail.mta_sts") == (
        "TXT _mta-sts.ville.test", "none")
    headers = {"url": "https://www.ville.test/", "headers": {
        "csp": {"verdict": "missing", "value": None}, "xcto": {"verdict": "ok"}}}
    assert facts(headers, "www.ville.test", "fr", "web.headers") == (
        "https://www.ville.test/", "csp : missing ; xcto : ok")
    versions = {"host": "www.ville.test", "disclosures": [
        {"source": "Server", "value": "nginx/1.22.1"}, {"source": "X-Powered-By",
                                                         "value": "PHP/7.4.3"}]}
    assert facts(versions, "www.ville.test", "fr", "web.versions")[1] == "nginx/1.22.1 ; PHP/7.4.3"
    # Long values are cut with the visible marker; an unknown check keeps its target.
    record, value = facts({"records": ["v=spf1 " + "a " * 200]}, "x.test", "fr", "other.check")
    assert record == "x.test" and "[tronqué : " in value and len(value) < 260
