"""mail.mta_sts: an MTA-STS record, its policy served over verified HTTPS, in enforce mode and
covering every MX."""

from __future__ import annotations

from typing import Any

from cyberdiag.checks import lookups as lk
from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.mail.common import mail_kind, na_no_mail, single_txt
from cyberdiag.checks.parsers.mtasts import (
    StsPolicy,
    is_sts_txt,
    mx_matches,
    parse_sts_policy,
    parse_sts_txt,
)
from cyberdiag.errors import ParseError
from cyberdiag.i18n import one_or_many
from cyberdiag.models import CheckResult
from cyberdiag.net import budget, http
from cyberdiag.net.text import clean


def check_mta_sts(ctx: CheckContext, domain: str) -> CheckResult:
    cid = "mail.mta_sts"
    kind, hosts = mail_kind(ctx, domain)
    if kind != "ok":
        return na_no_mail(cid, domain, kind)
    found = single_txt(ctx, cid, domain, f"_mta-sts.{domain}", is_sts_txt, "txt", "MTA-STS",
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
    body = _fetch_policy(ctx, cid, domain, host, ips, ev)
    if isinstance(body, CheckResult):
        return body
    ev["policy"] = clean(body, 1000)
    try:
        policy = parse_sts_policy(body)
    except ParseError as exc:
        return result(cid, domain, "fail", f"Politique MTA-STS invalide : {exc.fr}.",
                      f"Invalid MTA-STS policy: {exc.en}.", ev)
    return _judge_policy(cid, domain, hosts, policy, ev)


def _fetch_policy(ctx: CheckContext, cid: str, domain: str, host: str, ips: list[str],
                  ev: dict[str, Any]) -> str | CheckResult:
    """The policy file from https://mta-sts.<domain>/.well-known/mta-sts.txt, or the verdict
    when it is not served properly (no HTTPS, invalid certificate, not 200)."""
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
    return resp.body.decode("utf-8", "replace")


def _judge_policy(cid: str, domain: str, hosts: list[str], policy: StsPolicy,
                  ev: dict[str, Any]) -> CheckResult:
    """A valid policy: it must cover every MX, be in enforce mode, with a useful max_age."""
    ev.update({"mode": policy.mode, "mx_patterns": list(policy.mx), "max_age": policy.max_age})
    unmatched = [h for h in hosts if not any(mx_matches(p, h) for p in policy.mx)]
    if unmatched and policy.mode != "none":
        ev["unmatched_mx"] = unmatched
        n, listed = len(unmatched), ", ".join(unmatched)
        return result(cid, domain, "fail",
                      f"La politique MTA-STS ne couvre pas {one_or_many(n, 'le', 'les')} MX "
                      f"{listed} : en mode enforce, les courriels vers "
                      f"{one_or_many(n, 'ce serveur', 'ces serveurs')} seraient refusés.",
                      f"The MTA-STS policy does not cover MX {listed}: in enforce mode, mail to "
                      f"{one_or_many(n, 'this server', 'these servers')} would be refused.", ev)
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
