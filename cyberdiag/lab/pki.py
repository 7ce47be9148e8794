"""A private PKI for the local lab and the tests: root CA, intermediate CA, leaf certificates.

Built with `cryptography` in milliseconds (EC P-256 keys by default). Leaves carry SAN DNS and IP
entries; variants: expired, self-signed (not issued by the lab CA). A wrong-name certificate is
simply a leaf issued for other names. Trust the lab CA the way users trust any CA: point the
standard `SSL_CERT_FILE` variable at `ca_cert_path` (never a test-only switch in the product).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class Pki:
    """The lab's certificate authorities and where their files live."""

    directory: Path
    ca_cert_path: Path
    ca_key: PrivateKey
    ca_cert: x509.Certificate
    intermediate_key: PrivateKey
    intermediate_cert: x509.Certificate
    intermediate_cert_path: Path


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "cyberdiag lab"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _new_key(rsa_bits: int | None = None) -> PrivateKey:
    if rsa_bits:
        return rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _write(path: Path, data: bytes, private: bool = False) -> None:
    path.write_bytes(data)
    if private:
        path.chmod(0o600)


def _ca_cert(
    subject: str,
    key: PrivateKey,
    issuer_name: x509.Name,
    issuer_key: PrivateKey,
    path_length: int,
    now: datetime,
) -> x509.Certificate:
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def make_pki(directory: Path) -> Pki:
    """Create a root CA and an intermediate CA in `directory` (ca.pem is the trust anchor)."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key = _new_key()
    ca_name = _name("cyberdiag lab root CA")
    ca_cert = _ca_cert("cyberdiag lab root CA", ca_key, ca_name, ca_key, 1, now)
    int_key = _new_key()
    int_cert = _ca_cert("cyberdiag lab intermediate CA", int_key, ca_name, ca_key, 0, now)
    ca_path = directory / "ca.pem"
    int_path = directory / "intermediate.pem"
    _write(ca_path, _cert_pem(ca_cert))
    _write(directory / "ca.key", _key_pem(ca_key), private=True)
    _write(int_path, _cert_pem(int_cert))
    _write(directory / "intermediate.key", _key_pem(int_key), private=True)
    return Pki(
        directory=directory,
        ca_cert_path=ca_path,
        ca_key=ca_key,
        ca_cert=ca_cert,
        intermediate_key=int_key,
        intermediate_cert=int_cert,
        intermediate_cert_path=int_path,
    )


_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def issue(
    pki: Pki,
    names: list[str],
    ips: list[str] | None = None,
    *,
    days: int = 365,
    expired: bool = False,
    self_signed: bool = False,
    rsa_bits: int | None = None,
    name: str,
) -> tuple[Path, Path]:
    """Issue a server certificate; returns (chain PEM path: leaf + intermediate, key PEM path).

    names: DNS SANs (the first one is also the CN); ips: IP SANs. expired: validity ended
    yesterday. self_signed: signed by its own key, chain = leaf only. rsa_bits: an RSA key of
    that size instead of EC P-256 (e.g. 1024 for a weak-key case). (No SHA-1 variant:
    cryptography ≥ 42 refuses to sign with SHA-1.)
    """
    if not names and not ips:
        raise ValueError("a certificate needs at least one name or IP")
    now = datetime.now(UTC)
    if expired:
        not_before, not_after = now - timedelta(days=days + 1), now - timedelta(days=1)
    else:
        not_before, not_after = now - timedelta(hours=1), now + timedelta(days=days)
    key = _new_key(rsa_bits)
    cn = names[0] if names else (ips or [""])[0]
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips or []]
    if self_signed:
        issuer_name, issuer_key = _name(cn), key
    else:
        issuer_name, issuer_key = pki.intermediate_cert.subject, pki.intermediate_key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    cert = builder.sign(issuer_key, hashes.SHA256())
    safe = _SAFE.sub("_", name)
    chain_path = pki.directory / f"{safe}.chain.pem"
    key_path = pki.directory / f"{safe}.key"
    chain = _cert_pem(cert) if self_signed else _cert_pem(cert) + _cert_pem(pki.intermediate_cert)
    _write(chain_path, chain)
    _write(key_path, _key_pem(key), private=True)
    return chain_path, key_path
