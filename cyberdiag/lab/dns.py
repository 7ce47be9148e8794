"""DNS of the lab: zones for the fictional territory, DNSSEC signing, NSD and unbound.

Layout (slot S chosen by the manager, all on loopback, port 53):
  127.S.250.1 / 127.S.250.2 / 127.S.251.1  NSD "A" (ns1.test, ns1b.test, ns2.test)
  127.S.252.1                              NSD "B" (nsb.test: the other serial, soa_mismatch)
  127.S.253.1                              nothing (ns-dead.test: a silent server)
  127.S.0.53                               unbound, validating with the `test.` DS as anchor
Zones are signed with dnspython (ECDSA P-256 CSK) at build time: good, expiring, expired
signatures, a wrong DS at the parent, or no DS at all (an island).
"""

from __future__ import annotations

import base64
import hashlib
import random
import socket
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cyberdiag.lab.communes import EXTERNAL_REPORTS_DOMAIN, Municipality

SERIAL = 2026112301
TTL = 300


def ns_ips(slot: int) -> dict[str, str]:
    return {
        "ns1": f"127.{slot}.250.1",
        "ns1b": f"127.{slot}.250.2",
        "ns2": f"127.{slot}.251.1",
        "nsb": f"127.{slot}.252.1",
        "ns-dead": f"127.{slot}.253.1",
    }


def resolver_ip(slot: int) -> str:
    return f"127.{slot}.0.53"


_NS_SETS = {
    "good": ("ns1", "ns2"),
    "single": ("ns1",),
    "same_net": ("ns1", "ns1b"),
    "soa_mismatch": ("ns1", "nsb"),
    "lame": ("ns1", "ns-dead"),
    "dead": ("ns-dead",),
}


def txt_rdata(text: str) -> str:
    """Zone-file form of a TXT record: 255-byte quoted strings, non-printables as \\DDD."""
    raw = text.encode("utf-8")
    parts = []
    for i in range(0, max(len(raw), 1), 255):
        chunk = raw[i : i + 255]
        s = "".join(
            chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}" for b in chunk
        )
        parts.append(f'"{s}"')
    return " ".join(parts)


@dataclass
class Keys:
    """Key material shared by the zones of one lab (RSA generation is slow: reuse)."""

    rsa2048: Any = None
    rsa1024: Any = None
    ed25519: Any = None

    def dkim(self, kind: str) -> str:
        """The DKIM record of a kind of key (keys made once, on first use)."""
        # lazy: start-up time (cryptography)
        from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        if kind == "revoked":
            return "v=DKIM1; k=rsa; p="
        if kind == "ed25519":
            if self.ed25519 is None:
                self.ed25519 = ed25519.Ed25519PrivateKey.generate()
            raw = self.ed25519.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            return "v=DKIM1; k=ed25519; p=" + base64.b64encode(raw).decode()
        if kind in ("rsa2048", "rsa1024"):
            bits = 2048 if kind == "rsa2048" else 1024
            key = getattr(self, kind)
            if key is None:
                key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
                setattr(self, kind, key)
            der = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
            return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
        return kind  # a literal record


def _fill(text: str, m: Municipality, slot: int) -> str:
    return text.replace("{domain}", m.domain).replace("{ip25}", m.ip(slot, 25))


def spki_sha256(cert_pem: bytes) -> str:
    """SHA-256 of a certificate's public key (SubjectPublicKeyInfo), for a DANE 3 1 1 record."""
    # lazy: start-up time (cryptography)
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    cert = x509.load_pem_x509_certificate(cert_pem)
    spki = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()


