"""SMTP on port 25 of an MX address: banner, EHLO, STARTTLS (bounded replies, our time budget)."""

from __future__ import annotations

from typing import Any

from cyberdiag.errors import NotTested
from cyberdiag.net.text import clean

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

