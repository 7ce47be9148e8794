"""mail.spf: one SPF record, valid, within the DNS lookup limits, ending with a strict "all".

The SPF tree is walked the way a receiver evaluates it for a sender that no term matches (the
longest path): terms after "all" are never reached; every term that costs a DNS lookup counts
(RFC 7208 §4.6.4), bounded in lookups, depth and time. Whatever makes receivers return
"permerror" (RFC 7208 §2.6.7) is a failure whose message names the rule of the RFC.
"""

from __future__ import annotations

import time
from typing import Any

from cyberdiag.checks import lookups as lk
from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.mail.common import mail_kind_or_unknown
from cyberdiag.checks.parsers.spf import Term, is_spf, parse_spf
from cyberdiag.errors import ParseError
from cyberdiag.i18n import plural
from cyberdiag.models import CheckResult
from cyberdiag.net.text import clean

SPF_MAX_LOOKUPS = 10
SPF_MAX_VOID = 2
SPF_MAX_MX = 10
SPF_HARD_STOP = 20  # we stop walking after this many lookups (a verdict is certain by then)
SPF_MAX_DEPTH = 12
LIMITS = "RFC 7208 §4.6.4"


class _SpfWalk:
    """Walks the SPF tree counting DNS lookups and void lookups (RFC 7208 §4.6.4), bounded.

    Void lookups are counted for each address family of the sender: an `a` term whose name has
    no A record is void for mail sent over IPv4, one without AAAA for mail sent over IPv6.
    """

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.lookups = 0
        self.void = {"4": 0, "6": 0}
        self.void_terms: dict[str, list[str]] = {"4": [], "6": []}
        self.errors: list[tuple[str, str]] = []  # (fr, en), each naming its rule
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

    def add_void(self, term: str, families: str = "46") -> None:
        for fam in families:
            self.void[fam] += 1
            self.void_terms[fam].append(term)

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
            if term.name == "all" and not term.modifier:
                break  # "all" always matches: what follows is never evaluated (§4.6.2)
            if term.name == "ptr" and not term.modifier:
                self.ptr = True
            if term.modifier and term.name != "redirect":
                continue
            if term.name not in ("include", "a", "mx", "exists", "ptr", "redirect"):
                continue
            if term.name == "redirect" and rec.all_qualifier is not None:
                continue  # ignored when 'all' is present (§6.1)
            if not self.count():
                return rec.all_qualifier
            if term.has_macro:
                self.macros = True
                continue
            target = truncated(term.value.rstrip(".").lower()) if term.value else name
            if term.name in ("include", "redirect"):
                q = self.recurse(term, target, name, stack)
                if term.name == "redirect":
                    return q
                if q == "+":
                    self.permissive.append(target)
            else:
                self.lookup_term(term, target)
        return rec.all_qualifier

    def recurse(self, term: Term, target: str, name: str, stack: tuple[str, ...]) -> str | None:
        """include:/redirect=: the target's own SPF record, evaluated in turn."""
        shown = f"{term.name}{'=' if term.modifier else ':'}{clean(target, 100)}"
        if target in stack or target == name:
            self.error(f"boucle d'inclusion : {shown} ({LIMITS})",
                       f"include loop: {shown} ({LIMITS})")
            return None
        if len(stack) >= SPF_MAX_DEPTH:
            self.error(f"inclusions trop profondes ({LIMITS})",
                       f"includes nested too deep ({LIMITS})")
            self.stopped = True
            return None
        sub, outcome = self.fetch(target)
        if outcome in ("nxdomain", "nodata", "invalid"):
            self.add_void(shown)
        if sub is None:
            rule = "RFC 7208 §5.2" if term.name == "include" else "RFC 7208 §6.1"
            if outcome == "multiple":
                self.error(f"{shown} : plusieurs enregistrements SPF (RFC 7208 §4.5)",
                           f"{shown}: several SPF records (RFC 7208 §4.5)")
            else:
                self.error(f"{shown} : le nom n'a pas d'enregistrement SPF ({rule})",
                           f"{shown}: the name has no SPF record ({rule})")
            return None
        return self.walk(target, sub, (*stack, name))

    def lookup_term(self, term: Term, target: str) -> None:
        """a, mx, exists (ptr needs the sender's address: counted, not resolved)."""
        shown = f"{term.name}:{clean(target, 100)}"
        if term.name == "a":
            addrs = lk.addresses(self.ctx, target)
            if not any(":" not in a for a in addrs):
                self.add_void(shown, "4")
            if not any(":" in a for a in addrs):
                self.add_void(shown, "6")
        elif term.name == "exists":  # always an A query, whatever the sender's family (§5.7)
            if not any(":" not in a for a in lk.addresses(self.ctx, target)):
                self.add_void(shown)
        elif term.name == "mx":
            _ans, pairs = lk.mx_hosts(self.ctx, target)
            if not pairs:
                self.add_void(shown)
            elif len(pairs) > SPF_MAX_MX:
                self.error(f"{shown} : {len(pairs)} enregistrements MX (au plus {SPF_MAX_MX}, "
                           f"{LIMITS})",
                           f"{shown}: {len(pairs)} MX records (at most {SPF_MAX_MX}, {LIMITS})")


