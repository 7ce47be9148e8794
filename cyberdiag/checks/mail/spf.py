"""mail.spf: one SPF record, valid, within the DNS lookup limits, ending with a strict "all".

The SPF tree is walked counting DNS lookups (RFC 7208 §4.6.4), bounded in lookups, depth and time.
"""

from __future__ import annotations

import time
from typing import Any

from cyberdiag.checks import lookups as lk
from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.mail.common import mail_kind_or_unknown
from cyberdiag.checks.parsers.spf import is_spf, parse_spf
from cyberdiag.errors import ParseError
from cyberdiag.models import CheckResult
from cyberdiag.net.text import clean

SPF_MAX_LOOKUPS = 10
SPF_MAX_VOID = 2
SPF_HARD_STOP = 20  # we stop walking after this many lookups (a verdict is certain by then)
SPF_MAX_DEPTH = 12


class _SpfWalk:
    """Walks the SPF tree counting DNS lookups (RFC 7208 §4.6.4), bounded."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.lookups = 0
        self.void = 0
        self.errors: list[tuple[str, str]] = []  # (fr, en)
        self.permissive: list[str] = []  # included records ending in +all
        self.ptr = False
        self.macros = False
        self.stopped = False
        self.tree: list[str] = []

    def error(self, fr: str, en: str) -> None:
        if len(self.errors) < 10:
            self.errors.append((fr, en))

    def fetch(self, name: str) -> tuple[str | None, str]:
        """The SPF record of `name`: (record or None, outcome). Outcomes "nxdomain",
        "nodata" and "invalid" are void lookups; "nospf" (TXT records, none SPF) is not."""
        ans = lk.txt(self.ctx, name)
        if ans.status != "ok":
            return None, ans.status
        recs = [r for r in ans.records if is_spf(r)]
        if not recs:
            return None, "nospf"
        if len(recs) > 1:
            return None, "multiple"
        return recs[0], "ok"

    def count(self) -> bool:
        self.lookups += 1
        if self.lookups > SPF_HARD_STOP:
            self.stopped = True
            return False
        return True

    def walk(self, name: str, text: str, stack: tuple[str, ...]) -> str | None:
        """Evaluate one record; returns its effective 'all' qualifier (following redirect)."""
        if len(self.tree) < 60:
            self.tree.append("  " * len(stack) + f"{clean(name, 100)}: {clean(text, 300)}")
        try:
            rec = parse_spf(text)
        except ParseError as exc:
            self.error(f"{clean(name, 100)} : {exc.fr}", f"{clean(name, 100)}: {exc.en}")
            return None
        for term in rec.terms:
            if self.stopped:
                return rec.all_qualifier
            if term.name == "ptr" and not term.modifier:
                self.ptr = True
            if term.modifier and term.name != "redirect":
                continue
            if term.name not in ("include", "a", "mx", "exists", "ptr", "redirect"):
                continue
            if term.name == "redirect" and rec.all_qualifier is not None:
                continue  # ignored when 'all' is present
            if not self.count():
                return rec.all_qualifier
            if term.has_macro:
                self.macros = True
                continue
            target = term.value.rstrip(".").lower() if term.value else name
            if term.name in ("include", "redirect"):
                if target in stack or target == name:
                    self.error(f"boucle d'inclusion : {clean(target, 100)}",
                               f"include loop: {clean(target, 100)}")
                    continue
                if len(stack) >= SPF_MAX_DEPTH:
                    self.error("inclusions trop profondes", "includes nested too deep")
                    self.stopped = True
                    return rec.all_qualifier
                sub, outcome = self.fetch(target)
                if outcome in ("nxdomain", "nodata", "invalid"):
                    self.void += 1
                if sub is None:
                    what_fr = {"multiple": "plusieurs enregistrements SPF"}.get(
                        outcome, "aucun enregistrement SPF")
                    what_en = {"multiple": "several SPF records"}.get(outcome, "no SPF record")
                    self.error(f"{term.name}:{clean(target, 100)} : {what_fr}",
                               f"{term.name}:{clean(target, 100)}: {what_en}")
                    continue
                q = self.walk(target, sub, (*stack, name))
                if term.name == "redirect":
                    return q
                if q == "+":
                    self.permissive.append(target)
            elif term.name in ("a", "exists"):
                if not lk.addresses(self.ctx, target):
                    self.void += 1
            elif term.name == "mx":
                _ans, pairs = lk.mx_hosts(self.ctx, target)
                if not pairs:
                    self.void += 1
        return rec.all_qualifier


def check_spf(ctx: CheckContext, domain: str) -> CheckResult:  # noqa: C901 - one verdict
    cid = "mail.spf"
    ans = lk.txt(ctx, domain)
    kind = mail_kind_or_unknown(ctx, domain)
    spf = [r for r in ans.records if is_spf(r)]
    ev: dict[str, Any] = {"records": [clean(r, 512) for r in spf][:5]}
    if not spf:
        if kind in ("null", "none"):
            return result(cid, domain, "fail",
                          "Aucun enregistrement SPF : n'importe qui peut envoyer des courriels "
                          "au nom du domaine. Publier « v=spf1 -all » s'il n'envoie pas de mail.",
                          "No SPF record: anyone can send mail in the domain's name. Publish "
                          "'v=spf1 -all' if it sends no mail.", ev)
        return result(cid, domain, "fail",
                      "Aucun enregistrement SPF : n'importe qui peut envoyer des courriels au nom "
                      "de la commune.",
                      "No SPF record: anyone can send mail in the municipality's name.", ev)
    if len(spf) > 1:
        return result(cid, domain, "fail",
                      f"{len(spf)} enregistrements SPF au lieu d'un seul : SPF est invalide "
                      "(les destinataires l'ignorent).",
                      f"{len(spf)} SPF records instead of one: SPF is invalid (receivers "
                      "ignore it).", ev)
    walk = _SpfWalk(ctx)
    started = time.monotonic()
    qualifier = walk.walk(domain, spf[0], ())
    ev.update({"lookups": walk.lookups, "void_lookups": walk.void, "all": qualifier,
               "tree": walk.tree, "walk_seconds": round(time.monotonic() - started, 3)})
    if walk.errors:
        ev["errors"] = [en for _, en in walk.errors]
        return result(cid, domain, "fail",
                      "SPF invalide : " + " ; ".join(fr for fr, _ in walk.errors[:3]) + ".",
                      "Invalid SPF: " + "; ".join(en for _, en in walk.errors[:3]) + ".", ev)
    if walk.lookups > SPF_MAX_LOOKUPS:
        more = "plus de " if walk.stopped else ""
        more_en = "more than " if walk.stopped else ""
        return result(cid, domain, "fail",
                      f"SPF demande {more}{walk.lookups} requêtes DNS (maximum 10) : il est "
                      "invalide pour les destinataires.",
                      f"SPF needs {more_en}{walk.lookups} DNS lookups (limit 10): receivers "
                      "treat it as invalid.", ev)
    if walk.void > SPF_MAX_VOID:
        return result(cid, domain, "fail",
                      f"SPF fait {walk.void} requêtes sans réponse (maximum 2) : il est invalide.",
                      f"SPF makes {walk.void} void lookups (limit 2): it is invalid.", ev)
    if qualifier == "+" or walk.permissive:
        return result(cid, domain, "fail",
                      "SPF autorise le monde entier à envoyer au nom du domaine (« +all ») : il "
                      "ne protège rien.",
                      "SPF allows the whole world to send in the domain's name ('+all'): it "
                      "protects nothing.", ev)
    if qualifier is None:
        return result(cid, domain, "warn",
                      "SPF sans règle finale « all » : les expéditeurs non listés restent "
                      "« neutres ». Terminer par « -all » ou « ~all ».",
                      "SPF without a final 'all' rule: unlisted senders stay 'neutral'. End it "
                      "with '-all' or '~all'.", ev)
    if qualifier == "?":
        return result(cid, domain, "warn",
                      "SPF se termine par « ?all » (neutre) : il ne demande pas de rejeter les "
                      "usurpations.",
                      "SPF ends with '?all' (neutral): it does not ask receivers to reject "
                      "forgeries.", ev)
    if kind == "null" and qualifier != "-":
        return result(cid, domain, "warn",
                      "Domaine sans messagerie : SPF devrait être « v=spf1 -all ».",
                      "Domain without mail: SPF should be 'v=spf1 -all'.", ev)
    if walk.ptr:
        return result(cid, domain, "warn",
                      "SPF utilise le mécanisme « ptr », obsolète et lent : le remplacer.",
                      "SPF uses the 'ptr' mechanism, deprecated and slow: replace it.", ev)
    end = "-all" if qualifier == "-" else "~all"
    return result(cid, domain, "pass",
                  f"SPF valide, se termine par « {end} » ({walk.lookups} requête(s) DNS).",
                  f"Valid SPF ending with '{end}' ({walk.lookups} DNS lookup(s)).", ev)
