"""mail.starttls: every MX offers STARTTLS with a modern TLS version and a valid certificate."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cyberdiag.checks import lookups as lk
from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.mail.common import mail_kind, na_no_mail
from cyberdiag.checks.mail.smtp_probes import smtp_probe, smtp_targets
from cyberdiag.errors import NotTested
from cyberdiag.i18n import plural
from cyberdiag.models import CheckResult
from cyberdiag.net.tls import NO_ROUTE_HERE

CERT_WARN_DAYS = 14


def _days_left(tls_evidence: dict[str, Any]) -> float:
    """Days until the certificate in a TlsInfo evidence dict expires (inf if unknown)."""
    cert = tls_evidence.get("certificate") or {}
    try:
        end = datetime.fromisoformat(str(cert["not_after"]))
    except (KeyError, ValueError):
        return float("inf")
    return (end - datetime.now(UTC)).total_seconds() / 86400


def check_starttls(ctx: CheckContext, domain: str) -> CheckResult:  # noqa: C901 - one verdict
    cid = "mail.starttls"
    kind, hosts = mail_kind(ctx, domain)
    if kind != "ok":
        return na_no_mail(cid, domain, kind)
    targets = smtp_targets(ctx, hosts)
    if not targets:
        return result(cid, domain, "fail", "Aucun serveur de messagerie n'a d'adresse.",
                      "No mail server has an address.", {"mx": hosts})
    probes = lk.parallel(ctx, lambda t: smtp_probe(ctx, t[0], t[1]), targets)
    tested: list[dict[str, Any]] = []
    untested: list[str] = []
    for (host, ip), p in zip(targets, probes, strict=True):
        if isinstance(p, NotTested):
            untested.append(f"{host} ({ip}): {p.reason.en}")
        elif isinstance(p, Exception):
            raise p
        else:
            tested.append(p)
    ev: dict[str, Any] = {"servers": [dict(p) for p in tested], "not_tested": untested}
    if not tested:
        first = next(p for p in probes if isinstance(p, NotTested))
        raise NotTested(first.reason.fr, first.reason.en, ev)
    gaps = family_gaps(targets, probes)
    if gaps:
        ev["unreachable_family"] = [en for _, en in gaps]
    no_tls = [p["host"] for p in tested if not p.get("starttls")]
    broken = [p["host"] for p in tested if p.get("starttls") and p.get("tls", {}).get("version")
              is None and not p.get("legacy")]
    legacy = [p["host"] for p in tested if p.get("legacy") or (
        p.get("tls", {}).get("version") in ("TLSv1", "TLSv1.1"))]
    unverified = [f"{p['host']} ({p['tls'].get('verify_error')})" for p in tested
                  if p.get("tls", {}).get("version") and not p["tls"].get("verified")]
    expiring = [p["host"] for p in tested if p.get("tls", {}).get("verified")
                and _days_left(p["tls"]) < CERT_WARN_DAYS]
    n_untested = len(untested)
    note_fr = (f" ({plural(n_untested, 'serveur non testé', 'serveurs non testés', 'fr')})"
               if untested else "")
    note_en = (f" ({plural(n_untested, 'server not tested', 'servers not tested', 'en')})"
               if untested else "")
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
    problems_fr += [fr for fr, _ in gaps]
    problems_en += [en for _, en in gaps]
    if problems_fr:
        return result(cid, domain, "warn", "STARTTLS : " + " ; ".join(problems_fr) + note_fr + ".",
                      "STARTTLS: " + "; ".join(problems_en) + note_en + ".", ev)
    versions = sorted({p["tls"]["version"] for p in tested})
    return result(cid, domain, "pass",
                  f"STARTTLS sur tous les serveurs testés ({', '.join(versions)}, certificats "
                  f"valides){note_fr}.",
                  f"STARTTLS on every server tested ({', '.join(versions)}, valid "
                  f"certificates){note_en}.", ev)


def family_gaps(targets: list[tuple[str, str]], probes: list[Any]) -> list[tuple[str, str]]:
    """MX hosts that answer on one address family but not on the other: (fr, en) findings.
    A family this computer cannot reach at all (no IPv6 here) is not a finding."""
    out: list[tuple[str, str]] = []
    for host in dict.fromkeys(h for h, _ in targets):
        fams: dict[str, list[Any]] = {"IPv4": [], "IPv6": []}
        for (h, ip), p in zip(targets, probes, strict=True):
            if h == host:
                fams["IPv6" if ":" in ip else "IPv4"].append((ip, p))
        up = [f for f, items in fams.items() if any(not isinstance(p, Exception)
                                                     for _, p in items)]
        down = [(f, items) for f, items in fams.items() if items and all(
            isinstance(p, NotTested) and p.evidence.get("error") != NO_ROUTE_HERE
            for _, p in items)]
        if up and down:
            fam, items = down[0]
            _ip, exc = items[0]
            out.append((f"en {fam}, {host} ne répond pas ({exc.reason.fr}) alors qu'il répond "
                        f"en {up[0]} : les serveurs qui livrent en {fam} n'y arrivent pas",
                        f"over {fam}, {host} does not answer ({exc.reason.en}) while it "
                        f"answers over {up[0]}: servers delivering over {fam} cannot reach it"))
    return out
