"""A small, bounded HTTP/1.1 client that connects to IP addresses (names resolved by the caller).

Why not urllib/http.client: they resolve names with the system resolver and do not bound what a
hostile server can send. Here: one GET, `Connection: close`, Host/SNI = the host name, TLS
verified against the system trust store (an unverifiable certificate is recorded and the page is
still fetched so its headers can be judged), no automatic redirects, header size and count
bounded, body truncated at `max_bytes`, one total deadline for the whole exchange.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from cyberdiag.errors import NotTested
from cyberdiag.net.text import clean
from cyberdiag.net.tls import (
    HandshakeFailed,
    TlsInfo,
    connect,
    lenient_context,
    open_tls,
    session_info,
    verifying_context,
)

MAX_HEADER_BYTES = 65536
MAX_HEADERS = 200
MAX_REDIRECTS = 5
USER_AGENT = "cyberdiag/0.1 (+https://github.com/cyberdiag)"


class HttpProtocolError(NotTested):
    """The server answered, but not with usable HTTP (junk, oversized headers, TLS refused).

    A NotTested, so a check that does not handle it reports `not_tested` with this reason;
    checks for which it is a finding (web.https) catch it.
    """


@dataclass
class HttpResponse:
    """One HTTP response. headers keep their order and duplicates (Set-Cookie)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    tls: TlsInfo | None
    url: str = ""
    ip: str = ""
    truncated: bool = False
    reason: str = ""

    def header(self, name: str) -> str | None:
        """First value of a header (case-insensitive), or None."""
        low = name.lower()
        for k, v in self.headers:
            if k.lower() == low:
                return v
        return None

    def header_all(self, name: str) -> list[str]:
        """Every value of a header (case-insensitive), in order."""
        low = name.lower()
        return [v for k, v in self.headers if k.lower() == low]

    @property
    def location(self) -> str | None:
        """Absolute redirect target for a 3xx with a Location header."""
        loc = self.header("location")
        if not (300 <= self.status < 400) or loc is None or not loc.strip():
            return None
        try:
            return urljoin(self.url, loc.strip())
        except ValueError:  # e.g. an unbalanced IPv6 bracket
            return loc.strip()

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def evidence(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "ip": self.ip,
            "status": self.status,
            "headers": [[clean(k, 100), clean(v, 500)] for k, v in self.headers[:60]],
            "body_bytes": len(self.body),
            "truncated": self.truncated,
        }


def _protocol_error(url: str, fr: str, en: str, sample: bytes = b"") -> HttpProtocolError:
    ev: dict[str, Any] = {"url": url, "error": en}
    if sample:
        ev["sample"] = sample[:120].decode("latin-1").encode("unicode_escape").decode("ascii")
    return HttpProtocolError(
        f"réponse HTTP inutilisable de {url} : {fr}", f"unusable HTTP answer from {url}: {en}", ev
    )


def _request(host: str, port: int, path: str, tls: bool) -> bytes:
    default = 443 if tls else 80
    host_header = host if port == default else f"{host}:{port}"
    if ":" in host and not host.startswith("["):  # IPv6 literal
        host_header = f"[{host}]" if port == default else f"[{host}]:{port}"
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host_header}",
        f"User-Agent: {USER_AGENT}",
        "Accept: text/html,text/plain,*/*",
        "Accept-Encoding: identity",
        "Connection: close",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii", errors="strict")


def _check_request_parts(host: str, path: str) -> None:
    for part in (host, path):
        if any(c in part for c in "\r\n\x00 ") or not part.isascii():
            raise ValueError(f"invalid character in HTTP request part {part!r}")
    if not path.startswith("/"):
        raise ValueError(f"path must start with '/': {path!r}")


