"""TLS probing: connect to an IP address, handshake with the right SNI, describe what came back.

Trust is the system's (`ssl.create_default_context()`, which honours `SSL_CERT_FILE`): what a
user's browser or mail server would trust, no test-only switch. Names are never resolved here:
callers resolve them through the configured nameserver and pass the IP plus the name.

Every probe is bounded in time by a watchdog that shuts the socket down at the deadline (a server
that drips its handshake one byte at a time cannot hold us longer than `timeout`).
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cyberdiag.errors import NotTested

StartTls = Callable[[socket.socket], None]

LEGACY_VERSIONS: tuple[tuple[str, ssl.TLSVersion], ...] = (
    ("TLSv1", ssl.TLSVersion.TLSv1),
    ("TLSv1.1", ssl.TLSVersion.TLSv1_1),
)


@dataclass(frozen=True)
class CertInfo:
    """What matters in a server certificate (dates are timezone-aware, UTC)."""

    subject: str
    issuer: str
    sans: list[str]
    not_before: datetime
    not_after: datetime
    key_type: str
    key_bits: int
    sig_alg: str
    self_signed: bool

    def evidence(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "sans": self.sans[:50],
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "key": f"{self.key_type} {self.key_bits}",
            "signature": self.sig_alg,
            "self_signed": self.self_signed,
        }


@dataclass(frozen=True)
class TlsInfo:
    """Outcome of one TLS probe.

    version/cipher: None when no handshake succeeded (verify_error then says why, e.g. the server
    only speaks TLS 1.0 or is not TLS at all). verified: the chain and the name were verified
    against the system trust store. chain_len: length of the verified chain (root included)
    when verified, else the number of certificates the server sent.
    """

    version: str | None
    cipher: str | None
    verified: bool
    verify_error: str | None
    cert: CertInfo | None
    chain_len: int | None

    def evidence(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "cipher": self.cipher,
            "verified": self.verified,
            "verify_error": self.verify_error,
            "chain_len": self.chain_len,
            "certificate": self.cert.evidence() if self.cert else None,
        }


class HandshakeFailed(Exception):
    """The TCP connection worked but no TLS session could be set up (not network trouble)."""


def cert_info(der: bytes) -> CertInfo:
    """Describe a DER certificate. Raises ValueError if it cannot be parsed."""
    # lazy: start-up time (cryptography)
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    cert = x509.load_der_x509_certificate(der)
    sans: list[str] = []
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        sans = [str(n) for n in ext.value.get_values_for_type(x509.DNSName)]
        sans += [str(ip) for ip in ext.value.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        pass
    key = cert.public_key()
    key_type, bits = "unknown", 0
    if isinstance(key, rsa.RSAPublicKey):
        key_type, bits = "RSA", key.key_size
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_type, bits = "EC", key.curve.key_size
    elif isinstance(key, dsa.DSAPublicKey):
        key_type, bits = "DSA", key.key_size
    elif isinstance(key, ed25519.Ed25519PublicKey):
        key_type, bits = "Ed25519", 256
    elif isinstance(key, ed448.Ed448PublicKey):
        key_type, bits = "Ed448", 456
    oid = cert.signature_algorithm_oid
    sig_alg = getattr(oid, "_name", None) or oid.dotted_string
    self_signed = False
    if cert.subject == cert.issuer:
        try:
            cert.verify_directly_issued_by(cert)
            self_signed = True
        except Exception:  # InvalidSignature, unsupported key types
            self_signed = False
    return CertInfo(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        sans=sans,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_type=key_type,
        key_bits=bits,
        sig_alg=sig_alg,
        self_signed=self_signed,
    )


# This computer has no route to that address family (typically: no IPv6 here). Not a finding
# about the server: callers compare address families only when both could be tried.
NO_ROUTE_HERE = "no_route_here"
_LOCAL_ERRNOS = (errno.ENETUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT)


def _not_tested(ip: str, port: int, exc: BaseException) -> NotTested:
    if isinstance(exc, OSError) and exc.errno in _LOCAL_ERRNOS:
        return NotTested(
            f"cet ordinateur n'a pas de route vers {ip} (pas d'IPv6 ici ?)",
            f"this computer has no route to {ip} (no IPv6 here?)",
            {"ip": ip, "port": port, "error": NO_ROUTE_HERE},
        )
    if isinstance(exc, TimeoutError | socket.timeout):
        return NotTested(
            f"pas de réponse de {ip}:{port} dans le délai imparti",
            f"no answer from {ip}:{port} within the timeout",
            {"ip": ip, "port": port, "error": "timeout"},
        )
    if isinstance(exc, ConnectionRefusedError):
        return NotTested(
            f"connexion refusée par {ip}:{port}",
            f"connection refused by {ip}:{port}",
            {"ip": ip, "port": port, "error": "refused"},
        )
    return NotTested(
        f"erreur réseau avec {ip}:{port} ({type(exc).__name__})",
        f"network error with {ip}:{port} ({type(exc).__name__}: {exc})"[:300],
        {"ip": ip, "port": port, "error": type(exc).__name__},
    )


def connect(ip: str, port: int, timeout: float) -> socket.socket:
    """TCP connection to an IP address (never a name). Raises NotTested on network trouble."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        raise ValueError(f"not an IP address: {ip!r}") from None
    family = socket.AF_INET6 if addr.version == 6 else socket.AF_INET
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as exc:  # e.g. IPv6 disabled on this computer
        raise _not_tested(ip, port, exc) from None
    sock.settimeout(timeout)
    try:
        sock.connect((str(addr), port))
    except OSError as exc:
        sock.close()
        raise _not_tested(ip, port, exc) from None
    return sock