def truncated(name: str) -> str:
    """A target name longer than 253 characters loses its left-most labels (RFC 7208 §7.3)."""
    while len(name) > 253 and "." in name:
        name = name.split(".", 1)[1]
    return name


def check_spf(ctx: CheckContext, domain: str) -> CheckResult:
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
                      f"{len(spf)} enregistrements SPF au lieu d'un seul : SPF est invalide, les "
                      "destinataires renvoient « permerror » (RFC 7208 §4.5).",
                      f"{len(spf)} SPF records instead of one: SPF is invalid, receivers return "
                      "'permerror' (RFC 7208 §4.5).", ev)
    walk = _SpfWalk(ctx)
    started = time.monotonic()
    qualifier = walk.walk(domain, spf[0], ())
    ev.update({"lookups": walk.lookups, "void_lookups": max(walk.void.values()),
               "void_lookups_by_family": {f"ipv{k}": v for k, v in walk.void.items()},
               "all": qualifier, "tree": walk.tree,
               "walk_seconds": round(time.monotonic() - started, 3)})
    limits = _limits(cid, domain, walk, ev)
    if limits is not None:
        return limits
    return _strength(cid, domain, walk, qualifier, kind, ev)


def _limits(cid: str, domain: str, walk: _SpfWalk, ev: dict[str, Any]) -> CheckResult | None:
    """The permerrors: syntax and evaluation errors, 10 lookups, 2 void lookups."""
    if walk.errors:
        ev["errors"] = [en for _, en in walk.errors]
        return result(cid, domain, "fail",
                      "SPF invalide, les destinataires renvoient « permerror » : "
                      + " ; ".join(fr for fr, _ in walk.errors[:3]) + ".",
                      "Invalid SPF, receivers return 'permerror': "
                      + "; ".join(en for _, en in walk.errors[:3]) + ".", ev)
    if walk.lookups > SPF_MAX_LOOKUPS:
        more = "plus de " if walk.stopped else ""
        more_en = "more than " if walk.stopped else ""
        return result(cid, domain, "fail",
                      f"SPF demande {more}{walk.lookups} requêtes DNS (maximum 10, {LIMITS}) : "
                      "les destinataires renvoient « permerror ».",
                      f"SPF needs {more_en}{walk.lookups} DNS lookups (limit 10, {LIMITS}): "
                      "receivers return 'permerror'.", ev)
    v4, v6 = walk.void["4"], walk.void["6"]
    if max(v4, v6) > SPF_MAX_VOID:
        fam = "4" if v4 > SPF_MAX_VOID else "6"
        term = clean(walk.void_terms[fam][SPF_MAX_VOID], 120)
        if v4 > SPF_MAX_VOID:
            return result(cid, domain, "fail",
                          f"SPF fait {v4} requêtes sans réponse (maximum {SPF_MAX_VOID}, "
                          f"{LIMITS}) : « {term} » dépasse la limite, les destinataires "
                          "renvoient « permerror ».",
                          f"SPF makes {v4} void lookups (limit {SPF_MAX_VOID}, {LIMITS}): "
                          f"'{term}' goes past the limit, receivers return 'permerror'.", ev)
        return result(cid, domain, "warn",
                      f"Pour le courriel envoyé en IPv6, SPF fait {v6} requêtes AAAA sans "
                      f"réponse (maximum {SPF_MAX_VOID}, {LIMITS}) : « {term} » dépasse la "
                      "limite et ces envois obtiennent « permerror ».",
                      f"For mail sent over IPv6, SPF makes {v6} void AAAA lookups (limit "
                      f"{SPF_MAX_VOID}, {LIMITS}): '{term}' goes past the limit and such mail "
                      "gets 'permerror'.", ev)
    return None


def _strength(cid: str, domain: str, walk: _SpfWalk, qualifier: str | None, kind: str,
              ev: dict[str, Any]) -> CheckResult:
    """A valid SPF: how strongly it asks receivers to reject forgeries."""
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
                  f"SPF valide, se termine par « {end} » "
                  f"({plural(walk.lookups, 'requête DNS', 'requêtes DNS', 'fr')}).",
                  f"Valid SPF ending with '{end}' "
                  f"({plural(walk.lookups, 'DNS lookup', 'DNS lookups', 'en')}).", ev)