def fetch(
    host: str,
    ip: str,
    path: str = "/",
    *,
    port: int | None = None,
    tls: bool = True,
    timeout: float = 5.0,
    max_bytes: int = 65536,
) -> HttpResponse:
    """GET `path` from `ip` as `host` (Host header, SNI, certificate name). Never follows
    redirects. Raises NotTested on network trouble and HttpProtocolError (a NotTested) when the
    answer is not usable HTTP. If the certificate cannot be verified, the page is still fetched
    over an unverified connection and `response.tls.verified` is False (callers that need a
    trusted answer, e.g. an MTA-STS policy, must check it)."""
    _check_request_parts(host, path)
    port = port or (443 if tls else 80)
    scheme = "https" if tls else "http"
    authority = host if port == (443 if tls else 80) else f"{host}:{port}"
    url = f"{scheme}://{authority}{path}"
    deadline = time.monotonic() + timeout
    info: TlsInfo | None = None
    sock: socket.socket
    if tls:
        try:
            try:
                tsock = open_tls(ip, port, host, verifying_context(), deadline)
                info = session_info(tsock, True, None)
            except ssl.SSLCertVerificationError as exc:
                error = str(exc.verify_message or exc.reason or exc)
                tsock = open_tls(ip, port, host, lenient_context(), deadline)
                info = session_info(tsock, False, error)
        except HandshakeFailed as exc:
            raise _protocol_error(
                url, f"échec de la négociation TLS ({exc})", f"TLS handshake failed ({exc})"
            ) from None
        sock = tsock
    else:
        sock = connect(ip, port, max(deadline - time.monotonic(), 0.001))
    with sock:
        try:
            _send(sock, _request(host, port, path, tls), deadline)
            return _read_response(sock, url, ip, info, deadline, max_bytes)
        except TimeoutError:
            raise NotTested(
                f"pas de réponse complète de {url} ({ip}) dans le délai imparti",
                f"no complete answer from {url} ({ip}) within the timeout",
                {"url": url, "ip": ip, "error": "timeout"},
            ) from None
        except (OSError, ssl.SSLError) as exc:
            raise NotTested(
                f"erreur réseau avec {url} ({ip}) : {type(exc).__name__}",
                f"network error with {url} ({ip}): {type(exc).__name__}: {exc}"[:300],
                {"url": url, "ip": ip, "error": type(exc).__name__},
            ) from None


def _remaining(sock: socket.socket, deadline: float) -> None:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError()
    sock.settimeout(left)


def _send(sock: socket.socket, data: bytes, deadline: float) -> None:
    _remaining(sock, deadline)
    sock.sendall(data)


def _read_response(
    sock: socket.socket,
    url: str,
    ip: str,
    info: TlsInfo | None,
    deadline: float,
    max_bytes: int,
) -> HttpResponse:
    buf = b""
    for _ in range(5):  # interim 1xx answers (100 Continue, 103 Early Hints) are skipped
        head, buf = _read_head(sock, buf, url, ip, deadline)
        status, reason, headers = _parse_head(head, url)
        if not 100 <= status < 200 or status == 101:
            break
    rest = buf
    resp = HttpResponse(status, headers, b"", info, url=url, ip=ip, reason=reason)
    chunked = "chunked" in (resp.header("transfer-encoding") or "").lower()
    length = None if chunked else _content_length(resp)
    # read at most the announced length, and never more than max_bytes
    limit = max_bytes if length is None else min(length, max_bytes)
    exact = length is not None and length <= max_bytes
    raw, complete = _read_body(sock, rest, limit, deadline, chunked, exact)
    body = _dechunk(raw) if chunked else raw[:limit]
    resp.body = body[:max_bytes]
    resp.truncated = (
        not complete
        or len(body) > max_bytes
        or (length is not None and length > max_bytes)
        or (length is not None and len(resp.body) < length)
    )
    return resp


def _read_head(
    sock: socket.socket, buf: bytes, url: str, ip: str, deadline: float
) -> tuple[bytes, bytes]:
    """Read up to the blank line ending a header block: (head, bytes already read after it)."""
    while b"\r\n\r\n" not in buf and b"\n\n" not in buf:
        if len(buf) > MAX_HEADER_BYTES:
            raise _protocol_error(
                url,
                f"en-têtes de plus de {MAX_HEADER_BYTES} octets",
                f"headers larger than {MAX_HEADER_BYTES} bytes",
            )
        _remaining(sock, deadline)
        chunk = sock.recv(16384)
        if not chunk:
            if not buf:
                raise NotTested(
                    f"{url} ({ip}) a fermé la connexion sans répondre",
                    f"{url} ({ip}) closed the connection without answering",
                    {"url": url, "ip": ip, "error": "closed"},
                )
            raise _protocol_error(
                url, "réponse interrompue dans les en-têtes", "answer cut in the headers", buf
            )
        buf += chunk
    cut, sep = buf.find(b"\r\n\r\n"), 4
    lf = buf.find(b"\n\n")
    if cut < 0 or 0 <= lf < cut:
        cut, sep = lf, 2
    head = buf[:cut]
    if len(head) > MAX_HEADER_BYTES:
        raise _protocol_error(
            url,
            f"en-têtes de plus de {MAX_HEADER_BYTES} octets",
            f"headers larger than {MAX_HEADER_BYTES} bytes",
        )
    return head, buf[cut + sep :]


