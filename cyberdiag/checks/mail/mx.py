"""mail.mx: the domain's mail servers (MX) exist and have addresses; a null MX says "no mail"."""

from __future__ import annotations

from typing import Any

from cyberdiag.checks import lookups as lk
from cyberdiag.checks.base import CheckContext, result
from cyberdiag.i18n import one_or_many, plural
from cyberdiag.models import CheckResult


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
                      one_or_many(len(missing), "Serveur de messagerie sans adresse",
                                  "Serveurs de messagerie sans adresse")
                      + f" : {', '.join(missing)}.",
                      one_or_many(len(missing), "Mail server without an address",
                                  "Mail servers without an address")
                      + f": {', '.join(missing)}.", ev)
    return result(cid, domain, "pass",
                  plural(len(hosts), "serveur de messagerie", "serveurs de messagerie", "fr")
                  + f" : {', '.join(hosts)}.",
                  plural(len(hosts), "mail server", "mail servers", "en")
                  + f": {', '.join(hosts)}.", ev)
