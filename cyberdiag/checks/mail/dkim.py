"""mail.dkim: DKIM keys published for the declared selectors (else the usual ones), strong keys."""

from __future__ import annotations

from typing import Any

from cyberdiag.checks import lookups as lk
from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.mail.common import Findings, mail_kind_or_unknown, na_no_mail
from cyberdiag.checks.parsers.dkim import parse_dkim
from cyberdiag.errors import NotTested, ParseError
from cyberdiag.i18n import one_or_many
from cyberdiag.models import CheckResult
from cyberdiag.net.text import clean

# Selectors of the usual providers (Microsoft 365, Google, Mailchimp, OVH/Gandi/o2switch
# defaults...). Kept short: each one is a DNS query per domain.
COMMON_DKIM_SELECTORS = (
    "default", "selector1", "selector2", "google", "k1", "s1", "s2", "dkim", "mail", "key1",
    "mailjet", "smtp",
)


def check_dkim(ctx: CheckContext, domain: str) -> CheckResult:
    cid = "mail.dkim"
    kind = mail_kind_or_unknown(ctx, domain)
    if kind in ("null", "nxdomain"):
        return na_no_mail(cid, domain, "null" if kind == "null" else "none")
    declared = list(ctx.profile.dkim_selectors) if ctx.profile else []
    candidates = list(dict.fromkeys(declared))
    base = lk.lookup(ctx, f"_domainkey.{domain}", "TXT")
    if base.status != "nxdomain":
        candidates += [s for s in COMMON_DKIM_SELECTORS if s not in candidates]
    found, trouble = _find_keys(ctx, domain, candidates, declared)
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
    problems = Findings()
    keys, good = _judge_keys(found, problems)
    ev["keys"] = keys
    if missing:
        problems.add("fail", one_or_many(len(missing), "sélecteur déclaré introuvable : ",
                                         "sélecteurs déclarés introuvables : ")
                     + ", ".join(missing),
                     one_or_many(len(missing), "declared selector not found: ",
                                 "declared selectors not found: ") + ", ".join(missing))
    if problems.status == "pass" and not good:
        problems.add("warn", "seules des clés révoquées sont publiées",
                     "only revoked keys are published")
    if problems.status == "pass":
        listed = ", ".join(f"{s} ({k})" for s, k in keys.items())
        return result(cid, domain, "pass",
                      one_or_many(len(keys), "Clé DKIM publiée : ", "Clés DKIM publiées : ")
                      + listed + ".",
                      one_or_many(len(keys), "DKIM key published: ", "DKIM keys published: ")
                      + listed + ".", ev)
    return result(cid, domain, problems.status, "DKIM : " + " ; ".join(problems.fr) + ".",
                  "DKIM: " + "; ".join(problems.en) + ".", ev)


def _find_keys(ctx: CheckContext, domain: str, candidates: list[str],
               declared: list[str]) -> tuple[dict[str, str], list[Exception]]:
    """The DKIM record of each candidate selector that has one ({selector: record}), and the
    errors met on the others. Network trouble on a declared selector raises NotTested."""
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
    return found, trouble


def _judge_keys(found: dict[str, str], problems: Findings) -> tuple[dict[str, str], int]:
    """Judge each published key: ({selector: "rsa 2048" | "revoked" | "invalid"}, number of
    good keys). Invalid or too weak keys fail; 1024-bit RSA and testing mode warn."""
    keys: dict[str, str] = {}
    good = 0
    for sel, text in found.items():
        try:
            key = parse_dkim(text)
        except ParseError as exc:
            problems.add("fail", f"{sel} : {exc.fr}", f"{sel}: {exc.en}")
            keys[sel] = "invalid"
            continue
        keys[sel] = "revoked" if key.revoked else f"{key.key_type} {key.bits}"
        if key.revoked:
            continue
        if key.key_type == "rsa" and key.bits < 1024:
            problems.add("fail", f"{sel} : clé RSA de {key.bits} bits, trop faible",
                         f"{sel}: {key.bits}-bit RSA key, too weak")
        elif key.key_type == "rsa" and key.bits < 2048:
            problems.add("warn", f"{sel} : clé RSA de {key.bits} bits (2048 recommandés)",
                         f"{sel}: {key.bits}-bit RSA key (2048 recommended)")
        else:
            good += 1
        if key.testing:
            problems.add("warn", f"{sel} : clé en mode test (t=y)",
                         f"{sel}: key in testing mode (t=y)")
    return keys, good
