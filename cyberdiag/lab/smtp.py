"""Mail servers of the lab: aiosmtpd on port 25 of loopback addresses, one per municipality.

All servers share one asyncio loop in a background thread. Cases (see communes.SMTP_CASES):
STARTTLS with a valid, expired, wrong-name or self-signed certificate, TLS 1.0 only, no
STARTTLS at all, a server that closes the connection at once, one that never speaks.
Messages received are discarded.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SmtpServer:
    ip: str
    hostname: str
    case: str
    cert: Path | None = None
    key: Path | None = None
    port: int = 25


class _Discard:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        return "250 OK (discarded by the cyberdiag lab)"


def _context(server: SmtpServer) -> ssl.SSLContext | None:
    if server.cert is None or server.key is None or server.case in ("plain", "close", "hang"):
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(server.cert), str(server.key))
    if server.case == "legacy":
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1
    return ctx


class _Closer(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()


class _Hanger(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # keep it open, say nothing


class SmtpLab:
    """The running mail servers (stop() closes them and ends the loop thread)."""

    def __init__(self, servers: list[SmtpServer]) -> None:
        self.servers = servers
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._listeners: list[asyncio.AbstractServer] = []
        self.thread = threading.Thread(target=self._run, name="lab-smtp", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._start())
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()
        for listener in self._listeners:
            listener.close()
        self.loop.run_until_complete(asyncio.sleep(0))
        self.loop.close()

    async def _start(self) -> None:
        # lazy: start-up time (aiosmtpd is only needed when the lab runs)
        from aiosmtpd.smtp import SMTP

        for srv in self.servers:
            ctx = _context(srv)
            factory: Any
            if srv.case == "close":
                factory = _Closer
            elif srv.case == "hang":
                factory = _Hanger
            else:
                def factory(srv: SmtpServer = srv, ctx: ssl.SSLContext | None = ctx) -> Any:
                    return SMTP(_Discard(), hostname=srv.hostname, tls_context=ctx,
                                require_starttls=False, ident="cyberdiag lab ESMTP")
            listener = await self.loop.create_server(factory, host=srv.ip, port=srv.port,
                                                     reuse_address=True)
            self._listeners.append(listener)

    def start(self, timeout: float = 20.0) -> None:
        self.thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("SMTP servers not ready in time")
        if self._error is not None:
            raise RuntimeError(f"SMTP servers failed to start: {self._error}")

    def stop(self) -> None:
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


def start_smtp(servers: list[SmtpServer]) -> SmtpLab:
    lab = SmtpLab(servers)
    lab.start()
    return lab
