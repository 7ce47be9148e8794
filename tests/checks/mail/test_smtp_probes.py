"""The SMTP probes shared by mail.starttls and mail.dane: once per run and MX address, against
the lab's real mail servers."""

from __future__ import annotations

from cyberdiag.checks.base import CheckContext
from cyberdiag.checks.mail.smtp_probes import smtp_chain, smtp_probe, smtp_targets
from cyberdiag.lab.manager import LabInfo
from cyberdiag.net.dnsclient import make_resolver


def _ctx(lab: LabInfo) -> CheckContext:
    return CheckContext(resolver=make_resolver([lab.nameserver], 2.0), timeout=2.0)


def test_targets(lab: LabInfo) -> None:
    ctx = _ctx(lab)
    host = "mail.bonneville.test"
    assert smtp_targets(ctx, [host]) == [(host, lab.ip("bonneville.test", 25))]
    assert smtp_targets(ctx, [host, "absent.bonneville.test"]) == [
        (host, lab.ip("bonneville.test", 25))]


def test_probe_is_memoised_and_chain_follows_it(lab: LabInfo) -> None:
    ctx = _ctx(lab)
    host, ip = "mail.bonneville.test", lab.ip("bonneville.test", 25)
    first = smtp_probe(ctx, host, ip)
    assert smtp_probe(ctx, host, ip) is first
    assert first["starttls"] is True and first["tls"]["verified"] is True
    assert len(smtp_chain(ctx, host, ip)) >= 1
    plain_host, plain_ip = "mail.sans-dmarc.test", lab.ip("sans-dmarc.test", 25)
    assert smtp_chain(ctx, plain_host, plain_ip) == []  # no STARTTLS: nothing to compare
    assert [k[0] for k in ctx.memo if k[0].startswith("smtp")].count("smtp") == 2
