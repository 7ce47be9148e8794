"""The fictional territory of the lab: municipalities under `test.`, each with its cases.

A handful of hand-crafted municipalities cover one good configuration and every classic mistake
(used by the tests and the demo, with ville-exemple.test as the demo's municipality); `generate`
adds any number of plausible ones (for the benchmark and for workshops). Everything here is
data: the servers are built from it by cyberdiag.lab.dns / smtp / manager.

Addresses: every municipality gets a block 127.<slot>.<index>.0/24 on loopback:
  .1 the site (apex), .3 www, .2 mta-sts, .25 the mail server (port 25).
IPv6 (only in a lab started with ipv6=True, which runs in its own network namespace, never on
the host's interfaces): fd00:cd:<slot>:<index>::1 / ::3 / ::25 for the municipalities whose
`ipv6_web` / `ipv6_mail` say so; otherwise the zones publish no AAAA record at all.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

# SMTP cases (cyberdiag.lab.smtp): starttls (valid certificate), plain (no STARTTLS),
# expired_cert, expiring_cert (10 days left), wrong_name, self_signed, legacy (TLS 1.0 only),
# close (closes at once), hang (accepts, never speaks).
SMTP_CASES = ("starttls", "plain", "expired_cert", "expiring_cert", "wrong_name", "self_signed",
              "legacy", "close", "hang")
# DNS delegation cases: good (ns1 + ns2, different networks), single (one NS), same_net (two
# NS in one /24), soa_mismatch (second NS serves another serial), lame (second NS silent),
# dead (the only NS is silent: nothing can be tested).
NS_CASES = ("good", "single", "same_net", "soa_mismatch", "lame", "dead")
# DNSSEC: none (unsigned), good, expired (signatures expired), expiring (in 3 days),
# wrong_ds (the parent's DS matches no key), island (signed, no DS at the parent).
DNSSEC_CASES = ("none", "good", "expired", "expiring", "wrong_ds", "island")
# MTA-STS: None, enforce, testing, mismatch (policy does not cover the MX), badcert (policy
# host with an expired certificate).
MTA_STS_CASES = (None, "enforce", "testing", "mismatch", "badcert")
# IPv6 of the web site (apex and www) or of the mail server, in an IPv6 lab: None (no AAAA),
# good (served on both families), down (AAAA published, nothing answers on IPv6), only (the
# IPv4 address stays silent, IPv6 answers).
IPV6_CASES = (None, "good", "down", "only")


@dataclass(frozen=True)
class Municipality:
    """One fictional municipality and the configuration (good or bad) of its domain.

    Record fields hold literal records (the zone gets exactly these). `extra` adds records:
    relative owner name -> list of (type, rdata text) pairs.
    """

    domain: str
    name: str
    insee: str
    population: int
    index: int
    description: str = ""
    ns: str = "good"
    dnssec: str = "good"
    axfr_open: bool = False
    caa: bool = True
    mx: str = "good"  # good | none (no MX, A only) | null (null MX)
    spf: tuple[str, ...] = ("v=spf1 mx -all",)
    dmarc: tuple[str, ...] = ("v=DMARC1; p=reject; rua=mailto:dmarc@{domain}",)
    # selector -> "rsa2048" | "rsa1024" | "ed25519" | "revoked" | literal record text
    dkim: dict[str, str] = field(default_factory=lambda: {"selector1": "rsa2048"})
    dkim_declared: tuple[str, ...] = ()
    mta_sts: str | None = None
    tls_rpt: tuple[str, ...] = ()
    smtp: str = "starttls"
    dane: str | None = None  # None | good | wrong
    web: str | None = "good"  # a case of cyberdiag.lab.web.WEB_CASES, or None (no site)
    official_email: str | None = None
    extra: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    apex_web: str | None = None  # the web case of the apex when it differs from www's
    ipv6_web: str | None = None  # IPV6_CASES, in an IPv6 lab only
    ipv6_mail: str | None = None

    def ip(self, slot: int, host: int) -> str:
        return f"127.{slot}.{self.index}.{host}"

    def ip6(self, slot: int, host: int) -> str:
        """The IPv6 address of a host (1 apex, 3 www, 25 mail) in an IPv6 lab."""
        return f"fd00:cd:{slot}:{self.index}::{host}"

    @property
    def apex_case(self) -> str | None:
        return self.apex_web or self.web

    @property
    def mail_host(self) -> str:
        return f"mail.{self.domain}"

    def profile_dict(self) -> dict[str, object]:
        """A municipality.yaml profile for this municipality (cyberdiag.models.Profile)."""
        return {
            "name": self.name,
            "insee": self.insee,
            "population": self.population,
            "agents": max(1, self.population // 120),
            "it_staff": self.population > 10000,
            "domains": [self.domain],
            "dkim_selectors": list(self.dkim_declared),
            "official_email": self.official_email or f"mairie@{self.domain}",
            "has_website": self.web is not None,
        }


_RSA_MX = "v=spf1 mx -all"
_LONG_INCLUDES = tuple(f"inc{i}" for i in range(11))
_DEEP = 50


# Over 80 lines: a data table (one entry per hand-crafted lab commune), clearer kept in one place.
def fixtures() -> list[Municipality]:
    """The hand-crafted municipalities (tests and demo). Expected results: tests/checks/.

    Long because it is a table of data (one entry per case), not logic."""
    hostile_extra: dict[str, list[tuple[str, str]]] = {
        "@": [("TXT", "BIG")],  # replaced by a ~40 kB TXT record by the zone builder
    }
    for i in range(1, _DEEP + 1):
        nxt = f"include:d{i + 1}.hostile.test " if i < _DEEP else ""
        hostile_extra[f"d{i}"] = [("TXT", f"v=spf1 {nxt}-all")]
    return [
        Municipality(
            "ville-exemple.test", "Ville-Exemple", "59999", 8200, 1,
            "Démo : configuration mixte (SPF ~all, DMARC p=none, pas de MTA-STS, DNSSEC, "
            "STARTTLS correct, site web sans en-têtes de sécurité).",
            caa=False,
            spf=("v=spf1 mx ip4:{ip25} ~all",),
            dmarc=("v=DMARC1; p=none; rua=mailto:dmarc@{domain}",),
            dkim={"mail": "rsa2048"},
            web="bad_headers",
            official_email="mairie@ville-exemple.test",
        ),
        Municipality(
            "bonneville.test", "Bonneville", "59901", 24000, 2,
            "Configuration exemplaire.",
            spf=("v=spf1 mx include:_spf.{domain} -all",),
            dmarc=("v=DMARC1; p=reject; sp=reject; adkim=s; "
                   "rua=mailto:dmarc@{domain},mailto:rapports@prestataire-externe.test",),
            dkim={"selector1": "rsa2048", "selector2": "ed25519"},
            dkim_declared=("selector1",),
            mta_sts="enforce",
            tls_rpt=("v=TLSRPTv1; rua=mailto:tls-rpt@{domain}",),
            dane="good", ipv6_web="good", ipv6_mail="good",
            official_email="contact@bonneville.test",
            extra={"_spf": [("TXT", "v=spf1 ip4:{ip25} -all")]},
        ),
        Municipality(
            "sans-dmarc.test", "Sans-Dmarc", "59902", 600, 3,
            "Petite commune : un seul NS, SPF +all, pas de DMARC, pas de STARTTLS, HTTP seul.",
            ns="single", dnssec="none", caa=False,
            spf=("v=spf1 +all",), dmarc=(), dkim={}, smtp="plain", web="no_https",
            official_email="mairie.sans-dmarc@orange.fr",
        ),
        Municipality(
            "double-spf.test", "Double-Spf", "59903", 3100, 4,
            "Deux SPF, DMARC quarantine à 50 % vers un prestataire non autorisé, NS dans un "
            "même réseau, SMTP en TLS 1.0.",
            ns="same_net", dnssec="none", caa=False,
            spf=("v=spf1 mx -all", "v=spf1 ip4:{ip25} ~all"),
            dmarc=("v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@non-autorise.test",),
            smtp="legacy", web="legacy_tls",
        ),
        Municipality(
            "spf-long.test", "Spf-Long", "59904", 15000, 5,
            "SPF à 11 requêtes, transfert de zone ouvert, DKIM 1024 bits, MTA-STS en test, "
            "certificat SMTP expiré.",
            dnssec="none", axfr_open=True,
            spf=("v=spf1 " + " ".join(f"include:{n}.{{domain}}" for n in _LONG_INCLUDES)
                 + " -all",),
            dkim={"default": "rsa1024"},
            mta_sts="testing",
            tls_rpt=("v=TLSRPTv1; rua=mailto:tls-rpt@{domain}",),
            smtp="expired_cert", web="expired_cert",
            extra={n: [("TXT", f"v=spf1 ip4:192.0.2.{i} -all")]
                   for i, n in enumerate(_LONG_INCLUDES)},
        ),
        Municipality(
            "spf-boucle.test", "Spf-Boucle", "59905", 4500, 6,
            "SPF en boucle, DMARC à politique invalide (appliquée comme p=none), SOA incohérent "
            "entre NS, certificat SMTP au mauvais nom, TLS-RPT invalide.",
            ns="soa_mismatch", dnssec="none",
            spf=("v=spf1 include:b1.{domain} -all",),
            dmarc=("v=DMARC1; p=maybe; rua=mailto:dmarc@{domain}",),
            tls_rpt=("v=TLSRPTv1; rua=ftp://rapports.{domain}",),
            smtp="wrong_name", web="wrong_name",
            extra={"b1": [("TXT", "v=spf1 include:b2.{domain} -all")],
                   "b2": [("TXT", "v=spf1 include:b1.{domain} -all")]},
        ),
        Municipality(
            "spf-vide.test", "Spf-Vide", "59906", 2000, 7,
            "SPF à 3 requêtes vides, signatures DNSSEC qui expirent bientôt, TLSA faux, "
            "politique MTA-STS qui ne couvre pas le MX.",
            dnssec="expiring",
            spf=("v=spf1 a:absent1.{domain} mx:absent2.{domain} exists:absent3.{domain} mx -all",),
            mta_sts="mismatch", dane="wrong", web="self_signed",
        ),
        Municipality(
            "signature-expiree.test", "Signature-Expirée", "59907", 1200, 8,
            "Signatures DNSSEC expirées, SPF ?all, certificat SMTP auto-signé.",
            dnssec="expired",
            spf=("v=spf1 mx ?all",),
            smtp="self_signed", web="hsts_short",
        ),
        Municipality(
            "mauvais-ds.test", "Mauvais-Ds", "59908", 9000, 9,
            "DS faux chez le parent, DMARC sp=none, politique MTA-STS sur un certificat expiré, "
            "certificat SMTP qui expire dans 10 jours.",
            dnssec="wrong_ds", smtp="expiring_cert",
            dmarc=("v=DMARC1; p=reject; sp=none; rua=mailto:dmarc@{domain}",),
            mta_sts="badcert", web="weak_headers",
        ),
        Municipality(
            "hostile.test", "Hostile", "59909", 100, 10,
            "Contenus DNS hostiles : TXT géant, chaîne d'inclusions SPF de 50 niveaux, "
            "caractères de contrôle, DKIM et MTA-STS malformés ; SMTP qui raccroche.",
            dnssec="none", caa=False,
            spf=("v=spf1 include:d1.{domain} -all",),
            dmarc=("v=DMARC1; p=reject\x01\x1b[31m; rua=mailto:dmarc@{domain}",),
            dkim={"default": "v=DKIM1; k=rsa; p=!!!pas-du-base64!!!"},
            mta_sts="enforce", smtp="close", web=None,
            extra=hostile_extra,
        ),
        Municipality(
            "injoignable.test", "Injoignable", "59910", 300, 11,
            "Le seul serveur de noms ne répond pas : rien ne peut être testé.",
            ns="dead", dnssec="none", web=None,
        ),
        Municipality(
            "non-mail.test", "Non-Mail", "59911", 450, 12,
            "Domaine sans messagerie : MX nul, SPF -all, DMARC reject.",
            dnssec="none", mx="null", spf=("v=spf1 -all",), dkim={}, web=None,
        ),
        Municipality(
            "smtp-muet.test", "Smtp-Muet", "59912", 700, 13,
            "Serveur SMTP qui ne parle jamais ; second NS muet.",
            ns="lame", dnssec="none", smtp="hang", web="hang",
        ),
        Municipality(
            "sans-mx.test", "Sans-Mx", "59913", 350, 14,
            "Pas de MX (le site seul), SPF sans « all ».",
            dnssec="island", mx="none", spf=("v=spf1 a",), web="http_no_redirect",
        ),
        Municipality(
            "v6-casse.test", "V6-Cassé", "59914", 1800, 15,
            "En IPv6, le site et le serveur de messagerie ne répondent pas (IPv4 correct).",
            dnssec="none", ipv6_web="down", ipv6_mail="down",
        ),
        Municipality(
            "v6-seul.test", "V6-Seul", "59915", 900, 16,
            "Seul IPv6 répond : les adresses IPv4 du site et du MX sont muettes.",
            dnssec="none", ipv6_web="only", ipv6_mail="only",
        ),
        Municipality(
            "apex-http.test", "Apex-Http", "59916", 2600, 17,
            "www en HTTPS correct ; le domaine nu n'a pas HTTPS et redirige HTTP vers www.",
            dnssec="none", apex_web="http_to_www",
        ),
        Municipality(
            "regles-rfc.test", "Règles-Rfc", "59917", 500, 18,
            "Cas des règles SPF (RFC 7208) et DMARC (RFC 7489, RFC 9989) sous des "
            "sous-domaines ; plus de 100 TXT sur un même nom.",
            dnssec="none", caa=False, dmarc=(), dkim={}, web=None, extra=rule_cases(),
        ),
    ]


def rule_cases() -> dict[str, list[tuple[str, str]]]:
    """The records of regles-rfc.test: one sub-domain per rule of RFC 7208 (SPF) and RFC 7489 /
    RFC 9989 (DMARC). Expected verdicts: tests/checks/mail/test_rfc_rules.py."""
    d = "regles-rfc.test"
    rua = f"rua=mailto:dmarc@{d}"
    junk = [("TXT", f"x{i:03d}") for i in range(150)]  # sorts before any policy record
    cases: dict[str, list[tuple[str, str]]] = {
        # DMARC (the record is at _dmarc.<name>)
        "_dmarc.espaces": [("TXT", f"v = DMARC1 ;\tp = reject ; {rua.replace('=', ' = ')} ;")],
        "_dmarc.casse": [("TXT", f"V=DMARC1; P=Reject; SP=REJECT; RUA=mailto:dmarc@{d}")],
        "_dmarc.minuscules": [("TXT", f"v=dmarc1; p=reject; {rua}")],
        "_dmarc.espace-initial": [("TXT", f" v=DMARC1; p=reject; {rua}")],
        "_dmarc.texte-initial": [("TXT", f"politique v=DMARC1; p=reject; {rua}")],
        "_dmarc.pct": [("TXT", f"v=DMARC1; p=reject; pct=150; {rua}")],
        "_dmarc.balises": [("TXT", f"v=DMARC1; p=reject; {rua}; pct=cent; fo=2; rf=iodef; "
                                   "ri=demain; np=peut-etre; sp=jamais; adkim=x; aspf=y; "
                                   "psd=oui; t=bientot")],
        "_dmarc.sans-p": [("TXT", f"v=DMARC1; {rua}")],
        "_dmarc.double": [("TXT", f"v=DMARC1; p=reject; {rua}"),
                          ("TXT", f"v=DMARC1; p=none; {rua}")],
        "_dmarc.voisins": [("TXT", "google-site-verification=abc123"),
                           ("TXT", f"v=DMARC1; p=quarantine; {rua}"),
                           ("TXT", "v=spf1 -all")],
        "_dmarc.cent": [*junk, ("TXT", f"v=DMARC1; p=reject; {rua}")],
        # SPF (the record is at <name>)
        "cent": [*junk, ("TXT", "v=spf1 -all")],
        "deux-points": [("TXT", f"v=spf1 a:foo:bar/baz.{d} -all")],
        "foo:bar/baz": [("A", "{ip25}")],
        "cidr-zero": [("TXT", f"v=spf1 a:{d}/032 -all")],
        "modificateur": [("TXT", "v=spf1 mx -all note=50%")],
        "exp-macro": [("TXT", f"v=spf1 mx -all exp=%{{c}}.explication.{d}")],
        "mx-onze": [("TXT", f"v=spf1 mx:onze.{d} -all")],
        "onze": [("MX", f"{i} mx{i}.{d}.") for i in range(1, 12)],
        "vides": [("TXT", f"v=spf1 a:absent1.{d} mx:absent2.{d} a:absent3.{d} -all")],
        "include-sans-spf": [("TXT", f"v=spf1 include:bonjour.{d} -all")],
        "bonjour": [("TXT", "bonjour")],
    }
    return cases


# Fixture used to authorise external DMARC reports (bonneville.test -> prestataire-externe).
EXTERNAL_REPORTS_DOMAIN = "prestataire-externe.test"


_FIRST = ("Saint", "Sainte", "Bois", "Mont", "Villers", "Haut", "Bas", "Neuf", "Val", "Pont",
          "Fort", "Beau", "Marc", "Croix", "Wattig", "Halluin", "Lomme", "Hem", "Anstaing")
_SECOND = ("lès-Lille", "sur-Deûle", "en-Weppes", "du-Nord", "la-Vallée", "le-Bourg",
           "en-Mélantois", "sur-Marque", "les-Prés", "d'en-Haut")


def generate(count: int, *, start_index: int = 20, seed: int = 2026) -> list[Municipality]:
    """`count` plausible municipalities with a realistic mix of good and bad settings."""
    if not 0 <= count <= 200:
        raise ValueError("count must be between 0 and 200")
    rng = random.Random(seed)
    out: list[Municipality] = []
    web_cases = ("good", "bad_headers", "weak_headers", "good", "http_no_redirect",
                 "hsts_short", "cert_expiring", "security_txt_expired", "good", "bad_headers")
    for i in range(count):
        idx = start_index + i
        label = f"commune-{i + 1:03d}"
        first, second = rng.choice(_FIRST), rng.choice(_SECOND)
        pop = int(rng.lognormvariate(8.2, 1.1))
        spf = rng.choice(("v=spf1 mx -all", "v=spf1 mx ~all", "v=spf1 mx ~all",
                          "v=spf1 mx include:_spf.{domain} ~all", "v=spf1 ?all",
                          "v=spf1 mx ip4:{ip25} -all"))
        extra = {"_spf": [("TXT", "v=spf1 ip4:{ip25} -all")]} if "_spf" in spf else {}
        dmarc = rng.choice((
            (), ("v=DMARC1; p=none; rua=mailto:dmarc@{domain}",),
            ("v=DMARC1; p=none",), ("v=DMARC1; p=quarantine; rua=mailto:dmarc@{domain}",),
            ("v=DMARC1; p=reject; rua=mailto:dmarc@{domain}",),
        ))
        dnssec = rng.choice(("none", "none", "none", "good", "good", "expiring"))
        m = Municipality(
            f"{label}.test", f"{first}-{second}", f"59{100 + i:03d}", pop, idx,
            "Commune générée.",
            ns=rng.choice(("good", "good", "good", "single", "same_net")),
            dnssec=dnssec,
            caa=rng.random() < 0.2,
            spf=(spf,),
            dmarc=dmarc,
            dkim=rng.choice(({"selector1": "rsa2048"}, {"mail": "rsa1024"}, {},
                             {"default": "rsa2048"})),
            mta_sts=rng.choice((None, None, None, "enforce", "testing")),
            tls_rpt=rng.choice(((), (), ("v=TLSRPTv1; rua=mailto:tls@{domain}",))),
            smtp=rng.choice(("starttls", "starttls", "starttls", "plain", "expired_cert")),
            dane="good" if dnssec == "good" and rng.random() < 0.3 else None,
            web=web_cases[i % len(web_cases)],
            official_email=rng.choice((None, f"mairie@{label}.test",
                                       f"mairie.{label}@wanadoo.fr")),
            extra=extra,
        )
        out.append(m)
    return out


def territory(count: int = 0, *, with_fixtures: bool = True) -> list[Municipality]:
    """The municipalities of a lab: the fixtures (unless disabled) then `count` generated."""
    out = fixtures() if with_fixtures else []
    return out + generate(count)


def with_index(m: Municipality, index: int) -> Municipality:
    return replace(m, index=index)
