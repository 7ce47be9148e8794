"""Code and catalogue in step: every registered check has an entry in checks/*.yaml, and every
entry (except the exposure scan's, which is not a passive check) has a function."""

from __future__ import annotations

from pathlib import Path

import yaml

from cyberdiag.checks.registry import CHECKS
from cyberdiag.models import CheckCatalogue
from cyberdiag.resources import data_dir

OURS = ("dns.yaml", "mail.yaml")


def _catalogue() -> dict[str, str]:
    ids: dict[str, str] = {}
    for path in sorted(Path(data_dir("checks")).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("kind") != "checks":
            continue
        for meta in CheckCatalogue.model_validate(data).checks:
            assert meta.id not in ids, f"{meta.id} in {path.name} and {ids[meta.id]}"
            ids[meta.id] = path.name
    return ids


def test_every_check_has_an_entry() -> None:
    cat = _catalogue()
    missing = sorted(set(CHECKS) - set(cat))
    assert not missing, f"checks without a catalogue entry: {missing}"


def test_every_entry_has_a_check() -> None:
    cat = {i for i in _catalogue() if not i.startswith("exposure.")}
    orphans = sorted(cat - set(CHECKS))
    assert not orphans, f"catalogue entries without a check: {orphans}"


def test_dns_and_mail_entries() -> None:
    for name in OURS:
        data = yaml.safe_load((data_dir("checks") / name).read_text(encoding="utf-8"))
        cat = CheckCatalogue.model_validate(data)
        prefix = name.split(".")[0] + "."
        assert cat.checks and all(c.id.startswith(prefix) for c in cat.checks)
        for c in cat.checks:
            assert c.domain == "messagerie"
            for text in (c.title, c.explanation, c.remediation):
                assert text.fr != text.en
            # French typography: a space (normal or non-breaking) before « : ; ! ? ».
            for fr in (c.explanation.fr, c.remediation.fr):
                for i, ch in enumerate(fr):
                    if ch in ":;!?" and i and fr[i - 1] not in " \u00a0\u202f" \
                            and fr[i - 1:i + 2] not in ("s://",) and not fr[i - 1].isdigit():
                        prev = fr[max(0, i - 12):i + 3]
                        assert "//" in prev or "mailto" in prev or "=" in prev, prev
            assert any(c.references.model_dump().values()), c.id


def test_ids_match_prefix_of_module() -> None:
    from cyberdiag.checks.registry import DNS_CHECKS, MAIL_CHECKS

    assert all(i.startswith("dns.") for i in DNS_CHECKS)
    assert all(i.startswith("mail.") for i in MAIL_CHECKS)
    assert set(DNS_CHECKS) == {"dns.ns", "dns.soa_consistency", "dns.axfr", "dns.dnssec",
                               "dns.caa"}
    assert set(MAIL_CHECKS) == {"mail.mx", "mail.spf", "mail.dmarc", "mail.dkim",
                                "mail.mta_sts", "mail.tls_rpt", "mail.starttls", "mail.dane",
                                "mail.free_provider"}
