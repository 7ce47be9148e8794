"""mail.dmarc: a DMARC policy that blocks forgeries (inherited from the organisational domain if
need be), reports sent somewhere, external report destinations authorised.

The record is read the way receivers apply it (RFC 7489 §6.3-6.4 and §6.6.3, with the
clarifications of RFC 9989, "DMARCbis"): see cyberdiag.checks.parsers.dmarc. Every verdict that
rests on one of those rules cites it.
"""

from __future__ import annotations

import re
from typing import Any

from cyberdiag.checks import lookups as lk
from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.mail.common import Findings
from cyberdiag.checks.parsers.dmarc import (
    DmarcRecord,
    is_dmarc,
    looks_like_dmarc,
    mailto_domain,
    parse_dmarc,
)
from cyberdiag.checks.parsers.psl import org_domain
from cyberdiag.errors import ParseError
from cyberdiag.i18n import one_or_many
from cyberdiag.models import CheckResult
from cyberdiag.net.text import clean

DISCOVERY = "RFC 7489 §6.6.3"
BIS = "RFC 9989 (DMARCbis)"
IGNORED_RULE = f"RFC 7489 §6.3 ; {BIS}"
IGNORED_RULE_EN = f"RFC 7489 §6.3; {BIS}"
# What applies instead of an ignored tag (French, English).
_DEFAULTS: dict[str, tuple[str, str]] = {
    "p": ("p=none s'applique", "p=none applies"),
    "sp": ("la politique p s'applique aussi aux sous-domaines (selon la RFC 7489 §6.6.3, "
           "certains destinataires appliquent même p=none)",
           "policy p applies to subdomains too (under RFC 7489 §6.6.3 some receivers even "
           "apply p=none)"),
    "np": ("la politique sp (ou p) s'applique", "policy sp (or p) applies"),
    "pct": ("la politique s'applique à 100 % des messages", "the policy applies to 100% of "
            "messages"),
    "adkim": ("alignement DKIM relâché (r)", "relaxed DKIM alignment (r)"),
    "aspf": ("alignement SPF relâché (r)", "relaxed SPF alignment (r)"),
    "fo": ("fo=0", "fo=0"),
    "rf": ("format afrf", "afrf format"),
    "ri": ("rapports quotidiens", "daily reports"),
    "psd": ("psd=u", "psd=u"),
    "t": ("t=n", "t=n"),
    "rua": ("pas de rapports vers cette adresse", "no reports to this address"),
    "ruf": ("pas de rapports vers cette adresse", "no reports to this address"),
}


def _texts(ctx: CheckContext, name: str) -> list[str]:
    return list(lk.txt(ctx, f"_dmarc.{name}").records)


def _authorised(ctx: CheckContext, domain: str, dest: str) -> bool:
    ans = lk.txt(ctx, f"{domain}._report._dmarc.{dest}")
    return any(is_dmarc(r) for r in ans.records)


def check_dmarc(ctx: CheckContext, domain: str) -> CheckResult:
    cid = "mail.dmarc"
    where = domain
    texts = _texts(ctx, domain)
    recs = [r for r in texts if is_dmarc(r)]
    discarded = [r for r in texts if looks_like_dmarc(r)]
    org = org_domain(domain)
    inherited = False
    if not recs and org and org != domain:
        org_texts = _texts(ctx, org)
        recs = [r for r in org_texts if is_dmarc(r)]
        if recs:
            where, inherited = org, True
        else:
            discarded += [r for r in org_texts if looks_like_dmarc(r)]
    ev: dict[str, Any] = {"name": f"_dmarc.{where}",
                          "records": [clean(r, 512) for r in recs][:5],
                          "organisational_domain": org}
    if not recs:
        return _no_record(cid, domain, discarded, ev)
    if len(recs) > 1:
        return result(cid, domain, "fail",
                      f"{len(recs)} enregistrements DMARC sur _dmarc.{where} : les destinataires "
                      f"n'en appliquent aucun ({DISCOVERY}). N'en garder qu'un.",
                      f"{len(recs)} DMARC records at _dmarc.{where}: receivers apply none of "
                      f"them ({DISCOVERY}). Keep only one.", ev)
    try:
        rec = parse_dmarc(recs[0])
    except ParseError as exc:
        ev["error"] = exc.en
        return result(cid, domain, "fail",
                      f"DMARC invalide : {exc.fr} ; les destinataires ignorent l'enregistrement "
                      "(RFC 7489 §6.3, RFC 6376 §3.2).",
                      f"Invalid DMARC: {exc.en}; receivers ignore the record (RFC 7489 §6.3, "
                      "RFC 6376 §3.2).", ev)
    return _judge(ctx, cid, domain, where, inherited, org or domain, rec, ev)


