"""What several e-mail checks share: whether the domain receives mail (its MX), the "no mail"
verdict, and the one TXT record of a name.

Each check is `fn(ctx, domain) -> CheckResult`; network trouble raises NotTested. Records are
content from strangers: parsers are bounded and raise ParseError only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cyberdiag.checks import lookups as lk
from cyberdiag.checks.base import CheckContext, result
from cyberdiag.errors import NotTested
from cyberdiag.models import CheckResult, Status, Text
from cyberdiag.net.text import clean


@dataclass
class Findings:
    """The problems a check found, in both languages, and the worst status so far."""

    status: Status = "pass"
    fr: list[str] = field(default_factory=list)
    en: list[str] = field(default_factory=list)

    def add(self, status: Status, fr: str, en: str) -> None:
        """Record a problem; `status` ("warn" or "fail") never lowers the status so far."""
        if status == "fail" or self.status == "pass":
            self.status = status
        self.fr.append(fr)
        self.en.append(en)


def na_no_mail(cid: str, domain: str, kind: str) -> CheckResult:
    """The `not_applicable` verdict of a check about mail for a domain that receives none."""
    if kind == "null":
        fr = "Sans objet : le domaine déclare ne recevoir aucun courriel (MX nul)."
        en = "Not applicable: the domain declares it receives no mail (null MX)."
    else:
        fr = "Sans objet : le domaine n'a pas de serveur de messagerie (MX)."
        en = "Not applicable: the domain has no mail server (MX)."
    return result(cid, domain, "not_applicable", fr, en, {"mx": kind},
                  reason=Text(fr=fr, en=en))


def mail_kind_or_unknown(ctx: CheckContext, domain: str) -> str:
    """Like mail_kind for checks that only use it as a hint: "unknown" on network trouble."""
    try:
        return mail_kind(ctx, domain)[0]
    except NotTested:
        return "unknown"


def mail_kind(ctx: CheckContext, domain: str) -> tuple[str, list[str]]:
    """("ok", hosts) | ("null", []) | ("none", []) | ("nxdomain", [])."""
    ans, pairs = lk.mx_hosts(ctx, domain)
    if ans.status == "nxdomain":
        return "nxdomain", []
    if not pairs:
        return "none", []
    if lk.is_null_mx(pairs):
        return "null", []
    hosts = [h.rstrip(".") for _, h in pairs if h != "."]
    return "ok", list(dict.fromkeys(hosts))[: lk.MAX_MX]


def single_txt(ctx: CheckContext, cid: str, domain: str, name: str,
               keep: Callable[[str], bool], ev_key: str, label: str,
               absent_fr: str, absent_en: str) -> tuple[str, dict[str, Any]] | CheckResult:
    """The one TXT record of `name` that `keep` selects, with the evidence so far; or the verdict
    when there is none (warn, with the `absent` message) or several (fail)."""
    recs = [r for r in lk.txt(ctx, name).records if keep(r)]
    ev: dict[str, Any] = {ev_key: [clean(r, 300) for r in recs][:5]}
    if not recs:
        return result(cid, domain, "warn", absent_fr, absent_en, ev)
    if len(recs) > 1:
        return result(cid, domain, "fail", f"Plusieurs enregistrements {label} : invalide.",
                      f"Several {label} records: invalid.", ev)
    return recs[0], ev
