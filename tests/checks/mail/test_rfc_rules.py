"""The rules of RFC 7208 (SPF) and RFC 7489 / RFC 9989 (DMARC), one lab case each: the records
of regles-rfc.test (cyberdiag/lab/communes.py rule_cases), served by the lab's NSD through its
validating unbound, judged by mail.spf and mail.dmarc. Each case has its exact verdict and a
message that cites the rule, in French and in English."""

from __future__ import annotations

from typing import Any

import pytest

from cyberdiag.checks.runner import run_checks
from cyberdiag.lab.manager import LabInfo

BASE = "regles-rfc.test"
P, W, F = "pass", "warn", "fail"

DMARC_CASES: dict[str, tuple[str, list[str]]] = {
    # name: (verdict, what the English message must say; the French one cites the same rules)
    "espaces": (P, ["policy 'reject'"]),  # spaces and tabs around '=' and ';'
    "casse": (P, ["policy 'reject'"]),  # V=, P=Reject, RUA=: case-insensitive
    "minuscules": (F, ["does not start exactly with 'v=DMARC1'", "DMARC1 must be in capitals",
                       "RFC 7489 §6.6.3", "RFC 7489 §6.4"]),
    "espace-initial": (F, ["a space comes before 'v'", "RFC 7489 §6.6.3"]),
    "texte-initial": (F, ["some text comes before 'v=DMARC1'", "RFC 7489 §6.6.3"]),
    "pct": (W, ["'pct=150'", "ignored by receivers", "RFC 7489 §6.3", "RFC 9989",
                "100% of messages"]),
    "balises": (W, ["ignored by receivers", "RFC 7489 §6.3", "'pct=cent'", "'fo=2'",
                    "'rf=iodef'", "'ri=demain'", "'np=peut-etre'", "'sp=jamais'", "'adkim=x'",
                    "'aspf=y'", "'psd=oui'", "'t=bientot'"]),
    "sans-p": (W, ["no 'p' tag: receivers apply p=none", "RFC 7489 §6.6.3", "RFC 9989"]),
    "double": (F, ["2 DMARC records", "receivers apply none of them", "RFC 7489 §6.6.3"]),
    "voisins": (P, ["policy 'quarantine'"]),  # other TXT records beside it: ignored
    "cent": (P, ["policy 'reject'"]),  # 150 other TXT records first
}

SPF_CASES: dict[str, tuple[str, list[str]]] = {
    "cent": (P, ["Valid SPF"]),  # 150 other TXT records first
    "deux-points": (P, ["Valid SPF"]),  # ':' and '/' inside a domain-spec are legal (§7.1)
    "cidr-zero": (F, ["'/032' (leading zero)", "permerror", "RFC 7208 §12"]),
    "modificateur": (F, ["invalid macro in 'note=50%'", "permerror", "RFC 7208 §7.1"]),
    "exp-macro": (F, ["%{c} is only allowed in explanation text", "permerror",
                      "RFC 7208 §7.2"]),
    "mx-onze": (F, ["mx:onze.regles-rfc.test: 11 MX records", "permerror", "RFC 7208 §4.6.4"]),
    "vides": (F, ["3 void lookups", "'a:absent3.regles-rfc.test' goes past the limit",
                  "permerror", "RFC 7208 §4.6.4"]),
    "include-sans-spf": (F, ["include:bonjour.regles-rfc.test: the name has no SPF record",
                             "permerror", "RFC 7208 §5.2"]),
}


@pytest.fixture(scope="module")
def rule_results(lab: LabInfo) -> dict[tuple[str, str], Any]:
    names = sorted({f"{n}.{BASE}" for n in [*DMARC_CASES, *SPF_CASES]})
    results = run_checks(names, nameservers=[lab.nameserver], timeout=2,
                         only=["mail.spf", "mail.dmarc"])
    return {(r.target.split(".", 1)[0], r.id): r for r in results}


def _check(res: Any, status: str, phrases: list[str]) -> None:
    assert res.status == status, res.message.en
    for phrase in phrases:
        assert phrase in res.message.en, (phrase, res.message.en)
    for rule in [p for p in phrases if p.startswith("RFC")]:
        assert rule in res.message.fr, (rule, res.message.fr)


@pytest.mark.parametrize("name", sorted(DMARC_CASES))
def test_dmarc_rule(rule_results: dict[tuple[str, str], Any], name: str) -> None:
    status, phrases = DMARC_CASES[name]
    _check(rule_results[(name, "mail.dmarc")], status, phrases)


@pytest.mark.parametrize("name", sorted(SPF_CASES))
def test_spf_rule(rule_results: dict[tuple[str, str], Any], name: str) -> None:
    status, phrases = SPF_CASES[name]
    _check(rule_results[(name, "mail.spf")], status, phrases)


def test_every_spf_permerror_names_its_rule(lab_results: dict[tuple[str, str], Any],
                                            rule_results: dict[tuple[str, str], Any]) -> None:
    """Whatever makes receivers return permerror, the message cites RFC 7208 (the fixtures
    too: two records, loop, 11 lookups, 3 void lookups, 50 nested includes)."""
    results = [r for (_, cid), r in [*lab_results.items(), *rule_results.items()]
               if cid == "mail.spf" and "permerror" in r.message.en]
    assert len(results) >= 11
    for res in results:
        assert res.status == "fail" and "RFC 7208 §" in res.message.en, res.message.en
        assert "RFC 7208 §" in res.message.fr and "permerror" in res.message.fr


def test_ignored_tags_are_in_the_evidence(rule_results: dict[tuple[str, str], Any]) -> None:
    res = rule_results[("balises", "mail.dmarc")]
    tags = [i["tag"] for i in res.evidence["ignored"]]
    assert tags == ["sp", "np", "pct", "adkim", "aspf", "fo", "rf", "ri", "psd", "t"]
    assert res.evidence["p"] == "reject" and res.evidence["pct"] == 100
    sans_p = rule_results[("sans-p", "mail.dmarc")]
    assert sans_p.evidence["p_state"] == "missing" and sans_p.evidence["effective_policy"] == "none"
    cent = rule_results[("cent", "mail.spf")]
    assert cent.evidence["records"] == ["v=spf1 -all"]
