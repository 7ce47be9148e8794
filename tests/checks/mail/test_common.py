"""What the e-mail checks share: the Findings accumulator (worst status wins), the "no mail"
verdict, whether a domain receives mail (against the lab's real DNS servers)."""

from __future__ import annotations

from cyberdiag.checks.base import CheckContext
from cyberdiag.checks.mail.common import Findings, mail_kind, mail_kind_or_unknown, na_no_mail
from cyberdiag.lab.manager import LabInfo
from cyberdiag.net.dnsclient import make_resolver


def test_findings_keep_the_worst_status() -> None:
    f = Findings()
    assert f.status == "pass"
    f.add("warn", "a", "a")
    f.add("fail", "b", "b")
    f.add("warn", "c", "c")
    assert (f.status, f.fr, f.en) == ("fail", ["a", "b", "c"], ["a", "b", "c"])


def test_na_no_mail() -> None:
    null = na_no_mail("mail.dkim", "x.test", "null")
    assert null.status == "not_applicable" and "null MX" in null.message.en
    assert null.reason is not None and null.evidence == {"mx": "null"}
    none = na_no_mail("mail.dkim", "x.test", "none")
    assert "no mail server" in none.message.en


def test_mail_kind(lab: LabInfo) -> None:
    ctx = CheckContext(resolver=make_resolver([lab.nameserver], 2.0), timeout=2.0)
    assert mail_kind(ctx, "bonneville.test") == ("ok", ["mail.bonneville.test"])
    assert mail_kind(ctx, "non-mail.test") == ("null", [])
    assert mail_kind(ctx, "sans-mx.test") == ("none", [])
    assert mail_kind(ctx, "absent.bonneville.test") == ("nxdomain", [])
    assert mail_kind_or_unknown(ctx, "injoignable.test") == "unknown"  # its NS is silent
