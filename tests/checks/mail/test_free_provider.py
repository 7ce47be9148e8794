"""mail.free_provider: a consumer mailbox as the official address fails; profile-scoped (run
once per run, on the address)."""

from __future__ import annotations

from mail_fixtures import NA, profile

from cyberdiag.checks.runner import run_checks
from cyberdiag.lab.manager import LabInfo


def test_free_provider(lab: LabInfo) -> None:
    cases = [("mairie.x@orange.fr", "fail"), ("Contact@WANADOO.fr", "fail"),
             ("mairie@gmail.com", "fail"), ("mairie@bonneville.test", "pass"), (None, NA)]
    for email, status in cases:
        res = run_checks(["bonneville.test"], nameservers=[lab.nameserver], timeout=2,
                         profile=profile(official_email=email), only=["mail.free_provider"])
        assert [r.status for r in res] == [status], email
    # Profile-scoped: run once, on the address, even without a domain.
    res = run_checks([], nameservers=[lab.nameserver], timeout=2,
                     profile=profile(official_email="mairie@laposte.net"))
    assert [(r.id, r.target, r.status) for r in res] == [
        ("mail.free_provider", "mairie@laposte.net", "fail")]


def test_webmail_decided_as_by_the_public_suffix_list() -> None:
    """is_free_webmail reads the public suffix list only for names ending with a provider's
    domain: on every kind of name it says what the list says (organisational domain)."""
    from cyberdiag.checks.mail.free_provider import FREE_PROVIDERS, is_free_webmail
    from cyberdiag.checks.parsers.psl import org_domain

    names = ["mairie@orange.fr", "x@ORANGE.FR.", "a@smtp.orange.fr", "a@x..orange.fr",
             "a@orange..fr", "a@notorange.fr", "a@orange.fr.example.org", "gmail.com",
             "a@mairie.gouv.fr", "a@ville-exemple.fr", "a@x.proton.me", "a@", "", " a@free.fr "]
    names += [f"a@x.{p}" for p in FREE_PROVIDERS] + [f"a@x{p}" for p in FREE_PROVIDERS]
    for name in names:
        dom = name.rsplit("@", 1)[-1].strip().lower().rstrip(".")
        expected = dom in FREE_PROVIDERS or (org_domain(dom) or dom) in FREE_PROVIDERS
        assert is_free_webmail(name) == expected, name
    assert is_free_webmail("a@smtp.orange.fr") and not is_free_webmail("a@notorange.fr")