@contextmanager
def watchdog(sock: socket.socket, seconds: float) -> Iterator[threading.Event]:
    """Shut the connection down after `seconds`, whatever is blocking on it.

    Yields an Event that is set if the watchdog fired. Works on the plain socket before it is
    wrapped in TLS (the shutdown acts on the connection, through a duplicate descriptor).
    """
    fired = threading.Event()
    try:
        dup = sock.dup()
    except OSError:
        yield fired
        return

    def fire() -> None:
        fired.set()
        try:
            dup.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    timer = threading.Timer(max(seconds, 0.0), fire)
    timer.daemon = True
    timer.start()
    try:
        yield fired
    finally:
        timer.cancel()
        dup.close()


def _chain_len(tsock: ssl.SSLSocket, verified: bool) -> int | None:
    sslobj: Any = getattr(tsock, "_sslobj", None)
    name = "get_verified_chain" if verified else "get_unverified_chain"
    for obj in (tsock, sslobj):  # public from Python 3.13, private before
        fn = getattr(obj, name, None)
        if fn is not None:
            try:
                chain = fn()
            except (ssl.SSLError, ValueError):
                return None
            return len(chain) if chain is not None else None
    return None


def peer_chain(tsock: ssl.SSLSocket) -> list[bytes]:
    """The certificates the server sent (DER, leaf first), unverified; at least the leaf when
    the Python version cannot give the chain."""
    ders: list[bytes] = []
    leaf = tsock.getpeercert(binary_form=True)
    if leaf:
        ders.append(leaf)
    sslobj: Any = getattr(tsock, "_sslobj", None)
    for obj in (tsock, sslobj):  # public from Python 3.13, private before
        fn = getattr(obj, "get_unverified_chain", None)
        if fn is not None:
            try:
                chain = fn() or []
                ders = [c if isinstance(c, bytes) else c.public_bytes(2) for c in chain] or ders
            except Exception:  # noqa: BLE001 - best effort: the leaf is enough
                pass
            break
    return ders


def session_info(tsock: ssl.SSLSocket, verified: bool, error: str | None) -> TlsInfo:
    der = tsock.getpeercert(binary_form=True)
    info: CertInfo | None = None
    if der:
        try:
            info = cert_info(der)
        except ValueError:
            info = None
    cipher = tsock.cipher()
    return TlsInfo(
        version=tsock.version(),
        cipher=cipher[0] if cipher else None,
        verified=verified,
        verify_error=error,
        cert=info,
        chain_len=_chain_len(tsock, verified),
    )


def open_tls(
    ip: str,
    port: int,
    server_name: str,
    ctx: ssl.SSLContext,
    deadline: float,
    starttls: StartTls | None = None,
) -> ssl.SSLSocket:
    """Connect, run STARTTLS if any, handshake (bounded by `deadline`, a time.monotonic()
    value). Raises NotTested (network trouble), HandshakeFailed, or
    ssl.SSLCertVerificationError (the caller decides). The socket keeps a timeout: set it to
    the remaining time before each further read."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _not_tested(ip, port, TimeoutError())
    sock = connect(ip, port, remaining)
    with watchdog(sock, remaining) as fired:
        try:
            if starttls is not None:
                starttls(sock)
            # Python never sends an IP literal as SNI but still verifies it against IP SANs.
            tsock = ctx.wrap_socket(sock, server_hostname=server_name)
        except ssl.SSLCertVerificationError:
            sock.close()
            raise
        except ssl.SSLError as exc:
            sock.close()
            if fired.is_set():
                raise _not_tested(ip, port, TimeoutError()) from None
            if isinstance(exc, ssl.SSLZeroReturnError | ssl.SSLEOFError) and not _reason(exc):
                raise HandshakeFailed("connection closed during the handshake") from None
            raise HandshakeFailed(_reason(exc) or str(exc)) from None
        except NotTested:
            sock.close()
            raise
        except OSError as exc:
            sock.close()
            if fired.is_set():
                raise _not_tested(ip, port, TimeoutError()) from None
            raise _not_tested(ip, port, exc) from None
    return tsock


def _reason(exc: ssl.SSLError) -> str:
    return str(getattr(exc, "reason", "") or "")


# Loading the system trust store costs ~50 ms per context: contexts are built once and shared
# (an SSLContext is safe to use from several threads). The key follows the standard variables,
# so a changed SSL_CERT_FILE / SSL_CERT_DIR gives a fresh context.
_CONTEXTS: dict[tuple[str, str | None, str | None], ssl.SSLContext] = {}
_CONTEXTS_LOCK = threading.Lock()


def _cached(kind: str, build: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
    key = (kind, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    with _CONTEXTS_LOCK:
        ctx = _CONTEXTS.get(key)
        if ctx is None:
            ctx = _CONTEXTS[key] = build()
    return ctx


def verifying_context() -> ssl.SSLContext:
    """The system's trust store and defaults (honours SSL_CERT_FILE / SSL_CERT_DIR)."""
    return _cached("verify", ssl.create_default_context)