def municipality_zone(m: Municipality, slot: int, keys: Keys, *, serial: int = SERIAL,
                      tlsa: str | None = None, ipv6: bool = False) -> str:
    """Zone-file text of one municipality (unsigned). ipv6: publish the AAAA records of an
    IPv6 lab (cyberdiag.lab.communes.IPV6_CASES)."""
    d = m.domain
    lines = [
        f"$ORIGIN {d}.",
        f"$TTL {TTL}",
        f"@ SOA ns1.test. hostmaster.{d}. {serial} 3600 600 86400 300",
    ]
    lines += [f"@ NS {n}.test." for n in _NS_SETS[m.ns]]
    if m.web is not None or m.mx == "none":
        lines += [f"@ A {m.ip(slot, 1)}", f"www A {m.ip(slot, 3)}"]
        if ipv6 and m.ipv6_web:
            lines += [f"@ AAAA {m.ip6(slot, 1)}", f"www AAAA {m.ip6(slot, 3)}"]
    if m.mx == "good":
        lines += ["@ MX 10 mail", f"mail A {m.ip(slot, 25)}"]
        if ipv6 and m.ipv6_mail:
            lines.append(f"mail AAAA {m.ip6(slot, 25)}")
    elif m.mx == "null":
        lines += ["@ MX 0 ."]
    for rec in m.spf:
        lines.append(f"@ TXT {txt_rdata(_fill(rec, m, slot))}")
    for rec in m.dmarc:
        lines.append(f"_dmarc TXT {txt_rdata(_fill(rec, m, slot))}")
    for sel, kind in m.dkim.items():
        lines.append(f"{sel}._domainkey TXT {txt_rdata(keys.dkim(kind))}")
    if m.mta_sts:
        lines += [f"_mta-sts TXT {txt_rdata('v=STSv1; id=' + str(serial))}",
                  f"mta-sts A {m.ip(slot, 2)}"]
    for rec in m.tls_rpt:
        lines.append(f"_smtp._tls TXT {txt_rdata(_fill(rec, m, slot))}")
    if m.dane and tlsa:
        digest = tlsa if m.dane == "good" else hashlib.sha256(b"wrong" + tlsa.encode()).hexdigest()
        lines.append(f"_25._tcp.mail TLSA 3 1 1 {digest}")
    if m.caa:
        lines += ['@ CAA 0 issue "lab-ca.test"', f'@ CAA 0 iodef "mailto:securite@{d}"']
    for owner, records in m.extra.items():
        for rtype, rdata in records:
            if rtype == "TXT" and rdata == "BIG":
                rng = random.Random(7)
                big = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789 =;")
                              for _ in range(150 * 255))
                lines.append(f"{owner} TXT {txt_rdata(big)}")
            elif rtype == "TXT":
                lines.append(f"{owner} TXT {txt_rdata(_fill(rdata, m, slot))}")
            else:
                lines.append(f"{owner} {rtype} {_fill(rdata, m, slot)}")
    return "\n".join(lines) + "\n"


@dataclass
class SignedZone:
    name: str
    text: str
    ds: list[str] = field(default_factory=list)  # DS rdata texts for the parent


def sign(name: str, text: str, mode: str) -> SignedZone:
    """Sign zone text with a fresh ECDSA P-256 CSK. mode: good | expired | expiring |
    wrong_ds | island. Returns the signed text and the DS to publish in the parent."""
    # lazy: start-up time (dnspython, cryptography)
    import dns.dnssec
    import dns.dnssectypes
    import dns.zone
    from cryptography.hazmat.primitives.asymmetric import ec

    zone = dns.zone.from_text(text, origin=name + ".", relativize=False)
    key = ec.generate_private_key(ec.SECP256R1())
    dnskey = dns.dnssec.make_dnskey(key.public_key(), dns.dnssectypes.Algorithm.ECDSAP256SHA256,
                                    flags=257)
    now = datetime.now(UTC)
    if mode == "expired":
        inception, expiration = now - timedelta(days=30), now - timedelta(days=2)
    elif mode == "expiring":
        inception, expiration = now - timedelta(days=27), now + timedelta(days=3)
    else:
        inception, expiration = now - timedelta(hours=1), now + timedelta(days=30)
    dns.dnssec.sign_zone(zone, keys=[(key, dnskey)], inception=inception,
                         expiration=expiration, dnskey_ttl=TTL)
    ds: list[str] = []
    if mode == "wrong_ds":
        other = ec.generate_private_key(ec.SECP256R1())
        fake = dns.dnssec.make_dnskey(other.public_key(), dns.dnssectypes.Algorithm.ECDSAP256SHA256,
                                      flags=257)
        ds.append(dns.dnssec.make_ds(name + ".", fake, "SHA256").to_text())
    elif mode != "island":
        ds.append(dns.dnssec.make_ds(name + ".", dnskey, "SHA256").to_text())
    return SignedZone(name, zone.to_text(relativize=False), ds)