def _read_body(
    sock: socket.socket, start: bytes, limit: int, deadline: float, chunked: bool, exact: bool
) -> tuple[bytes, bool]:
    """Read until EOF, `limit` bytes (raw; chunk framing gets a little slack), the end of the
    chunks or the deadline. Returns (raw bytes, complete): complete is False when the body was
    cut by the size limit or the deadline. exact: `limit` is the announced Content-Length."""
    raw = start
    cap = limit + 4096 if chunked else limit
    while True:
        if chunked and (raw.endswith(b"\r\n0\r\n\r\n") or raw == b"0\r\n\r\n"):
            return raw, True
        if len(raw) >= cap:
            return raw[:cap], exact and not chunked
        left = deadline - time.monotonic()
        if left <= 0:
            return raw, False  # headers are complete: keep what came in time
        sock.settimeout(left)
        try:
            chunk = sock.recv(min(65536, cap - len(raw)))
        except (TimeoutError, OSError, ssl.SSLError):
            return raw, False
        if not chunk:
            return raw, True
        raw += chunk


def _dechunk(raw: bytes) -> bytes:
    """Decode chunked transfer coding, tolerantly (a broken frame ends the body)."""
    out = bytearray()
    pos = 0
    while pos < len(raw):
        eol = raw.find(b"\r\n", pos)
        if eol < 0:
            break
        size_text = raw[pos:eol].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            break
        if size <= 0:
            break
        start = eol + 2
        out += raw[start : start + size]
        pos = start + size + 2
    return bytes(out)


def _content_length(resp: HttpResponse) -> int | None:
    value = resp.header("content-length")
    if value is None:
        return None
    value = value.strip()
    if not value.isdigit() or len(value) > 15:
        return None
    return int(value)


def _parse_head(head: bytes, url: str) -> tuple[int, str, list[tuple[str, str]]]:
    text = head.decode("latin-1")
    lines = text.replace("\r\n", "\n").split("\n")
    status_line = lines[0]
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise _protocol_error(url, "ligne de statut invalide", "invalid status line", head[:120])
    status = int(parts[1])
    if not 100 <= status <= 999:
        raise _protocol_error(url, "code de statut invalide", "invalid status code", head[:120])
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        if line[0] in " \t" and headers:  # obsolete line folding
            k, v = headers[-1]
            headers[-1] = (k, v + " " + line.strip())
            continue
        if ":" not in line:
            continue  # tolerated, ignored
        name, value = line.split(":", 1)
        name = name.strip()
        if not name or any(c in name for c in " \t"):
            continue
        headers.append((name, value.strip()))
        if len(headers) > MAX_HEADERS:
            raise _protocol_error(
                url, f"plus de {MAX_HEADERS} en-têtes", f"more than {MAX_HEADERS} headers"
            )
    return status, parts[2] if len(parts) > 2 else "", headers


Resolve = Callable[[str], list[str]]
FetchHop = Callable[[str, list[str], str, int | None, bool], HttpResponse]
"""fetch_hop(host, ips, path, port, tls): one request of a redirect chain (callers may share
identical requests between chains, e.g. http://host/ redirected to the https://host/ already
fetched)."""


@dataclass
class Hop:
    """Where a redirect chain went: each response, and why it stopped if it did not end."""

    responses: list[HttpResponse] = field(default_factory=list)
    stopped: str | None = None

    @property
    def final(self) -> HttpResponse:
        return self.responses[-1]


