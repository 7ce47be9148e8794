"""The lab's private PKI: root and intermediate CAs, leaf certificates (expired, self-signed, weak
key, IP addresses), issued fast enough for the tests, read back with cyberdiag.net.tls.cert_info."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cyberdiag.lab.pki import issue, make_pki
from cyberdiag.net.tls import cert_info


def test_pki_variants(tmp_path: Path) -> None:
    t0 = time.monotonic()
    pki = make_pki(tmp_path)
    chain, key = issue(pki, ["www.a.test", "a.test"], ["127.0.0.5"], name="a")
    exp, _ = issue(pki, ["www.a.test"], expired=True, name="exp")
    own, _ = issue(pki, ["www.a.test"], self_signed=True, name="own")
    weak, _ = issue(pki, ["www.a.test"], rsa_bits=1024, name="weak")
    assert time.monotonic() - t0 < 2
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    certs = x509.load_pem_x509_certificates(chain.read_bytes())
    assert len(certs) == 2 and certs[1].subject == pki.intermediate_cert.subject
    info = cert_info(_der(certs[0]))
    assert info.sans == ["www.a.test", "a.test", "127.0.0.5"]
    assert (info.key_type, info.key_bits, info.self_signed) == ("EC", 256, False)
    assert info.sig_alg == "ecdsa-with-SHA256"
    e = cert_info(_leaf(exp))
    assert e.not_after < datetime.now(UTC)
    o = x509.load_pem_x509_certificates(own.read_bytes())
    assert len(o) == 1 and cert_info(_der(o[0])).self_signed
    w = cert_info(_leaf(weak))
    assert (w.key_type, w.key_bits) == ("RSA", 1024)


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _leaf(path: Path) -> bytes:
    return _der(x509.load_pem_x509_certificates(path.read_bytes())[0])
