"""What the e-mail checks should say about each fixture municipality of the lab, for the tests in
tests/checks/mail/ (one file per check). Hand-written from the cases in cyberdiag/lab/communes.py,
not copied from a previous run."""

from __future__ import annotations

from typing import Any

from cyberdiag.models import Profile

IDS = ("mail.mx", "mail.spf", "mail.dmarc", "mail.dkim", "mail.mta_sts", "mail.tls_rpt",
       "mail.starttls", "mail.dane")
P, W, F, NA, NT = "pass", "warn", "fail", "not_applicable", "not_tested"
EXPECTED: dict[str, tuple[str, ...]] = {
    #                         mx spf dmarc dkim sts rpt starttls dane
    "ville-exemple.test":     (P, P, W, P, W, W, P, W),     # ~all, p=none, signed w/o TLSA
    "bonneville.test":        (P, P, P, P, P, P, P, P),     # everything right
    "sans-dmarc.test":        (P, F, F, W, W, W, F, NA),    # +all, no DMARC, no STARTTLS
    "double-spf.test":        (P, F, W, P, W, W, W, NA),    # 2 SPF, pct=50, TLS 1.0 only
    "spf-long.test":          (P, F, P, W, W, P, W, NA),    # 11 lookups, RSA 1024, expired cert
    "spf-boucle.test":        (P, F, W, P, W, F, W, NA),    # loop, p=maybe (applied as p=none:
    #                                                         RFC 7489 §6.6.3), rua=ftp:, wrong name
    "spf-vide.test":          (P, F, P, P, F, W, P, F),     # 3 void, policy misses MX, bad TLSA
    "signature-expiree.test": (P, W, P, P, W, W, W, W),     # ?all, self-signed
    "mauvais-ds.test":        (P, P, W, P, F, W, W, W),     # sp=none, policy cert expired,
    #                                                         SMTP certificate expires in 10 days
    "hostile.test":           (P, F, W, F, F, W, NT, NA),   # hostile records (p= with control
    #                                                         characters: p=none), SMTP hangs up
    "injoignable.test":       (NT,) * 8,
    "non-mail.test":          (P, P, P, NA, NA, NA, NA, NA),  # null MX
    "smtp-muet.test":         (P, P, P, P, W, W, NT, NA),   # SMTP never speaks
    "sans-mx.test":           (W, W, P, P, NA, NA, NA, NA),  # no MX, SPF without all
    # IPv4 only in this lab: their IPv6 cases are judged in an IPv6 lab (test_ipv6.py)
    "v6-casse.test":          (P, P, P, P, W, W, P, NA),
    "v6-seul.test":           (P, P, P, P, W, W, P, NA),
    "apex-http.test":         (P, P, P, P, W, W, P, NA),
    "regles-rfc.test":        (P, P, F, W, W, W, P, NA),    # its rules are under sub-domains
}


def expected(check_id: str) -> dict[str, str]:
    """{domain: expected status} of one check (a column of EXPECTED)."""
    col = IDS.index(check_id)
    return {domain: row[col] for domain, row in EXPECTED.items()}


def assert_statuses(lab_results: dict[tuple[str, str], Any], check_id: str) -> None:
    """The check's status on every fixture municipality is the expected one."""
    want = expected(check_id)
    got = {domain: lab_results[(domain, check_id)].status for domain in want}
    detail = {d: lab_results[(d, check_id)].message.en for d in want if got[d] != want[d]}
    assert got == want, detail


def profile(**kw: Any) -> Profile:
    """A minimal municipality profile, with the given fields."""
    base: dict[str, Any] = {"name": "Test", "insee": "59999", "population": 1000, "agents": 10}
    base.update(kw)
    return Profile(**base)
