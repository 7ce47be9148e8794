"""DNS checks: nameservers, SOA consistency, zone transfer, DNSSEC, CAA.

Each function is `fn(ctx, domain) -> CheckResult`; network trouble raises NotTested (the runner
turns it into `not_tested`). Authoritative servers are asked directly on port 53, at the
addresses our own resolver gave for their names.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from typing import Any

from cyberdiag.checks import lookups as lk
from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.parsers.psl import org_domain
from cyberdiag.errors import NotTested
from cyberdiag.i18n import one_or_many
from cyberdiag.models import CheckResult, Status
from cyberdiag.net import dnsclient
from cyberdiag.net.text import clean

MAX_NS = 8
MAX_NS_IPS = 10
EXPIRY_WARN_DAYS = 7
# RFC 8624: algorithms that must not be used for signing, and deprecated ones.
ALG_BAD = {1: "RSAMD5", 3: "DSA", 6: "DSA-NSEC3-SHA1", 12: "ECC-GOST"}
ALG_WEAK = {5: "RSASHA1", 7: "RSASHA1-NSEC3-SHA1"}
ALG_NAMES = {8: "RSASHA256", 10: "RSASHA512", 13: "ECDSAP256SHA256", 14: "ECDSAP384SHA384",
             15: "ED25519", 16: "ED448", **ALG_BAD, **ALG_WEAK}


# ------------------------------------------------------------------------------------------
# Shared, memoised facts about a zone
# ------------------------------------------------------------------------------------------


def zone_of(ctx: CheckContext, domain: str) -> str:
    """The zone apex holding `domain` (the domain itself when it has an SOA)."""

    def compute() -> str:
        ans = lk.lookup(ctx, domain, "SOA")
        if ans.status == "ok":
            return domain
        for rr in ans.authority:
            if rr.rdtype == 6:  # SOA in the authority section names the zone
                return str(rr.name.to_text()).rstrip(".").lower()
        return domain

    zone: str = ctx.remember(("zone", domain), compute)
    return zone


def _ns_facts(ctx: CheckContext, domain: str) -> dict[str, Any]:
    """NS names of the zone, their addresses, and each address's direct SOA answer."""

    def compute() -> dict[str, Any]:
        # lazy: start-up time (dnspython)
        import dns.flags
        import dns.rcode

        zone = zone_of(ctx, domain)
        ans = lk.lookup(ctx, zone, "NS")
        names = sorted({r.lower().rstrip(".") for r in ans.records})[:MAX_NS]
        addr_lists = lk.parallel(ctx, lambda n: lk.addresses(ctx, n), names)
        nt = lk.first_not_tested(addr_lists)
        if nt is not None:
            raise nt
        servers: list[dict[str, Any]] = []
        ips: list[str] = []
        for name, addrs in zip(names, addr_lists, strict=True):
            if isinstance(addrs, Exception):
                raise addrs
            servers.append({"name": name, "addresses": addrs[:lk.MAX_ADDRESSES]})
            ips.extend(a for a in addrs[:lk.MAX_ADDRESSES] if a not in ips)
        ips = ips[:MAX_NS_IPS]

        def ask(ip: str) -> dict[str, Any]:
            try:
                resp = dnsclient.direct_query(ip, zone, "SOA", ctx.timeout)
            except NotTested as exc:
                # A timeout is the server's silence; another error (e.g. "network unreachable"
                # for IPv6 on an IPv4-only network) is a limit of where we run from.
                timed_out = exc.evidence.get("error") == "timeout"
                return {"ip": ip, "state": "timeout" if timed_out else "unreachable"}
            if resp.rcode() != dns.rcode.NOERROR:
                return {"ip": ip, "state": dns.rcode.to_text(resp.rcode()).lower()}
            if not resp.flags & dns.flags.AA:
                return {"ip": ip, "state": "not_authoritative"}
            soa = next((rr for rr in resp.answer if rr.rdtype == 6), None)
            if soa is None or not len(soa):
                return {"ip": ip, "state": "no_soa"}
            return {"ip": ip, "state": "ok", "serial": int(soa[0].serial)}

        answers = lk.parallel(ctx, ask, ips)
        return {"zone": zone, "ns_status": ans.status, "servers": servers,
                "answers": [a for a in answers if isinstance(a, dict)]}

    facts: dict[str, Any] = ctx.remember(("ns_facts", domain), compute)
    return facts


