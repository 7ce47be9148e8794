"""mail.dmarc: a DMARC policy that blocks forgeries (inherited from the organisational domain if
need be), reports sent somewhere, external report destinations authorised."""

from __future__ import annotations

from typing import Any

from cyberdiag.checks import lookups as lk
from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.parsers.dmarc import is_dmarc, mailto_domain, parse_dmarc
from cyberdiag.checks.parsers.psl import org_domain
from cyberdiag.errors import ParseError
from cyberdiag.models import CheckResult, Status
from cyberdiag.net.text import clean


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