def _no_record(cid: str, domain: str, discarded: list[str], ev: dict[str, Any]) -> CheckResult:
    """No DMARC record applies: fail, explaining why a look-alike record does not count."""
    if not discarded:
        return result(cid, domain, "fail",
                      "Aucune politique DMARC : les usurpations du domaine ne sont ni bloquées "
                      "ni signalées.",
                      "No DMARC policy: forgeries of the domain are neither blocked nor "
                      "reported.", ev)
    text = discarded[0]
    shown = clean(text, 80)
    ev["discarded"] = [clean(r, 512) for r in discarded][:5]
    if text[:1] in (" ", "\t"):
        why_fr, why_en = "un espace précède « v »", "a space comes before 'v'"
    elif re.match(r"[vV][ \t]*=[ \t]*DMARC1", text):
        why_fr, why_en = "« ; » doit suivre « v=DMARC1 »", "';' must follow 'v=DMARC1'"
    elif re.match(r"v[ \t]*=[ \t]*dmarc1", text, re.IGNORECASE):
        why_fr, why_en = "DMARC1 doit être en majuscules", "DMARC1 must be in capitals"
    else:
        why_fr, why_en = "du texte précède « v=DMARC1 »", "some text comes before 'v=DMARC1'"
    return result(cid, domain, "fail",
                  f"Aucun enregistrement DMARC valide : « {shown} » ne commence pas exactement "
                  f"par « v=DMARC1 » ({why_fr}), donc les destinataires l'ignorent "
                  f"({DISCOVERY} ; syntaxe : RFC 7489 §6.4).",
                  f"No valid DMARC record: '{shown}' does not start exactly with 'v=DMARC1' "
                  f"({why_en}), so receivers ignore it ({DISCOVERY}; syntax: RFC 7489 §6.4).",
                  ev)


def _judge(ctx: CheckContext, cid: str, domain: str, where: str, inherited: bool,
           own_org: str, rec: DmarcRecord, ev: dict[str, Any]) -> CheckResult:
    """One valid DMARC record: its policy, reports, and the parts receivers ignore."""
    policy = rec.subdomain_policy if inherited else rec.p
    ev.update({"p": rec.p, "sp": rec.sp, "pct": rec.pct, "rua": list(rec.rua)[:10],
               "ruf": list(rec.ruf)[:10], "effective_policy": policy, "inherited": inherited,
               "p_state": rec.p_state,
               "ignored": [{"tag": i.tag, "value": clean(i.value, 60), "why": i.en}
                           for i in rec.ignored][:20]})
    if rec.unknown:
        ev["unknown_tags"] = [clean(t, 30) for t in rec.unknown][:10]
    dests = sorted({d for d in (mailto_domain(u) for u in rec.rua + rec.ruf) if d})[:10]
    unauthorised = [d for d in dests
                    if (org_domain(d) or d) != own_org and not _authorised(ctx, where, d)]
    ev["unauthorised_destinations"] = unauthorised
    found = Findings()
    _ignored_findings(rec, found)
    if rec.p_state == "missing":
        found.add("warn", f"pas de balise « p » : les destinataires appliquent p=none "
                  f"({DISCOVERY} ; {BIS})",
                  f"no 'p' tag: receivers apply p=none ({DISCOVERY}; {BIS})")
    elif policy == "none":
        found.add("warn", "politique « p=none » : les usurpations sont seulement observées, pas "
                  "bloquées", "policy 'p=none': forgeries are only monitored, not blocked")
    if not inherited and rec.sp == "none" and rec.p != "none":
        found.add("warn", "« sp=none » : les sous-domaines ne sont pas protégés",
                  "'sp=none': subdomains are not protected")
    if rec.pct < 100 and policy != "none":
        found.add("warn", f"« pct={rec.pct} » : la politique ne s'applique qu'à {rec.pct} % des "
                  "messages", f"'pct={rec.pct}': the policy applies to {rec.pct}% of messages "
                  "only")
    if not rec.rua:
        found.add("warn", "pas d'adresse de rapports (rua) : personne ne voit les usurpations",
                  "no report address (rua): nobody sees the forgeries")
    if unauthorised:
        n = len(unauthorised)
        found.add("warn", one_or_many(n, "destinataire de rapports externe non autorisé : ",
                                      "destinataires de rapports externes non autorisés : ")
                  + ", ".join(unauthorised),
                  one_or_many(n, "external report destination not authorised: ",
                              "external report destinations not authorised: ")
                  + ", ".join(unauthorised))
    src_fr = f" (hérité de {where})" if inherited else ""
    src_en = f" (inherited from {where})" if inherited else ""
    if found.status == "pass":
        return result(cid, domain, "pass",
                      f"DMARC en place avec la politique « {policy} »{src_fr}.",
                      f"DMARC in place with policy '{policy}'{src_en}.", ev)
    return result(cid, domain, found.status, f"DMARC{src_fr} : " + " ; ".join(found.fr) + ".",
                  f"DMARC{src_en}: " + "; ".join(found.en) + ".", ev)


def _ignored_findings(rec: DmarcRecord, found: Findings) -> None:
    """One warning naming every part of the record that receivers ignore, and what applies."""
    if not rec.ignored:
        return
    parts_fr: list[str] = []
    parts_en: list[str] = []
    for item in rec.ignored[:14]:
        shown = clean(f"{item.tag}={item.value}" if item.value else item.tag, 70)
        default_fr, default_en = _DEFAULTS.get(item.tag, ("", ""))
        parts_fr.append(f"« {shown} » ({item.fr}" + (f" : {default_fr})" if default_fr else ")"))
        parts_en.append(f"'{shown}' ({item.en}" + (f": {default_en})" if default_en else ")"))
    found.add("warn", "ignoré par les destinataires (" + IGNORED_RULE + ") : "
              + ", ".join(parts_fr),
              "ignored by receivers (" + IGNORED_RULE_EN + "): " + ", ".join(parts_en))
