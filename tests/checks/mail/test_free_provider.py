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
