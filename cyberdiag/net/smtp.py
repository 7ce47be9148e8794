"""SMTP on port 25 of an MX address: banner, EHLO, STARTTLS, the TLS session behind it.

Replies are bounded in size, every operation by the check's time budget (cyberdiag.net.budget).
What the answers mean for the municipality is judged in cyberdiag.checks.mail.
"""

from __future__ import annotations

import time
from typing import Any

from cyberdiag.errors import NotTested
from cyberdiag.net.budget import remaining
from cyberdiag.net.text import clean
from cyberdiag.net.tls import (
    HandshakeFailed,
    connect,
    legacy_versions,
    lenient_context,
    open_tls,
    peer_chain,
    tls_probe,
    watchdog,
)

SMTP_MAX_REPLY = 65536
EHLO_NAME = "cyberdiag.invalid"


class SmtpError(Exception):
    """The server answered, but not as an SMTP server should (data, not network trouble)."""


def smtp_reply(sock: Any, ip: str = "") -> tuple[int, list[str]]:
    """Read one (possibly multi-line) SMTP reply: (code, lines). Bounded in size.

    Raises NotTested if the connection closes or times out (network trouble), SmtpError on
    garbage."""

    buf = b""
    while True:
        lines = buf.split(b"\r\n")
        complete = lines[:-1]
        if complete and (len(complete[-1]) < 4 or complete[-1][3:4] == b" "):
            break
        if len(buf) > SMTP_MAX_REPLY:
            raise SmtpError("reply too long")
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            raise NotTested(f"le serveur SMTP {ip} ne répond pas dans le délai",
                            f"the SMTP server {ip} did not answer in time",
                            {"ip": ip, "error": "timeout"}) from None
        except OSError as exc:
            raise NotTested(f"connexion SMTP avec {ip} interrompue",
                            f"SMTP connection with {ip} broken ({type(exc).__name__})",
                            {"ip": ip, "error": type(exc).__name__}) from None
        if not chunk:
            raise NotTested(f"le serveur SMTP {ip} a fermé la connexion",
                            f"the SMTP server {ip} closed the connection",
                            {"ip": ip, "error": "closed"})
        buf += chunk
    text = [line.decode("utf-8", "replace") for line in complete]
    code = text[-1][:3]
    if not code.isdigit():
        raise SmtpError(f"not an SMTP reply: {clean(text[-1], 80)}")
    return int(code), [line[4:] for line in text]


def smtp_command(sock: Any, line: str, ip: str = "") -> tuple[int, list[str]]:
    """Send one command line and read its reply (see smtp_reply)."""
    try:
        sock.sendall(line.encode("ascii") + b"\r\n")
    except OSError as exc:
        raise NotTested(f"connexion SMTP avec {ip} interrompue",
                        f"SMTP connection with {ip} broken ({type(exc).__name__})",
                        {"ip": ip, "error": type(exc).__name__}) from None
    return smtp_reply(sock, ip)


def smtp_greet(sock: Any, ip: str = "") -> tuple[str, list[str]]:
    """Read the banner and say EHLO; returns (banner, EHLO extension keywords upper-case)."""
    code, banner = smtp_reply(sock, ip)
    if code != 220:
        raise SmtpError(f"banner {code} {clean(' '.join(banner), 120)}")
    code, lines = smtp_command(sock, f"EHLO {EHLO_NAME}", ip)
    if code != 250:
        raise SmtpError(f"EHLO refused ({code})")
    exts = [ln.split(" ")[0].upper() for ln in lines[1:]]
    return clean(" ".join(banner), 200), exts


def smtp_starttls(ip: str) -> Any:
    """A callable for cyberdiag.net.tls: banner, EHLO, STARTTLS on the plain socket."""

    def run(sock: Any) -> None:
        try:
            _banner, exts = smtp_greet(sock, ip)
            if "STARTTLS" not in exts:
                raise SmtpError("STARTTLS not offered")
            code, _ = smtp_command(sock, "STARTTLS", ip)
            if code != 220:
                raise SmtpError(f"STARTTLS refused ({code})")
        except SmtpError as exc:
            raise NotTested(f"dialogue SMTP inattendu avec {ip}",
                            f"unexpected SMTP dialogue with {ip}: {exc}",
                            {"ip": ip, "error": str(exc)}) from None

    return run


def _greet_and_quit(ip: str, timeout: float) -> dict[str, Any]:
    """Banner and EHLO on port 25, then QUIT: {"banner", "starttls"}, or {"smtp": False,
    "error"} when the server does not speak SMTP properly. Raises NotTested."""
    sock = connect(ip, 25, remaining(timeout))
    try:
        with watchdog(sock, remaining(timeout)) as fired:
            try:
                banner, exts = smtp_greet(sock, ip)
            except SmtpError as exc:
                return {"smtp": False, "error": str(exc)}
            except NotTested:
                if fired.is_set():
                    raise NotTested(
                        f"le serveur SMTP {ip} ne répond pas dans le délai",
                        f"the SMTP server {ip} did not answer in time",
                        {"ip": ip, "error": "timeout"}) from None
                raise
            try:
                smtp_command(sock, "QUIT", ip)
            except (NotTested, SmtpError):
                pass
            return {"banner": banner, "starttls": "STARTTLS" in exts}
    finally:
        sock.close()


def _probe_once(ip: str, host: str, timeout: float) -> dict[str, Any]:
    out: dict[str, Any] = {"host": host, "ip": ip}
    out.update(_greet_and_quit(ip, timeout))
    if not out.get("starttls"):
        return out
    info = tls_probe(ip, 25, host, remaining(timeout), starttls=smtp_starttls(ip))
    out["tls"] = info.evidence()
    if info.version is None:
        out["legacy"] = legacy_versions(ip, 25, host, remaining(timeout),
                                        starttls=smtp_starttls(ip))
    return out


def probe(ip: str, host: str, timeout: float) -> dict[str, Any]:
    """What the MX `host` at `ip` says on port 25, as evidence: banner and whether STARTTLS is
    offered; then a verified STARTTLS handshake ("tls": TlsInfo.evidence()) and, when no modern
    version works, the TLS 1.0/1.1 versions accepted ("legacy"). A server that does not speak
    SMTP gives {"smtp": False, "error": ...}. Network trouble is retried once if the check's
    budget allows, then raises NotTested. `timeout` bounds each network operation."""
    try:
        return _probe_once(ip, host, timeout)
    except NotTested:
        remaining(timeout)  # raises NotTested if the budget is spent
        return _probe_once(ip, host, timeout)


def certificate_chain(ip: str, host: str, timeout: float) -> list[bytes]:
    """The certificate chain (DER, leaf first) the MX presents after STARTTLS, unverified
    (DANE compares it with TLSA records); [] if no TLS session can be set up.
    Raises NotTested on network trouble."""
    deadline = time.monotonic() + remaining(timeout)
    try:
        tsock = open_tls(ip, 25, host, lenient_context(), deadline, smtp_starttls(ip))
    except HandshakeFailed:
        return []
    with tsock:
        return peer_chain(tsock)