def _build_lenient() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def lenient_context() -> ssl.SSLContext:
    """No verification: only used to describe a certificate that failed verification."""
    return _cached("lenient", _build_lenient)


def tls_probe(
    ip: str,
    port: int,
    server_name: str,
    timeout: float,
    starttls: StartTls | None = None,
) -> TlsInfo:
    """Handshake with `ip:port` as a client wanting `server_name` (SNI and verification).

    On a verification failure, verify_error holds OpenSSL's reason and a second, unverified
    connection collects the certificate. If no TLS session can be set up at all (the server
    only offers obsolete versions, or does not speak TLS), version is None and verify_error says
    why. Network trouble (timeout, refused, reset) raises NotTested. `starttls(sock)` runs on the
    plain socket first (e.g. SMTP EHLO/STARTTLS) and may itself raise NotTested.
    """
    deadline = time.monotonic() + timeout
    try:
        tsock = open_tls(ip, port, server_name, verifying_context(), deadline, starttls)
    except ssl.SSLCertVerificationError as exc:
        error = str(exc.verify_message or exc.reason or exc)
    except HandshakeFailed as exc:
        return TlsInfo(None, None, False, f"handshake failed: {exc}", None, None)
    else:
        with tsock:
            return session_info(tsock, True, None)
    try:
        tsock = open_tls(ip, port, server_name, lenient_context(), deadline, starttls)
    except HandshakeFailed as exc:
        return TlsInfo(None, None, False, f"{error}; handshake failed: {exc}", None, None)
    with tsock:
        return session_info(tsock, False, error)


_RESET_ERRORS = ("ConnectionResetError", "BrokenPipeError", "ConnectionAbortedError")


def legacy_context(version: ssl.TLSVersion) -> ssl.SSLContext:
    """A client context that offers exactly `version` (no verification: only the protocol
    matters). Raises ssl.SSLError/ValueError if the local OpenSSL cannot do it."""
    return _cached(f"legacy-{version.name}", lambda: _build_legacy(version))


def _build_legacy(version: ssl.TLSVersion) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = version
    ctx.maximum_version = version
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    return ctx


def client_legacy_support() -> list[str]:
    """Legacy versions the local OpenSSL can offer as a client (else they cannot be tested)."""
    out: list[str] = []
    for label, version in LEGACY_VERSIONS:
        if not getattr(ssl, "HAS_" + version.name, False):
            continue
        try:
            legacy_context(version)
        except (ssl.SSLError, ValueError):
            continue
        out.append(label)
    return out


def legacy_versions(
    ip: str,
    port: int,
    server_name: str,
    timeout: float,
    starttls: StartTls | None = None,
) -> list[str]:
    """Which of TLS 1.0 / 1.1 the server accepts ("TLSv1", "TLSv1.1"). Raises NotTested on
    network trouble. Versions the local OpenSSL cannot offer are skipped: compare with
    client_legacy_support() before concluding that a version is refused."""
    deadline = time.monotonic() + timeout
    offered: list[str] = []
    supported = client_legacy_support()
    for label, version in LEGACY_VERSIONS:
        if label not in supported:
            continue
        try:
            tsock = open_tls(ip, port, server_name, legacy_context(version), deadline, starttls)
        except HandshakeFailed:
            continue
        except NotTested as exc:
            # Some servers reset the connection when offered an old version: refused.
            if exc.evidence.get("error") in _RESET_ERRORS:
                continue
            raise
        with tsock:
            if tsock.version() == label:
                offered.append(label)
    return offered
