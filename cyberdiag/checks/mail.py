"""E-mail checks: MX, SPF, DMARC, DKIM, MTA-STS, TLS-RPT, STARTTLS, DANE, free provider.

Each function is `fn(ctx, domain) -> CheckResult`; network trouble raises NotTested. Records are
content from strangers: parsers are bounded and raise ParseError only; the SPF walk is bounded in
lookups, depth and time.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from cyberdiag.checks import lookups as lk
from cyberdiag.checks.base import CheckContext, CheckFn, result
from cyberdiag.checks.parsers import ParseError
from cyberdiag.checks.parsers.dkim import parse_dkim
from cyberdiag.checks.parsers.dmarc import is_dmarc, mailto_domain, parse_dmarc
from cyberdiag.checks.parsers.mtasts import is_sts_txt, mx_matches, parse_sts_policy, parse_sts_txt
from cyberdiag.checks.parsers.psl import org_domain
from cyberdiag.checks.parsers.spf import is_spf, parse_spf
from cyberdiag.checks.parsers.tlsrpt import is_tlsrpt, parse_tlsrpt
from cyberdiag.errors import NotTested
from cyberdiag.models import CheckResult, Status
from cyberdiag.net import budget, smtp
from cyberdiag.net.text import clean

SPF_MAX_LOOKUPS = 10
SPF_MAX_VOID = 2
SPF_HARD_STOP = 20  # we stop walking after this many lookups (a verdict is certain by then)
SPF_MAX_DEPTH = 12
# Selectors of the usual providers (Microsoft 365, Google, Mailchimp, OVH/Gandi/o2switch
# defaults...). Kept short: each one is a DNS query per domain.
COMMON_DKIM_SELECTORS = (
    "default", "selector1", "selector2", "google", "k1", "s1", "s2", "dkim", "mail", "key1",
    "mailjet", "smtp",
)
FREE_PROVIDERS = (
    "orange.fr", "wanadoo.fr", "gmail.com", "googlemail.com", "free.fr", "laposte.net",
    "sfr.fr", "neuf.fr", "club-internet.fr", "hotmail.com", "hotmail.fr", "outlook.com",
    "outlook.fr", "live.com", "live.fr", "msn.com", "yahoo.com", "yahoo.fr", "aol.com",
    "aol.fr", "gmx.fr", "gmx.com", "gmx.net", "icloud.com", "me.com", "bbox.fr", "numericable.fr",
    "protonmail.com", "proton.me", "mail.com", "yandex.com", "yandex.ru", "ymail.com",
)
MAX_STARTTLS_TARGETS = 10
CERT_WARN_DAYS = 14


def _days_left(tls_evidence: dict[str, Any]) -> float:
    """Days until the certificate in a TlsInfo evidence dict expires (inf if unknown)."""
    from datetime import UTC, datetime

    cert = tls_evidence.get("certificate") or {}
    try:
        end = datetime.fromisoformat(str(cert["not_after"]))
    except (KeyError, ValueError):
        return float("inf")
    return (end - datetime.now(UTC)).total_seconds() / 86400


def _na_no_mail(cid: str, domain: str, kind: str) -> CheckResult:
    if kind == "null":
        fr = "Sans objet : le domaine déclare ne recevoir aucun courriel (MX nul)."
        en = "Not applicable: the domain declares it receives no mail (null MX)."
    else:
        fr = "Sans objet : le domaine n'a pas de serveur de messagerie (MX)."
        en = "Not applicable: the domain has no mail server (MX)."
    from cyberdiag.models import Text

    return result(cid, domain, "not_applicable", fr, en, {"mx": kind},
                  reason=Text(fr=fr, en=en))


def _mail_kind_or_unknown(ctx: CheckContext, domain: str) -> str:
    """Like _mail_kind for checks that only use it as a hint: "unknown" on network trouble."""
    try:
        return _mail_kind(ctx, domain)[0]
    except NotTested:
        return "unknown"


def _mail_kind(ctx: CheckContext, domain: str) -> tuple[str, list[str]]:
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


# ------------------------------------------------------------------------------------------
# mail.mx
# ------------------------------------------------------------------------------------------


def check_mx(ctx: CheckContext, domain: str) -> CheckResult:
    cid = "mail.mx"
    ans, pairs = lk.mx_hosts(ctx, domain)
    ev: dict[str, Any] = {"mx": [f"{p} {h}" for p, h in pairs][:20]}
    if ans.status == "nxdomain":
        return result(cid, domain, "fail", f"Le domaine {domain} n'existe pas (NXDOMAIN).",
                      f"The domain {domain} does not exist (NXDOMAIN).", ev)
    if not pairs:
        addrs = lk.addresses(ctx, domain)
        ev["a"] = addrs[:10]
        if addrs:
            return result(cid, domain, "warn",
                          "Aucun MX : les courriels partent vers l'adresse du domaine par défaut. "
                          "Publier des MX, ou un « MX nul » si le domaine ne reçoit pas de mail.",
                          "No MX: mail goes to the domain's own address by default. Publish MX "
                          "records, or a 'null MX' if the domain receives no mail.", ev)
        return result(cid, domain, "warn",
                      "Aucun MX : le domaine ne reçoit pas de courriel. Publier un « MX nul » "
                      "(0 .) pour le dire explicitement.",
                      "No MX: the domain receives no mail. Publish a 'null MX' (0 .) to say "
                      "so explicitly.", ev)
    if any(h == "." for _, h in pairs):
        if lk.is_null_mx(pairs):
            return result(cid, domain, "pass",
                          "MX nul : le domaine déclare explicitement ne recevoir aucun courriel.",
                          "Null MX: the domain explicitly declares it receives no mail.", ev)
        return result(cid, domain, "fail",
                      "Un « MX nul » est mélangé à d'autres MX : configuration invalide.",
                      "A 'null MX' is mixed with other MX records: invalid configuration.", ev)
    hosts = list(dict.fromkeys(h.rstrip(".") for _, h in pairs))[: lk.MAX_MX]
    addr_lists = lk.parallel(ctx, lambda h: lk.addresses(ctx, h), hosts)
    nt = lk.first_not_tested(addr_lists)
    if nt is not None:
        raise nt
    ev["addresses"] = {h: a[:4] for h, a in zip(hosts, addr_lists, strict=True)
                       if isinstance(a, list)}
    missing = [h for h, a in zip(hosts, addr_lists, strict=True) if not a]
    if missing:
        return result(cid, domain, "fail",
                      f"Serveur(s) de messagerie sans adresse : {', '.join(missing)}.",
                      f"Mail server(s) without an address: {', '.join(missing)}.", ev)
    return result(cid, domain, "pass",
                  f"{len(hosts)} serveur(s) de messagerie : {', '.join(hosts)}.",
                  f"{len(hosts)} mail server(s): {', '.join(hosts)}.", ev)


# ------------------------------------------------------------------------------------------
# mail.spf
# ------------------------------------------------------------------------------------------


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
    kind = _mail_kind_or_unknown(ctx, domain)
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


# ------------------------------------------------------------------------------------------
# mail.dmarc
# ------------------------------------------------------------------------------------------


def _dmarc_records(ctx: CheckContext, name: str) -> list[str]:
    ans = lk.txt(ctx, f"_dmarc.{name}")
    return [r for r in ans.records if is_dmarc(r)]


def _authorised(ctx: CheckContext, domain: str, dest: str) -> bool:
    ans = lk.txt(ctx, f"{domain}._report._dmarc.{dest}")
    return any(is_dmarc(r) for r in ans.records)


def check_dmarc(ctx: CheckContext, domain: str) -> CheckResult:  # noqa: C901 - one verdict
    cid = "mail.dmarc"
    where = domain
    recs = _dmarc_records(ctx, domain)
    org = org_domain(domain)
    inherited = False
    if not recs and org and org != domain:
        recs = _dmarc_records(ctx, org)
        where, inherited = org, bool(recs)
    ev: dict[str, Any] = {"name": f"_dmarc.{where}",
                          "records": [clean(r, 512) for r in recs][:5],
                          "organisational_domain": org}
    if not recs:
        return result(cid, domain, "fail",
                      "Aucune politique DMARC : les usurpations du domaine ne sont ni bloquées "
                      "ni signalées.",
                      "No DMARC policy: forgeries of the domain are neither blocked nor "
                      "reported.", ev)
    if len(recs) > 1:
        return result(cid, domain, "fail",
                      f"{len(recs)} enregistrements DMARC : DMARC est ignoré par les "
                      "destinataires.",
                      f"{len(recs)} DMARC records: receivers ignore DMARC.", ev)
    try:
        rec = parse_dmarc(recs[0])
    except ParseError as exc:
        ev["error"] = exc.en
        return result(cid, domain, "fail", f"DMARC invalide : {exc.fr}.",
                      f"Invalid DMARC: {exc.en}.", ev)
    policy = rec.subdomain_policy if inherited else rec.p
    ev.update({"p": rec.p, "sp": rec.sp, "pct": rec.pct, "rua": list(rec.rua)[:10],
               "ruf": list(rec.ruf)[:10], "effective_policy": policy, "inherited": inherited})
    own_org = org or domain
    dests = sorted({d for d in (mailto_domain(u) for u in rec.rua + rec.ruf) if d})[:10]
    unauthorised = [d for d in dests
                    if (org_domain(d) or d) != own_org and not _authorised(ctx, where, d)]
    ev["unauthorised_destinations"] = unauthorised
    issues_fr: list[str] = []
    issues_en: list[str] = []
    status: Status = "pass"
    if policy == "none":
        status = "warn"
        issues_fr.append("politique « p=none » : les usurpations sont seulement observées, pas "
                         "bloquées")
        issues_en.append("policy 'p=none': forgeries are only monitored, not blocked")
    if not inherited and rec.sp == "none" and rec.p != "none":
        status = "warn"
        issues_fr.append("« sp=none » : les sous-domaines ne sont pas protégés")
        issues_en.append("'sp=none': subdomains are not protected")
    if rec.pct < 100 and policy != "none":
        status = "warn"
        issues_fr.append(f"« pct={rec.pct} » : la politique ne s'applique qu'à {rec.pct} % des "
                         "messages")
        issues_en.append(f"'pct={rec.pct}': the policy applies to {rec.pct}% of messages only")
    if not rec.rua:
        status = "warn"
        issues_fr.append("pas d'adresse de rapports (rua) : personne ne voit les usurpations")
        issues_en.append("no report address (rua): nobody sees the forgeries")
    if unauthorised:
        status = "warn"
        issues_fr.append("destinataire(s) de rapports externe(s) non autorisé(s) : "
                         + ", ".join(unauthorised))
        issues_en.append("external report destination(s) not authorised: "
                         + ", ".join(unauthorised))
    src_fr = f" (hérité de {where})" if inherited else ""
    src_en = f" (inherited from {where})" if inherited else ""
    if status == "pass":
        return result(cid, domain, "pass",
                      f"DMARC en place avec la politique « {policy} »{src_fr}.",
                      f"DMARC in place with policy '{policy}'{src_en}.", ev)
    return result(cid, domain, status, f"DMARC{src_fr} : " + " ; ".join(issues_fr) + ".",
                  f"DMARC{src_en}: " + "; ".join(issues_en) + ".", ev)


# ------------------------------------------------------------------------------------------
# mail.dkim
# ------------------------------------------------------------------------------------------


def check_dkim(ctx: CheckContext, domain: str) -> CheckResult:  # noqa: C901 - one verdict
    cid = "mail.dkim"
    kind = _mail_kind_or_unknown(ctx, domain)
    if kind in ("null", "nxdomain"):
        return _na_no_mail(cid, domain, "null" if kind == "null" else "none")
    declared = list(ctx.profile.dkim_selectors) if ctx.profile else []
    candidates = list(dict.fromkeys(declared))
    base = lk.lookup(ctx, f"_domainkey.{domain}", "TXT")
    if base.status != "nxdomain":
        candidates += [s for s in COMMON_DKIM_SELECTORS if s not in candidates]
    answers = lk.parallel(ctx, lambda s: lk.txt(ctx, f"{s}._domainkey.{domain}"), candidates,
                          workers=len(candidates))
    found: dict[str, str] = {}
    trouble: list[Exception] = []
    for sel, ans in zip(candidates, answers, strict=True):
        if isinstance(ans, NotTested) and sel in declared:
            raise ans
        if isinstance(ans, Exception):
            trouble.append(ans)
            continue
        recs = [r for r in ans.records if "p=" in r or r.startswith("v=DKIM1")]
        if recs:
            found[sel] = recs[0]
    ev: dict[str, Any] = {"declared": declared, "tried": candidates,
                          "found": {s: clean(t, 200) for s, t in found.items()}}
    missing = [s for s in declared if s not in found]
    if not found and trouble:  # cannot tell "unknown" from network trouble
        first = trouble[0]
        if isinstance(first, NotTested):
            raise NotTested(first.reason.fr, first.reason.en, ev)
        raise first
    if not found:
        if declared:
            return result(cid, domain, "fail",
                          f"Aucune clé DKIM trouvée pour les sélecteurs déclarés "
                          f"({', '.join(declared)}) : les messages ne sont pas signés.",
                          f"No DKIM key found for the declared selectors ({', '.join(declared)}): "
                          "messages are not signed.", ev)
        return result(cid, domain, "warn",
                      "DKIM inconnu : aucun sélecteur courant trouvé. Ce n'est pas forcément une "
                      "absence : indiquer les sélecteurs DKIM dans le profil (dkim_selectors).",
                      "DKIM unknown: no common selector found. This does not prove DKIM is "
                      "missing: list the DKIM selectors in the profile (dkim_selectors).", ev)
    problems_fr: list[str] = []
    problems_en: list[str] = []
    status: Status = "pass"
    keys: dict[str, str] = {}
    good = 0
    for sel, text in found.items():
        try:
            key = parse_dkim(text)
        except ParseError as exc:
            status = "fail"
            problems_fr.append(f"{sel} : {exc.fr}")
            problems_en.append(f"{sel}: {exc.en}")
            keys[sel] = "invalid"
            continue
        keys[sel] = "revoked" if key.revoked else f"{key.key_type} {key.bits}"
        if key.revoked:
            continue
        if key.key_type == "rsa" and key.bits < 1024:
            status = "fail"
            problems_fr.append(f"{sel} : clé RSA de {key.bits} bits, trop faible")
            problems_en.append(f"{sel}: {key.bits}-bit RSA key, too weak")
        elif key.key_type == "rsa" and key.bits < 2048:
            status = "warn" if status == "pass" else status
            problems_fr.append(f"{sel} : clé RSA de {key.bits} bits (2048 recommandés)")
            problems_en.append(f"{sel}: {key.bits}-bit RSA key (2048 recommended)")
        else:
            good += 1
        if key.testing:
            status = "warn" if status == "pass" else status
            problems_fr.append(f"{sel} : clé en mode test (t=y)")
            problems_en.append(f"{sel}: key in testing mode (t=y)")
    ev["keys"] = keys
    if missing:
        status = "fail"
        problems_fr.append("sélecteur(s) déclaré(s) introuvable(s) : " + ", ".join(missing))
        problems_en.append("declared selector(s) not found: " + ", ".join(missing))
    if status == "pass" and not good:
        status = "warn"
        problems_fr.append("seules des clés révoquées sont publiées")
        problems_en.append("only revoked keys are published")
    if status == "pass":
        return result(cid, domain, "pass",
                      "Clé(s) DKIM publiée(s) : " + ", ".join(f"{s} ({k})" for s, k in keys.items())
                      + ".",
                      "DKIM key(s) published: " + ", ".join(f"{s} ({k})" for s, k in keys.items())
                      + ".", ev)
    return result(cid, domain, status, "DKIM : " + " ; ".join(problems_fr) + ".",
                  "DKIM: " + "; ".join(problems_en) + ".", ev)


# ------------------------------------------------------------------------------------------
# mail.mta_sts and mail.tls_rpt
# ------------------------------------------------------------------------------------------


def _single_txt(ctx: CheckContext, cid: str, domain: str, name: str,
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


def check_mta_sts(ctx: CheckContext, domain: str) -> CheckResult:  # noqa: C901 - one verdict
    cid = "mail.mta_sts"
    kind, hosts = _mail_kind(ctx, domain)
    if kind != "ok":
        return _na_no_mail(cid, domain, kind)
    found = _single_txt(ctx, cid, domain, f"_mta-sts.{domain}", is_sts_txt, "txt", "MTA-STS",
                        "Pas de MTA-STS : le chiffrement des courriels reçus peut être retiré "
                        "par un attaquant placé sur le réseau.",
                        "No MTA-STS: encryption of incoming mail can be stripped by an attacker "
                        "on the network.")
    if isinstance(found, CheckResult):
        return found
    record, ev = found
    try:
        parse_sts_txt(record)
    except ParseError as exc:
        return result(cid, domain, "fail", f"Enregistrement MTA-STS invalide : {exc.fr}.",
                      f"Invalid MTA-STS record: {exc.en}.", ev)
    host = f"mta-sts.{domain}"
    ips = lk.addresses(ctx, host)
    ev["policy_host"] = host
    ev["policy_host_addresses"] = ips[:4]
    if not ips:
        return result(cid, domain, "fail",
                      f"MTA-STS annoncé mais {host} n'a pas d'adresse : la politique est "
                      "introuvable.",
                      f"MTA-STS announced but {host} has no address: the policy cannot be "
                      "fetched.", ev)
    from cyberdiag.net import http

    try:
        resp = http.fetch_first(host, ips, "/.well-known/mta-sts.txt",
                                timeout=budget.remaining(ctx.timeout), max_bytes=65536)
    except http.HttpProtocolError as exc:
        ev["error"] = exc.reason.en
        return result(cid, domain, "fail",
                      f"La politique MTA-STS n'est pas servie correctement en HTTPS "
                      f"({exc.reason.fr}).",
                      f"The MTA-STS policy is not served properly over HTTPS ({exc.reason.en}).",
                      ev)
    ev["http_status"] = resp.status
    if resp.tls is not None:
        ev["tls"] = {"version": resp.tls.version, "verified": resp.tls.verified,
                     "verify_error": resp.tls.verify_error}
    if resp.tls is None or not resp.tls.verified:
        return result(cid, domain, "fail",
                      f"Le certificat HTTPS de {host} n'est pas valide : les serveurs "
                      "expéditeurs ignorent la politique MTA-STS.",
                      f"The HTTPS certificate of {host} is not valid: sending servers ignore "
                      "the MTA-STS policy.", ev)
    if resp.status != 200:
        return result(cid, domain, "fail",
                      f"La politique MTA-STS est introuvable (HTTP {resp.status}).",
                      f"The MTA-STS policy cannot be fetched (HTTP {resp.status}).", ev)
    body = resp.body.decode("utf-8", "replace")
    ev["policy"] = clean(body, 1000)
    try:
        policy = parse_sts_policy(body)
    except ParseError as exc:
        return result(cid, domain, "fail", f"Politique MTA-STS invalide : {exc.fr}.",
                      f"Invalid MTA-STS policy: {exc.en}.", ev)
    ev.update({"mode": policy.mode, "mx_patterns": list(policy.mx), "max_age": policy.max_age})
    unmatched = [h for h in hosts if not any(mx_matches(p, h) for p in policy.mx)]
    if unmatched and policy.mode != "none":
        ev["unmatched_mx"] = unmatched
        return result(cid, domain, "fail",
                      f"La politique MTA-STS ne couvre pas le(s) MX {', '.join(unmatched)} : en "
                      "mode enforce, les courriels vers ces serveurs seraient refusés.",
                      f"The MTA-STS policy does not cover MX {', '.join(unmatched)}: in enforce "
                      "mode, mail to these servers would be refused.", ev)
    if policy.mode != "enforce":
        return result(cid, domain, "warn",
                      f"MTA-STS en mode « {policy.mode} » : pas encore de protection effective. "
                      "Passer en « enforce » une fois les rapports TLS-RPT vérifiés.",
                      f"MTA-STS in '{policy.mode}' mode: no effective protection yet. Switch to "
                      "'enforce' once TLS-RPT reports look clean.", ev)
    if policy.max_age < 86400:
        return result(cid, domain, "warn",
                      f"MTA-STS en mode enforce mais max_age={policy.max_age} s est très court.",
                      f"MTA-STS in enforce mode but max_age={policy.max_age}s is very short.", ev)
    return result(cid, domain, "pass", "MTA-STS en mode « enforce », couvrant tous les MX.",
                  "MTA-STS in 'enforce' mode, covering every MX.", ev)


def check_tls_rpt(ctx: CheckContext, domain: str) -> CheckResult:
    cid = "mail.tls_rpt"
    kind, _ = _mail_kind(ctx, domain)
    if kind != "ok":
        return _na_no_mail(cid, domain, kind)
    found = _single_txt(ctx, cid, domain, f"_smtp._tls.{domain}", is_tlsrpt, "records",
                        "TLS-RPT",
                        "Pas de TLS-RPT : aucun rapport sur les échecs de chiffrement des "
                        "courriels reçus.",
                        "No TLS-RPT: no reports on encryption failures of incoming mail.")
    if isinstance(found, CheckResult):
        return found
    record, ev = found
    try:
        rec = parse_tlsrpt(record)
    except ParseError as exc:
        return result(cid, domain, "fail", f"TLS-RPT invalide : {exc.fr}.",
                      f"Invalid TLS-RPT: {exc.en}.", ev)
    ev["rua"] = list(rec.rua)
    return result(cid, domain, "pass", "TLS-RPT en place : " + ", ".join(rec.rua)[:200] + ".",
                  "TLS-RPT in place: " + ", ".join(rec.rua)[:200] + ".", ev)


# ------------------------------------------------------------------------------------------
# mail.starttls and mail.dane (share one SMTP probe per MX address)
# ------------------------------------------------------------------------------------------


def _smtp_probe(ctx: CheckContext, host: str, ip: str) -> dict[str, Any]:
    """Banner/EHLO, then a verified STARTTLS handshake (tls_probe), then the leaf certificate.
    Raises NotTested on network trouble."""

    def compute() -> dict[str, Any]:
        from cyberdiag.net import tls

        out: dict[str, Any] = {"host": host, "ip": ip}
        sock = tls.connect(ip, 25, budget.remaining(ctx.timeout))
        try:
            with tls.watchdog(sock, budget.remaining(ctx.timeout)) as fired:
                try:
                    banner, exts = smtp.smtp_greet(sock, ip)
                except smtp.SmtpError as exc:
                    out.update({"smtp": False, "error": str(exc)})
                    return out
                except NotTested:
                    if fired.is_set():
                        raise NotTested(
                            f"le serveur SMTP {ip} ne répond pas dans le délai",
                            f"the SMTP server {ip} did not answer in time",
                            {"ip": ip, "error": "timeout"}) from None
                    raise
                out.update({"banner": banner, "starttls": "STARTTLS" in exts})
                try:
                    smtp.smtp_command(sock, "QUIT", ip)
                except (NotTested, smtp.SmtpError):
                    pass
        finally:
            sock.close()
        if not out["starttls"]:
            return out
        info = tls.tls_probe(ip, 25, host, budget.remaining(ctx.timeout),
                             starttls=smtp.smtp_starttls(ip))
        out["tls"] = info.evidence()
        out["_info"] = info
        if info.version is None:
            out["legacy"] = tls.legacy_versions(ip, 25, host, budget.remaining(ctx.timeout),
                                                starttls=smtp.smtp_starttls(ip))
        return out

    def with_retry() -> dict[str, Any]:
        try:
            return compute()
        except NotTested:  # network trouble: one retry, if the budget allows
            budget.remaining(ctx.timeout)
            return compute()

    probe: dict[str, Any] = ctx.remember(("smtp", host, ip), with_retry)
    return probe


def _smtp_ders(ctx: CheckContext, host: str, ip: str) -> list[bytes]:
    """The certificate chain (DER, leaf first) the MX presents after STARTTLS, unverified
    (for DANE). Only fetched when a TLSA record needs it. Raises NotTested."""

    def compute() -> list[bytes]:
        from cyberdiag.net import tls

        probe = _smtp_probe(ctx, host, ip)
        if not probe.get("starttls") or not probe.get("tls", {}).get("version"):
            return []
        deadline = time.monotonic() + budget.remaining(ctx.timeout)
        try:
            tsock = tls.open_tls(ip, 25, host, tls.lenient_context(), deadline,
                                 smtp.smtp_starttls(ip))
        except tls.HandshakeFailed:
            return []
        with tsock:
            ders: list[bytes] = []
            leaf = tsock.getpeercert(binary_form=True)
            if leaf:
                ders.append(leaf)
            sslobj: Any = getattr(tsock, "_sslobj", None)
            for obj in (tsock, sslobj):  # public from Python 3.13, private before
                fn = getattr(obj, "get_unverified_chain", None)
                if fn is not None:
                    try:
                        chain = fn() or []
                        ders = [c if isinstance(c, bytes) else c.public_bytes(2)
                                for c in chain] or ders
                    except Exception:  # noqa: BLE001 - best effort: the leaf is enough
                        pass
                    break
        return ders

    ders: list[bytes] = ctx.remember(("smtp_ders", host, ip), compute)
    return ders


def _smtp_targets(ctx: CheckContext, hosts: list[str]) -> list[tuple[str, str]]:
    lists = lk.parallel(ctx, lambda h: lk.addresses(ctx, h), hosts)
    nt = lk.first_not_tested(lists)
    if nt is not None and all(isinstance(x, Exception) for x in lists):
        raise nt
    targets: list[tuple[str, str]] = []
    for host, addrs in zip(hosts, lists, strict=True):
        if isinstance(addrs, Exception):
            continue
        v4 = [a for a in addrs if ":" not in a][:2]
        targets.extend((host, ip) for ip in (v4 or addrs[:1]))
    return targets[:MAX_STARTTLS_TARGETS]


def _public(probe: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in probe.items() if not k.startswith("_")}


def check_starttls(ctx: CheckContext, domain: str) -> CheckResult:  # noqa: C901 - one verdict
    cid = "mail.starttls"
    kind, hosts = _mail_kind(ctx, domain)
    if kind != "ok":
        return _na_no_mail(cid, domain, kind)
    targets = _smtp_targets(ctx, hosts)
    if not targets:
        return result(cid, domain, "fail", "Aucun serveur de messagerie n'a d'adresse.",
                      "No mail server has an address.", {"mx": hosts})
    probes = lk.parallel(ctx, lambda t: _smtp_probe(ctx, t[0], t[1]), targets)
    tested: list[dict[str, Any]] = []
    untested: list[str] = []
    for (host, ip), p in zip(targets, probes, strict=True):
        if isinstance(p, NotTested):
            untested.append(f"{host} ({ip}): {p.reason.en}")
        elif isinstance(p, Exception):
            raise p
        else:
            tested.append(p)
    ev: dict[str, Any] = {"servers": [_public(p) for p in tested], "not_tested": untested}
    if not tested:
        first = next(p for p in probes if isinstance(p, NotTested))
        raise NotTested(first.reason.fr, first.reason.en, ev)
    no_tls = [p["host"] for p in tested if not p.get("starttls")]
    broken = [p["host"] for p in tested if p.get("starttls") and p.get("tls", {}).get("version")
              is None and not p.get("legacy")]
    legacy = [p["host"] for p in tested if p.get("legacy") or (
        p.get("tls", {}).get("version") in ("TLSv1", "TLSv1.1"))]
    unverified = [f"{p['host']} ({p['tls'].get('verify_error')})" for p in tested
                  if p.get("tls", {}).get("version") and not p["tls"].get("verified")]
    expiring = [p["host"] for p in tested if p.get("tls", {}).get("verified")
                and _days_left(p["tls"]) < CERT_WARN_DAYS]
    note_fr = f" ({len(untested)} serveur(s) non testé(s))" if untested else ""
    note_en = f" ({len(untested)} server(s) not tested)" if untested else ""
    if no_tls or broken:
        bad = list(dict.fromkeys(no_tls + broken))
        return result(cid, domain, "fail",
                      f"Pas de chiffrement STARTTLS utilisable sur {', '.join(bad)} : les "
                      f"courriels reçus circulent en clair{note_fr}.",
                      f"No usable STARTTLS encryption on {', '.join(bad)}: incoming mail "
                      f"travels in clear text{note_en}.", ev)
    problems_fr: list[str] = []
    problems_en: list[str] = []
    if legacy:
        problems_fr.append("version TLS obsolète (1.0/1.1) sur " + ", ".join(legacy))
        problems_en.append("obsolete TLS version (1.0/1.1) on " + ", ".join(legacy))
    if unverified:
        problems_fr.append("certificat non valide sur " + ", ".join(unverified))
        problems_en.append("invalid certificate on " + ", ".join(unverified))
    if expiring:
        problems_fr.append(f"certificat expirant dans moins de {CERT_WARN_DAYS} jours sur "
                           + ", ".join(expiring))
        problems_en.append(f"certificate expiring within {CERT_WARN_DAYS} days on "
                           + ", ".join(expiring))
    if problems_fr:
        return result(cid, domain, "warn", "STARTTLS : " + " ; ".join(problems_fr) + note_fr + ".",
                      "STARTTLS: " + "; ".join(problems_en) + note_en + ".", ev)
    versions = sorted({p["tls"]["version"] for p in tested})
    return result(cid, domain, "pass",
                  f"STARTTLS sur tous les serveurs testés ({', '.join(versions)}, certificats "
                  f"valides){note_fr}.",
                  f"STARTTLS on every server tested ({', '.join(versions)}, valid "
                  f"certificates){note_en}.", ev)


def _tlsa_matches(rdata: Any, ders: list[bytes]) -> bool:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    usage, selector, mtype = int(rdata.usage), int(rdata.selector), int(rdata.mtype)
    candidates = ders[:1] if usage in (1, 3) else ders[1:]
    for der in candidates:
        try:
            data = der if selector == 0 else x509.load_der_x509_certificate(
                der).public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        except Exception:  # noqa: BLE001,S112 - unparsable certificate: no match
            continue
        if mtype == 0:
            digest = data
        elif mtype == 1:
            digest = hashlib.sha256(data).digest()
        elif mtype == 2:
            digest = hashlib.sha512(data).digest()
        else:
            continue
        if digest == rdata.cert:
            return True
    return False


def check_dane(ctx: CheckContext, domain: str) -> CheckResult:  # noqa: C901 - one verdict
    from cyberdiag.checks.dns import zone_of

    cid = "mail.dane"
    kind, hosts = _mail_kind(ctx, domain)
    if kind != "ok":
        return _na_no_mail(cid, domain, kind)
    answers = lk.parallel(ctx, lambda h: lk.lookup(ctx, f"_25._tcp.{h}", "TLSA"), hosts)
    nt = lk.first_not_tested(answers)
    if nt is not None:
        raise nt
    with_tlsa = {h: a for h, a in zip(hosts, answers, strict=True)
                 if not isinstance(a, Exception) and a.status == "ok"}
    ev: dict[str, Any] = {"tlsa": {h: [clean(r, 200) for r in a.records][:5]
                                   for h, a in with_tlsa.items()}}
    if not with_tlsa:
        signed = lk.lookup(ctx, zone_of(ctx, hosts[0]), "DNSKEY").status == "ok"
        ev["mx_zone_signed"] = signed
        if not signed:
            from cyberdiag.models import Text

            fr = ("Sans objet : pas d'enregistrement TLSA, et la zone des serveurs de messagerie "
                  "n'est pas signée (DANE exige DNSSEC).")
            en = ("Not applicable: no TLSA record, and the mail servers' zone is not signed "
                  "(DANE requires DNSSEC).")
            return result(cid, domain, "not_applicable", fr, en, ev, reason=Text(fr=fr, en=en))
        return result(cid, domain, "warn",
                      "Pas de DANE (TLSA) alors que la zone est signée : les expéditeurs ne "
                      "peuvent pas authentifier vos serveurs de messagerie.",
                      "No DANE (TLSA) although the zone is signed: senders cannot authenticate "
                      "your mail servers.", ev)
    missing = [h for h in hosts if h not in with_tlsa]
    problems_fr: list[str] = []
    problems_en: list[str] = []
    status: Status = "pass"
    validated: dict[str, bool] = {}
    for host in with_tlsa:
        try:
            validated[host] = lk.lookup(ctx, f"_25._tcp.{host}", "TLSA", cd=False).ad
        except NotTested:
            validated[host] = False
            status = "fail"
            problems_fr.append(f"TLSA de {host} rejeté par le résolveur qui valide (DNSSEC cassé)")
            problems_en.append(f"TLSA of {host} rejected by the validating resolver (broken "
                               "DNSSEC)")
    ev["dnssec_validated"] = validated
    not_signed = [h for h, ok in validated.items() if not ok]
    if not_signed and status == "pass":
        status = "warn"
        problems_fr.append("TLSA non protégé par DNSSEC (selon le résolveur) : "
                           + ", ".join(not_signed))
        problems_en.append("TLSA not protected by DNSSEC (per the resolver): "
                           + ", ".join(not_signed))
    matches: dict[str, Any] = {}
    for host, ans in with_tlsa.items():
        targets = _smtp_targets(ctx, [host])
        for _h, ip in targets[:2]:
            try:
                ders = _smtp_ders(ctx, host, ip)
            except NotTested as exc:
                matches[f"{host} {ip}"] = f"not tested: {exc.reason.en}"
                continue
            if not ders:
                matches[f"{host} {ip}"] = "no certificate (no STARTTLS)"
                status = "fail"
                problems_fr.append(f"{host} : pas de certificat STARTTLS à comparer au TLSA")
                problems_en.append(f"{host}: no STARTTLS certificate to compare with TLSA")
                continue
            ok = any(_tlsa_matches(r, ders) for r in ans.rrset)
            matches[f"{host} {ip}"] = "match" if ok else "no match"
            if not ok:
                status = "fail"
                problems_fr.append(f"le certificat de {host} ne correspond à aucun TLSA : les "
                                   "expéditeurs DANE refuseront de livrer")
                problems_en.append(f"the certificate of {host} matches no TLSA: DANE senders "
                                   "will refuse to deliver")
    ev["matches"] = matches
    if matches and all(str(v).startswith("not tested") for v in matches.values()):
        raise NotTested("aucun serveur de messagerie n'a pu être joint pour comparer le TLSA",
                        "no mail server could be reached to compare the TLSA", ev)
    if missing and status == "pass":
        status = "warn"
        problems_fr.append("MX sans TLSA : " + ", ".join(missing))
        problems_en.append("MX without TLSA: " + ", ".join(missing))
    if status == "pass":
        return result(cid, domain, "pass",
                      "DANE en place : les enregistrements TLSA correspondent aux certificats.",
                      "DANE in place: the TLSA records match the certificates.", ev)
    return result(cid, domain, status, "DANE : " + " ; ".join(problems_fr) + ".",
                  "DANE: " + "; ".join(problems_en) + ".", ev)


# ------------------------------------------------------------------------------------------
# mail.free_provider (profile-scoped: run once per run)
# ------------------------------------------------------------------------------------------


def check_free_provider(ctx: CheckContext, target: str) -> CheckResult:
    from cyberdiag.models import Text

    cid = "mail.free_provider"
    email = ctx.profile.official_email if ctx.profile else None
    if not email:
        fr = "Sans objet : pas d'adresse officielle dans le profil (official_email)."
        en = "Not applicable: no official address in the profile (official_email)."
        return result(cid, target, "not_applicable", fr, en, reason=Text(fr=fr, en=en))
    dom = email.rsplit("@", 1)[-1].strip().lower().rstrip(".")
    org = org_domain(dom) or dom
    ev = {"official_email": email, "domain": dom}
    if dom in FREE_PROVIDERS or org in FREE_PROVIDERS:
        return result(cid, target, "fail",
                      f"L'adresse officielle {email} est une messagerie grand public : pas de "
                      "maîtrise des comptes, pas de DMARC à votre nom, usurpation facile.",
                      f"The official address {email} is a consumer mailbox: no control over "
                      "accounts, no DMARC in your name, easy to impersonate.", ev)
    return result(cid, target, "pass",
                  f"L'adresse officielle {email} utilise un domaine propre ({dom}).",
                  f"The official address {email} uses the municipality's own domain ({dom}).",
                  ev)


MAIL_CHECKS: dict[str, CheckFn] = {
    "mail.mx": check_mx,
    "mail.spf": check_spf,
    "mail.dmarc": check_dmarc,
    "mail.dkim": check_dkim,
    "mail.mta_sts": check_mta_sts,
    "mail.tls_rpt": check_tls_rpt,
    "mail.starttls": check_starttls,
    "mail.dane": check_dane,
    "mail.free_provider": check_free_provider,
}

# Checks that judge the profile rather than a domain: run once per run.
PROFILE_CHECKS = ("mail.free_provider",)