# ------------------------------------------------------------------------------------------
# dns.ns
# ------------------------------------------------------------------------------------------


def _same_network(ips: list[str]) -> bool:
    nets = set()
    for ip in ips:
        addr = ipaddress.ip_address(ip)
        prefix = 24 if addr.version == 4 else 48
        nets.add(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
    return len(nets) < 2


def check_ns(ctx: CheckContext, domain: str) -> CheckResult:
    cid = "dns.ns"
    soa = lk.lookup(ctx, domain, "SOA")
    if soa.status == "nxdomain":
        return result(cid, domain, "fail", f"Le domaine {domain} n'existe pas (NXDOMAIN).",
                      f"The domain {domain} does not exist (NXDOMAIN).", {"rcode": "NXDOMAIN"})
    facts = _ns_facts(ctx, domain)
    servers = facts["servers"]
    answers = facts["answers"]
    ev: dict[str, Any] = {"zone": facts["zone"], "nameservers": servers, "answers": answers}
    if not servers:
        return result(cid, domain, "fail", "Aucun serveur de noms (NS) trouvé pour la zone.",
                      "No nameserver (NS) found for the zone.", ev)
    no_addr = [s["name"] for s in servers if not s["addresses"]]
    answered = [a for a in answers if a["state"] == "ok"]
    silent = [a["ip"] for a in answers if a["state"] == "timeout"]
    lame = [f"{a['ip']} ({a['state']})" for a in answers
            if a["state"] not in ("ok", "timeout", "unreachable")]
    if answers and not answered and not lame:
        raise NotTested(
            "aucun serveur de noms ne répond directement (port 53 sortant bloqué ?)",
            "no nameserver answers directly (outgoing port 53 blocked?)", ev)
    problems_fr: list[str] = []
    problems_en: list[str] = []
    status: Status = "pass"
    if len(servers) < 2:
        status = "fail"
        problems_fr.append("un seul serveur de noms : aucune redondance")
        problems_en.append("a single nameserver: no redundancy")
    if no_addr:
        status = "fail"
        n = len(no_addr)
        problems_fr.append(one_or_many(n, "serveur sans adresse : ", "serveurs sans adresse : ")
                           + ", ".join(no_addr))
        problems_en.append(one_or_many(n, "nameserver without an address: ",
                                       "nameservers without an address: ") + ", ".join(no_addr))
    if lame:
        status = "fail"
        n = len(lame)
        problems_fr.append(one_or_many(n, "serveur qui ne fait pas autorité : ",
                                       "serveurs qui ne font pas autorité : ") + ", ".join(lame))
        problems_en.append(one_or_many(n, "server not authoritative for the zone: ",
                                       "servers not authoritative for the zone: ")
                           + ", ".join(lame))
    if silent:
        status = "fail" if status == "fail" else "warn"
        n = len(silent)
        problems_fr.append(one_or_many(n, "serveur muet : ", "serveurs muets : ")
                           + ", ".join(silent))
        problems_en.append(one_or_many(n, "server not answering: ", "servers not answering: ")
                           + ", ".join(silent))
    all_ips = [ip for s in servers for ip in s["addresses"]]
    if len(servers) >= 2 and all_ips and _same_network(all_ips):
        status = "fail" if status == "fail" else "warn"
        problems_fr.append("tous les serveurs sont dans le même réseau (/24) : pas de diversité")
        problems_en.append("all servers are in the same network (/24): no diversity")
    names = ", ".join(s["name"] for s in servers)
    if status == "pass":
        return result(cid, domain, "pass",
                      f"{len(servers)} serveurs de noms, tous répondent ({names}).",
                      f"{len(servers)} nameservers, all answering ({names}).", ev)
    return result(cid, domain, status, "Serveurs de noms : " + " ; ".join(problems_fr) + ".",
                  "Nameservers: " + "; ".join(problems_en) + ".", ev)


# ------------------------------------------------------------------------------------------
# dns.soa_consistency
# ------------------------------------------------------------------------------------------


def check_soa_consistency(ctx: CheckContext, domain: str) -> CheckResult:
    cid = "dns.soa_consistency"
    facts = _ns_facts(ctx, domain)
    ok = [a for a in facts["answers"] if a["state"] == "ok"]
    serials = {a["ip"]: a["serial"] for a in ok}
    ev = {"zone": facts["zone"], "serials": serials}
    if not ok:
        raise NotTested("aucun serveur de noms n'a donné son SOA",
                        "no nameserver gave its SOA", ev)
    distinct = sorted(set(serials.values()))
    if len(distinct) > 1:
        return result(cid, domain, "warn",
                      f"Les serveurs de noms ne publient pas la même version de la zone "
                      f"(numéros de série {', '.join(map(str, distinct))}).",
                      f"The nameservers do not serve the same version of the zone "
                      f"(serials {', '.join(map(str, distinct))}).", ev)
    return result(cid, domain, "pass",
                  one_or_many(len(ok), "Le seul serveur interrogé publie la zone",
                              f"Les {len(ok)} serveurs interrogés publient la même version")
                  + f" (série {distinct[0]}).",
                  one_or_many(len(ok), "The only server asked serves the zone",
                              f"The {len(ok)} servers asked serve the same version")
                  + f" (serial {distinct[0]}).",
                  ev)


# ------------------------------------------------------------------------------------------
# dns.axfr
# ------------------------------------------------------------------------------------------


def check_axfr(ctx: CheckContext, domain: str) -> CheckResult:
    cid = "dns.axfr"
    facts = _ns_facts(ctx, domain)
    zone = facts["zone"]
    ips = [a["ip"] for a in facts["answers"]]
    if not ips:
        raise NotTested("aucune adresse de serveur de noms à interroger",
                        "no nameserver address to ask", {"zone": zone})
    outcomes = lk.parallel(ctx, lambda ip: dnsclient.try_axfr(ip, zone, ctx.timeout), ips)
    per_ip: dict[str, Any] = {}
    open_ips: list[str] = []
    tested = 0
    for ip, out in zip(ips, outcomes, strict=True):
        if isinstance(out, NotTested):
            per_ip[ip] = "not_tested"
            continue
        if isinstance(out, Exception):
            raise out
        tested += 1
        per_ip[ip] = "open" if out > 0 else "refused"
        if out > 0:
            open_ips.append(ip)
            per_ip[ip] = f"open ({out} records in the first message)"
    ev = {"zone": zone, "servers": per_ip}
    if open_ips:
        return result(cid, domain, "fail",
                      f"Transfert de zone (AXFR) ouvert à tous sur {', '.join(open_ips)} : "
                      "n'importe qui peut obtenir la liste complète de vos noms.",
                      f"Zone transfer (AXFR) open to anyone on {', '.join(open_ips)}: anyone can "
                      "list every name in your zone.", ev)
    if tested == 0:
        raise NotTested("aucun serveur n'a pu être interrogé en TCP",
                        "no server could be asked over TCP", ev)
    return result(cid, domain, "pass", "Le transfert de zone (AXFR) est refusé.",
                  "Zone transfer (AXFR) is refused.", ev)


# ------------------------------------------------------------------------------------------
# dns.caa
# ------------------------------------------------------------------------------------------


def check_caa(ctx: CheckContext, domain: str) -> CheckResult:
    cid = "dns.caa"
    stop = org_domain(domain) or domain
    name = domain
    ans = lk.lookup(ctx, name, "CAA")
    while ans.status != "ok" and name != stop and "." in name:
        name = name.split(".", 1)[1]
        ans = lk.lookup(ctx, name, "CAA")
    if ans.status != "ok":
        return result(cid, domain, "warn",
                      "Aucun enregistrement CAA : n'importe quelle autorité de certification "
                      "peut émettre un certificat pour ce domaine.",
                      "No CAA record: any certificate authority may issue a certificate for "
                      "this domain.", {"checked": name})
    records = [clean(r, 300) for r in ans.records]
    ev = {"name": name, "records": records}
    issuers = [r.value.decode("ascii", "replace") for r in ans.rrset
               if r.tag.lower() in (b"issue", b"issuewild")]
    unknown_critical = [r.tag.decode("ascii", "replace") for r in ans.rrset
                        if r.flags & 128
                        and r.tag.lower() not in (b"issue", b"issuewild", b"iodef")]
    if unknown_critical:
        return result(cid, domain, "warn",
                      "Enregistrement CAA avec une propriété critique inconnue : plus aucune "
                      "autorité ne peut émettre de certificat.",
                      "CAA record with an unknown critical property: no authority can issue "
                      "certificates any more.", ev)
    if not issuers:
        return result(cid, domain, "warn",
                      "Enregistrements CAA sans propriété « issue » : aucune restriction utile.",
                      "CAA records without an 'issue' property: no useful restriction.", ev)
    return result(cid, domain, "pass",
                  f"CAA limite les autorités de certification : {', '.join(issuers)[:200]}.",
                  f"CAA limits the certificate authorities: {', '.join(issuers)[:200]}.", ev)


# ------------------------------------------------------------------------------------------
# dns.dnssec
# ------------------------------------------------------------------------------------------


def _sig_dates(sigs: Any) -> list[tuple[int, int, int]]:
    """(key tag, inception, expiration) of each RRSIG."""
    return [(int(s.key_tag), int(s.inception), int(s.expiration)) for s in sigs or []]


def check_dnssec(ctx: CheckContext, domain: str) -> CheckResult:
    # lazy: start-up time (dnspython)
    import dns.dnssec

    cid = "dns.dnssec"
    zone = zone_of(ctx, domain)
    ds = lk.lookup(ctx, zone, "DS", dnssec=True)
    keys = lk.lookup(ctx, zone, "DNSKEY", dnssec=True)
    soa = lk.lookup(ctx, zone, "SOA", dnssec=True)
    ev: dict[str, Any] = {"zone": zone, "ds": [clean(r, 200) for r in ds.records]}
    if keys.status == "ok":
        ev["dnskey"] = [
            {"flags": int(k.flags), "algorithm": ALG_NAMES.get(int(k.algorithm),
                                                               str(int(k.algorithm))),
             "key_tag": dns.dnssec.key_id(k)} for k in keys.rrset]
    if ds.status != "ok" and keys.status != "ok":
        return result(cid, domain, "warn",
                      "Zone non signée (pas de DNSSEC) : les réponses DNS peuvent être falsifiées "
                      "sans que personne ne le détecte.",
                      "Unsigned zone (no DNSSEC): DNS answers can be forged without anyone "
                      "noticing.", ev)
    if keys.status != "ok":
        return result(cid, domain, "fail",
                      "La zone parente publie un DS mais la zone n'a pas de clé DNSKEY : les "
                      "résolveurs qui valident ne peuvent plus résoudre le domaine.",
                      "The parent publishes a DS but the zone has no DNSKEY: validating "
                      "resolvers can no longer resolve the domain.", ev)
    if ds.status != "ok":
        return result(cid, domain, "warn",
                      "La zone est signée mais la zone parente ne publie pas d'enregistrement DS "
                      ": la chaîne de confiance n'est pas établie.",
                      "The zone is signed but the parent publishes no DS record: the chain of "
                      "trust is not established.", ev)
    # 1. Which DNSKEYs do the parent's DS designate?
    anchored, weak_digest = _anchored_keys(zone, ds, keys)
    if not anchored:
        return result(cid, domain, "fail",
                      "L'enregistrement DS de la zone parente ne correspond à aucune clé de la "
                      "zone : DNSSEC est cassé, les résolveurs qui valident rejettent le domaine.",
                      "The parent's DS record matches no key of the zone: DNSSEC is broken, "
                      "validating resolvers reject the domain.", ev)
    now = datetime.now(UTC).timestamp()
    sigs = _sig_dates(keys.rrsigs) + _sig_dates(soa.rrsigs)
    # 2. Signatures present and in date, then cryptographically valid.
    broken = (_signature_dates_problem(cid, domain, keys, soa, sigs, now, ev)
              or _validation_problem(cid, domain, zone, keys, soa, anchored, ev))
    if broken is not None:
        return broken
    # 3. Does our resolver validate the chain from its trust anchor?
    try:
        plain = lk.lookup(ctx, zone, "SOA", cd=False)
        ev["resolver_validated"] = plain.ad
    except NotTested:
        ev["resolver_validated"] = False
        return result(cid, domain, "fail",
                      "Le résolveur qui valide rejette la zone (SERVFAIL) alors que ses données "
                      "existent : la chaîne DNSSEC est cassée.",
                      "The validating resolver rejects the zone (SERVFAIL) although its data "
                      "exists: the DNSSEC chain is broken.", ev)
    return _judge_algorithms(cid, domain, keys, sigs, now, weak_digest, ev)


def _anchored_keys(zone: str, ds: dnsclient.DnsAnswer,
                   keys: dnsclient.DnsAnswer) -> tuple[list[Any], bool]:
    """The DNSKEYs that the parent's DS records designate, and whether every DS uses SHA-1."""
    # lazy: start-up time (dnspython)
    import dns.dnssec
    import dns.name
    from dns.dnssectypes import DSDigest

    zname = dns.name.from_text(zone)
    anchored = []
    weak_digest = True
    for d in ds.rrset:
        if int(d.digest_type) != 1:
            weak_digest = False
        for k in keys.rrset:
            if dns.dnssec.key_id(k) != d.key_tag or k.algorithm != d.algorithm:
                continue
            try:
                if dns.dnssec.make_ds(zname, k, DSDigest(int(d.digest_type))) == d:
                    anchored.append(k)
            except Exception:  # noqa: BLE001,S112 - unsupported digest: no match
                continue
    return anchored, weak_digest


def _signature_dates_problem(cid: str, domain: str, keys: dnsclient.DnsAnswer,
                             soa: dnsclient.DnsAnswer, sigs: list[tuple[int, int, int]],
                             now: float, ev: dict[str, Any]) -> CheckResult | None:
    """The verdict when signatures are missing, expired or not valid yet; None if they are in
    date. No signature at all raises NotTested (a resolver that strips them)."""
    if sigs:
        soonest = min(exp for _, _, exp in sigs)
        ev["signature_expires"] = datetime.fromtimestamp(soonest, UTC).isoformat()
        ev["signature_inception"] = datetime.fromtimestamp(
            max(inc for _, inc, _ in sigs), UTC).isoformat()
    if keys.rrsigs is None and soa.rrsigs is None:
        # No signature at all next to a DNSKEY: most likely a resolver (or home router) that
        # strips DNSSEC records, not the zone's fault.
        raise NotTested(
            "le résolveur n'a renvoyé aucune signature DNSSEC (il les supprime peut-être) : "
            "utiliser un résolveur compatible DNSSEC",
            "the resolver returned no DNSSEC signature (it may strip them): use a "
            "DNSSEC-aware resolver", ev)
    if keys.rrsigs is None or soa.rrsigs is None:
        return result(cid, domain, "fail",
                      "Zone déclarée signée mais des signatures (RRSIG) manquent.",
                      "Zone declared signed but signatures (RRSIG) are missing.", ev)
    if any(exp < now for _, _, exp in sigs):
        return result(cid, domain, "fail",
                      f"Les signatures DNSSEC ont expiré ({ev['signature_expires']}) : les "
                      "résolveurs qui valident ne résolvent plus le domaine (mail, site web).",
                      f"The DNSSEC signatures have expired ({ev['signature_expires']}): "
                      "validating resolvers no longer resolve the domain (mail, website).", ev)
    if any(inc > now + 300 for _, inc, _ in sigs):
        return result(cid, domain, "fail",
                      "Les signatures DNSSEC ne sont pas encore valides (date de début future).",
                      "The DNSSEC signatures are not valid yet (inception in the future).", ev)
    return None


def _validation_problem(cid: str, domain: str, zone: str, keys: dnsclient.DnsAnswer,
                        soa: dnsclient.DnsAnswer, anchored: list[Any],
                        ev: dict[str, Any]) -> CheckResult | None:
    """Cryptographic validation: the DNSKEY set by the anchored keys, the SOA by the key set.
    The verdict when it fails, None when it holds."""
    # lazy: start-up time (dnspython)
    import dns.dnssec
    import dns.exception
    import dns.name
    import dns.rrset

    zname = dns.name.from_text(zone)
    anchor_set = dns.rrset.from_rdata_list(zname, keys.rrset.ttl, anchored)
    try:
        dns.dnssec.validate(keys.rrset, keys.rrsigs, {zname: anchor_set})
        dns.dnssec.validate(soa.rrset, soa.rrsigs, {zname: keys.rrset})
    except dns.exception.ValidationFailure as exc:
        ev["error"] = str(exc)
        return result(cid, domain, "fail",
                      "Les signatures DNSSEC de la zone ne sont pas valides.",
                      f"The zone's DNSSEC signatures do not validate ({exc}).", ev)
    except Exception as exc:  # noqa: BLE001 - unsupported algorithm etc.
        ev["error"] = f"{type(exc).__name__}: {exc}"[:200]
        return result(cid, domain, "warn",
                      "Les signatures DNSSEC n'ont pas pu être vérifiées (algorithme non pris "
                      "en charge).",
                      "The DNSSEC signatures could not be verified (unsupported algorithm).", ev)
    return None


def _judge_algorithms(cid: str, domain: str, keys: dnsclient.DnsAnswer,
                      sigs: list[tuple[int, int, int]], now: float, weak_digest: bool,
                      ev: dict[str, Any]) -> CheckResult:
    """A valid chain: judge the algorithms and how long the signatures still last."""
    algs = {int(k.algorithm) for k in keys.rrset}
    bad = sorted(ALG_BAD[a] for a in algs if a in ALG_BAD)
    weak = sorted(ALG_WEAK[a] for a in algs if a in ALG_WEAK)
    if bad:
        return result(cid, domain, "fail",
                      f"Algorithme DNSSEC interdit : {', '.join(bad)}.",
                      f"Forbidden DNSSEC algorithm: {', '.join(bad)}.", ev)
    days_left = (min(exp for _, _, exp in sigs) - now) / 86400
    if days_left < EXPIRY_WARN_DAYS:
        return result(cid, domain, "warn",
                      f"Les signatures DNSSEC expirent dans {days_left:.1f} "
                      f"{'jour' if abs(round(days_left, 1)) < 2 else 'jours'} : vérifier "
                      "que la re-signature automatique fonctionne.",
                      f"The DNSSEC signatures expire in {days_left:.1f} "
                      f"{'day' if f'{days_left:.1f}' == '1.0' else 'days'}: check that "
                      "automatic re-signing works.", ev)
    if weak or weak_digest:
        what = ", ".join(weak) if weak else "DS SHA-1"
        return result(cid, domain, "warn",
                      f"DNSSEC valide mais avec un algorithme obsolète ({what}).",
                      f"DNSSEC valid but with an obsolete algorithm ({what}).", ev)
    names = ", ".join(sorted(ALG_NAMES.get(a, str(a)) for a in algs))
    return result(cid, domain, "pass",
                  f"DNSSEC en place et valide (algorithme {names}, signatures valides "
                  f"encore {days_left:.0f} jours).",
                  f"DNSSEC in place and valid (algorithm {names}, signatures valid for "
                  f"{days_left:.0f} more days).", ev)
