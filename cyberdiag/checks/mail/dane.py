"""mail.dane: TLSA records for the MX, protected by DNSSEC, matching the certificates the mail
servers present after STARTTLS."""

from __future__ import annotations

import hashlib
from typing import Any

from cyberdiag.checks import lookups as lk
from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.dns import zone_of
from cyberdiag.checks.mail.common import Findings, mail_kind, na_no_mail
from cyberdiag.checks.mail.smtp_probes import smtp_chain, smtp_targets
from cyberdiag.errors import NotTested
from cyberdiag.models import CheckResult, Text
from cyberdiag.net.text import clean


def _tlsa_matches(rdata: Any, ders: list[bytes]) -> bool:
    """Does one TLSA record (usage, selector, matching type) match the chain (leaf first)?"""
    # lazy: start-up time (cryptography is only needed when a TLSA record is found)
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


def check_dane(ctx: CheckContext, domain: str) -> CheckResult:
    cid = "mail.dane"
    kind, hosts = mail_kind(ctx, domain)
    if kind != "ok":
        return na_no_mail(cid, domain, kind)
    answers = lk.parallel(ctx, lambda h: lk.lookup(ctx, f"_25._tcp.{h}", "TLSA"), hosts)
    nt = lk.first_not_tested(answers)
    if nt is not None:
        raise nt
    with_tlsa = {h: a for h, a in zip(hosts, answers, strict=True)
                 if not isinstance(a, Exception) and a.status == "ok"}
    ev: dict[str, Any] = {"tlsa": {h: [clean(r, 200) for r in a.records][:5]
                                   for h, a in with_tlsa.items()}}
    if not with_tlsa:
        return _no_tlsa(ctx, cid, domain, hosts[0], ev)
    found = Findings()
    ev["dnssec_validated"] = _judge_validation(ctx, list(with_tlsa), found)
    ev["matches"] = _judge_certificates(ctx, with_tlsa, found)
    if ev["matches"] and all(str(v).startswith("not tested") for v in ev["matches"].values()):
        raise NotTested("aucun serveur de messagerie n'a pu être joint pour comparer le TLSA",
                        "no mail server could be reached to compare the TLSA", ev)
    missing = [h for h in hosts if h not in with_tlsa]
    if missing and found.status == "pass":
        found.add("warn", "MX sans TLSA : " + ", ".join(missing),
                  "MX without TLSA: " + ", ".join(missing))
    if found.status == "pass":
        return result(cid, domain, "pass",
                      "DANE en place : les enregistrements TLSA correspondent aux certificats.",
                      "DANE in place: the TLSA records match the certificates.", ev)
    return result(cid, domain, found.status, "DANE : " + " ; ".join(found.fr) + ".",
                  "DANE: " + "; ".join(found.en) + ".", ev)


def _no_tlsa(ctx: CheckContext, cid: str, domain: str, first_mx: str,
             ev: dict[str, Any]) -> CheckResult:
    """No TLSA record: not applicable if the mail servers' zone is not signed, else a warning."""
    signed = lk.lookup(ctx, zone_of(ctx, first_mx), "DNSKEY").status == "ok"
    ev["mx_zone_signed"] = signed
    if not signed:
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


def _judge_validation(ctx: CheckContext, hosts: list[str], found: Findings) -> dict[str, bool]:
    """Did the resolver validate each host's TLSA with DNSSEC? A TLSA that the validating
    resolver rejects is broken DNSSEC (fail); one it cannot validate is unprotected (warn)."""
    validated: dict[str, bool] = {}
    for host in hosts:
        try:
            validated[host] = lk.lookup(ctx, f"_25._tcp.{host}", "TLSA", cd=False).ad
        except NotTested:
            validated[host] = False
            found.add("fail",
                      f"TLSA de {host} rejeté par le résolveur qui valide (DNSSEC cassé)",
                      f"TLSA of {host} rejected by the validating resolver (broken DNSSEC)")
    not_signed = [h for h, ok in validated.items() if not ok]
    if not_signed and found.status == "pass":
        found.add("warn",
                  "TLSA non protégé par DNSSEC (selon le résolveur) : " + ", ".join(not_signed),
                  "TLSA not protected by DNSSEC (per the resolver): " + ", ".join(not_signed))
    return validated


def _judge_certificates(ctx: CheckContext, with_tlsa: dict[str, Any],
                        found: Findings) -> dict[str, str]:
    """Compare the TLSA records of each MX with the certificates of its first two addresses:
    {"host ip": "match" | "no match" | "no certificate (no STARTTLS)" | "not tested: ..."}."""
    matches: dict[str, str] = {}
    for host, ans in with_tlsa.items():
        for _h, ip in smtp_targets(ctx, [host])[:2]:
            try:
                ders = smtp_chain(ctx, host, ip)
            except NotTested as exc:
                matches[f"{host} {ip}"] = f"not tested: {exc.reason.en}"
                continue
            if not ders:
                matches[f"{host} {ip}"] = "no certificate (no STARTTLS)"
                found.add("fail", f"{host} : pas de certificat STARTTLS à comparer au TLSA",
                          f"{host}: no STARTTLS certificate to compare with TLSA")
                continue
            ok = any(_tlsa_matches(r, ders) for r in ans.rrset)
            matches[f"{host} {ip}"] = "match" if ok else "no match"
            if not ok:
                found.add("fail",
                          f"le certificat de {host} ne correspond à aucun TLSA : les "
                          "expéditeurs DANE refuseront de livrer",
                          f"the certificate of {host} matches no TLSA: DANE senders "
                          "will refuse to deliver")
    return matches