def parent_zone(slot: int, children: list[tuple[str, tuple[str, ...], list[str]]]) -> str:
    """The `test.` zone: nameserver hosts, then one delegation (NS + DS) per child."""
    ips = ns_ips(slot)
    lines = ["$ORIGIN test.", f"$TTL {TTL}",
             f"@ SOA ns1.test. hostmaster.test. {SERIAL} 3600 600 86400 300",
             "@ NS ns1.test.", "@ NS ns2.test."]
    lines += [f"{n} A {ip}" for n, ip in ips.items()]
    for name, ns_set, ds in children:
        label = name[: -len(".test")]
        lines += [f"{label} NS {n}.test." for n in ns_set]
        lines += [f"{label} DS {d}" for d in ds]
    return "\n".join(lines) + "\n"


def external_zone() -> str:
    d = EXTERNAL_REPORTS_DOMAIN
    return "\n".join([
        f"$ORIGIN {d}.", f"$TTL {TTL}",
        f"@ SOA ns1.test. hostmaster.{d}. {SERIAL} 3600 600 86400 300",
        "@ NS ns1.test.", "@ NS ns2.test.",
        "@ MX 0 .", '@ TXT "v=spf1 -all"',
        'bonneville.test._report._dmarc TXT "v=DMARC1"',
    ]) + "\n"


@dataclass
class ZoneFiles:
    """Zone files written for NSD A and B, and the trust anchor (DS of `test.`)."""

    a: list[tuple[str, str, bool]]  # (zone name, file name, provide AXFR)
    b: list[tuple[str, str, bool]]
    trust_anchor: str


def write_zones(directory: Path, slot: int, municipalities: list[Municipality],
                tlsa: dict[str, str], *, ipv6: bool = False) -> ZoneFiles:
    """Build, sign and write every zone. `tlsa`: domain -> SHA-256 of the MX key (hex).
    ipv6: publish the AAAA records of an IPv6 lab."""
    zdir = directory / "zones"
    zdir.mkdir(parents=True, exist_ok=True)
    keys = Keys()
    a: list[tuple[str, str, bool]] = []
    b: list[tuple[str, str, bool]] = []
    children: list[tuple[str, tuple[str, ...], list[str]]] = []
    for m in municipalities:
        text = municipality_zone(m, slot, keys, tlsa=tlsa.get(m.domain), ipv6=ipv6)
        ds: list[str] = []
        if m.dnssec != "none":
            signed = sign(m.domain, text, m.dnssec)
            text, ds = signed.text, signed.ds
        fname = f"{m.domain}.zone"
        (zdir / fname).write_text(text, encoding="utf-8")
        if m.ns != "dead":  # a "dead" zone is only delegated to the silent server
            a.append((m.domain, fname, m.axfr_open))
        if m.ns == "soa_mismatch":
            other = municipality_zone(m, slot, keys, serial=SERIAL + 1, tlsa=tlsa.get(m.domain),
                                      ipv6=ipv6)
            (zdir / f"{m.domain}.b.zone").write_text(other, encoding="utf-8")
            b.append((m.domain, f"{m.domain}.b.zone", False))
        children.append((m.domain, _NS_SETS[m.ns], ds))
    (zdir / f"{EXTERNAL_REPORTS_DOMAIN}.zone").write_text(external_zone(), encoding="utf-8")
    a.append((EXTERNAL_REPORTS_DOMAIN, f"{EXTERNAL_REPORTS_DOMAIN}.zone", False))
    children.append((EXTERNAL_REPORTS_DOMAIN, ("ns1", "ns2"), []))
    root = sign("test", parent_zone(slot, children), "good")
    (zdir / "test.zone").write_text(root.text, encoding="utf-8")
    a.append(("test", "test.zone", False))
    anchor = "".join(f"test. {TTL} IN DS {d}\n" for d in root.ds)
    (directory / "test.ds").write_text(anchor, encoding="utf-8")
    return ZoneFiles(a=a, b=b, trust_anchor=anchor)