def fetch_chain(
    host: str,
    ips: list[str],
    path: str = "/",
    *,
    port: int | None = None,
    tls: bool = True,
    resolve: Resolve,
    timeout: float = 5.0,
    max_bytes: int = 65536,
    max_redirects: int = MAX_REDIRECTS,
    fetch_hop: FetchHop | None = None,
) -> Hop:
    """Fetch and follow up to `max_redirects` redirects (http and https only). New host names
    are resolved with `resolve(name) -> [ip, ...]` (callers pass one bound to the configured
    nameserver). `port`: of the first request (default 443/80). Stops, with `stopped` set,
    on a loop, an unsupported scheme, an unresolvable
    host or too many redirects. Network trouble on the first request raises NotTested; on a
    later hop it stops the chain with `stopped` set. `fetch_hop` makes each request (default:
    fetch_first with `timeout` and `max_bytes`)."""

    def default_hop(h: str, addrs: list[str], p: str, prt: int | None, t: bool) -> HttpResponse:
        return fetch_first(h, addrs, p, port=prt, tls=t, timeout=timeout, max_bytes=max_bytes)

    hop_fn = fetch_hop or default_hop
    chain = Hop()
    seen: set[str] = set()
    current_tls, current_host, current_ips, current_path = tls, host, ips, path
    for hop in range(max_redirects + 1):
        try:
            resp = hop_fn(current_host, current_ips, current_path, port, current_tls)
        except NotTested as exc:
            if hop == 0:
                raise
            chain.stopped = "error: " + exc.reason.en
            return chain
        chain.responses.append(resp)
        seen.add(resp.url)
        target = resp.location
        if target is None:
            return chain
        if hop == max_redirects:
            chain.stopped = "too many redirects"
            return chain
        if target in seen:
            chain.stopped = "redirect loop"
            return chain
        nxt = _next_request(target, current_host, resolve)
        if isinstance(nxt, str):
            chain.stopped = nxt
            return chain
        current_host, current_tls, port, current_path = nxt.host, nxt.tls, nxt.port, nxt.path
        if nxt.ips is not None:
            current_ips = nxt.ips
    chain.stopped = "too many redirects"
    return chain


@dataclass(frozen=True)
class _Redirect:
    """The next request of a redirect chain (ips None: same host, same addresses)."""

    host: str
    tls: bool
    ips: list[str] | None
    port: int | None
    path: str


def _next_request(target: str, current_host: str, resolve: Resolve) -> _Redirect | str:
    """Where a redirect to `target` leads: the next request, or why the chain stops there."""
    unsupported = "unsupported redirect target"
    try:
        parts = urlsplit(target)
        hostname = parts.hostname
    except ValueError:
        return unsupported
    if parts.scheme not in ("http", "https") or not hostname:
        return unsupported
    new_host = hostname.rstrip(".").lower()
    new_ips: list[str] | None = None
    if new_host != current_host:
        try:
            new_ips = resolve(new_host)
        except NotTested as exc:
            return "error: " + exc.reason.en
        except Exception as exc:  # DNS errors from the caller's resolver
            return f"cannot resolve {new_host}: {type(exc).__name__}"
        if not new_ips:
            return f"cannot resolve {new_host}"
    try:
        port = parts.port
    except ValueError:
        return unsupported
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        _check_request_parts(new_host, path)
    except ValueError:
        return unsupported
    return _Redirect(new_host, parts.scheme == "https", new_ips, port, path)


def fetch_first(
    host: str,
    ips: list[str],
    path: str = "/",
    *,
    port: int | None = None,
    tls: bool = True,
    timeout: float = 5.0,
    max_bytes: int = 65536,
) -> HttpResponse:
    """fetch() from the first address that answers (addresses tried in order; the last
    NotTested is raised if none does). An HttpProtocolError is returned at once: the server
    answered."""
    if not ips:
        raise NotTested(f"aucune adresse pour {host}", f"no address for {host}", {"host": host})
    last: NotTested | None = None
    for ip in ips[:3]:
        try:
            return fetch(host, ip, path, port=port, tls=tls, timeout=timeout, max_bytes=max_bytes)
        except HttpProtocolError:
            raise
        except NotTested as exc:
            last = exc
    assert last is not None
    raise last