def nsd_conf(directory: Path, name: str, ips: list[str],
             zones: list[tuple[str, str, bool]]) -> Path:
    run = directory / f"nsd-{name}"
    run.mkdir(parents=True, exist_ok=True)
    lines = ["server:"]
    lines += [f"    ip-address: {ip}@53" for ip in ips]
    lines += [
        '    username: ""', '    chroot: ""', '    database: ""',
        f'    zonesdir: "{directory / "zones"}"',
        f'    pidfile: "{run / "nsd.pid"}"',
        f'    logfile: "{run / "nsd.log"}"',
        f'    zonelistfile: "{run / "zone.list"}"',
        f'    xfrdfile: "{run / "xfrd.state"}"',
        f'    xfrdir: "{run}"',
        "    rrl-ratelimit: 0", "    verbosity: 1", "    hide-version: yes",
        "    server-count: 1", "    reuseport: no", "    do-ip6: no",
        "remote-control:", "    control-enable: no",
    ]
    for zname, fname, axfr in zones:
        lines += ["zone:", f'    name: "{zname}"', f'    zonefile: "{fname}"']
        if axfr:
            lines.append("    provide-xfr: 127.0.0.0/8 NOKEY")
    path = run / "nsd.conf"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def unbound_conf(directory: Path, slot: int) -> Path:
    run = directory / "unbound"
    run.mkdir(parents=True, exist_ok=True)
    lines = [
        "server:",
        f"    interface: {resolver_ip(slot)}",
        "    port: 53",
        "    do-daemonize: no",
        '    username: ""',
        '    chroot: ""',
        f'    directory: "{run}"',
        f'    pidfile: "{run / "unbound.pid"}"',
        "    use-syslog: no",
        f'    logfile: "{run / "unbound.log"}"',
        "    verbosity: 0",
        "    num-threads: 2",
        "    access-control: 127.0.0.0/8 allow",
        "    outgoing-interface: 127.0.0.1",
        "    do-not-query-localhost: no",
        "    do-ip6: no",
        f'    trust-anchor-file: "{directory / "test.ds"}"',
        # The lab's zones do not change while it runs: caching is safe, and it keeps the
        # resolver's CPU (which a real user's machine would not spend) out of the figures.
        "    cache-max-ttl: 300",
        "    cache-max-negative-ttl: 60",
        "    val-bogus-ttl: 0",
        "    qname-minimisation: no",
        # Records in zone order (no shuffling): a test of a name with more than 100 TXT
        # records must see the policy record last, every time.
        "    rrset-roundrobin: no",
        "    num-queries-per-thread: 2048",
        "    outgoing-range: 4096",
        "    jostle-timeout: 1000",
        "    infra-host-ttl: 60",
        '    local-zone: "test." transparent',
        '    local-zone: "." refuse',
        "stub-zone:",
        '    name: "test."',
        f"    stub-addr: {ns_ips(slot)['ns1']}@53",
        f"    stub-addr: {ns_ips(slot)['ns2']}@53",
    ]
    path = run / "unbound.conf"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def probe_soa(ip: str, port: int, name: str, *, rd: bool, timeout: float = 0.3) -> bool:
    """One UDP SOA query; True if any DNS answer came back."""
    # lazy: start-up time (dnspython)
    import dns.flags
    import dns.message
    import dns.query

    q = dns.message.make_query(name, "SOA")
    if not rd:
        q.flags &= ~dns.flags.RD
    try:
        dns.query.udp(q, ip, timeout=timeout, port=port)
    except Exception:  # noqa: BLE001 - not ready yet
        return False
    return True


def wait_dns(proc: subprocess.Popen[bytes], ip: str, name: str, *, rd: bool, log: Path,
             deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited ({proc.returncode}): " + _tail(log))
        if probe_soa(ip, 53, name, rd=rd):
            return
        time.sleep(0.02)
    raise RuntimeError(f"{ip}:53 not ready in time: " + _tail(log))


def _tail(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-800:]
    except OSError:
        return "(no log)"


def port_free(ip: str, port: int = 53) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind((ip, port))
            except OSError:
                return False
    return True
