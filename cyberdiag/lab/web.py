"""Web servers of the local lab: one nginx serving many fictional sites on loopback addresses.

Each site is a host name on an IP (several sites may share an IP: SNI / server_name tell them
apart) and a *case*: a good configuration or one classic mistake. Certificates come from the
lab PKI (cyberdiag.lab.pki). A site in the "hang" case is a Python listener that accepts
connections and never answers (ports 80 and 443 of its own IP).

Constraints (checked by start_web): a "hang" site and a "legacy_tls" site need an IP of their
own (nginx negotiates the protocol version with the default server of the listening socket,
before SNI picks a site); a "no_https" site that shares its IP with HTTPS sites refuses the TLS
handshake for its name (nothing listening on 443 only when it has its own IP).
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cyberdiag.errors import UserError
from cyberdiag.lab.pki import Pki, issue

WEB_CASES: dict[str, str] = {
    "good": "HTTPS, HTTP 301 to HTTPS, HSTS 1 year + includeSubDomains, CSP, "
    "X-Content-Type-Options, frame-ancestors + X-Frame-Options, Referrer-Policy, secure "
    "cookies, valid /.well-known/security.txt, no version disclosed",
    "no_https": "HTTP only (site served over HTTP, nothing on 443 for this name)",
    "http_no_redirect": "like good, but HTTP serves the site instead of redirecting",
    "legacy_tls": "like good, but TLS 1.0 and 1.1 offered besides 1.2 (needs its own IP)",
    "expired_cert": "like good, with a certificate that expired yesterday",
    "cert_expiring": "like good, with a certificate expiring in 10 days",
    "wrong_name": "like good, with a certificate issued for another name",
    "self_signed": "like good, with a self-signed certificate",
    "weak_key": "like good, with an RSA 1024-bit certificate",
    "bad_headers": "HTTPS + redirect but no security header, no HSTS, cookies without "
    "Secure/HttpOnly/SameSite, Server: nginx/<version>, X-Powered-By: PHP/7.4.3, WordPress "
    "generator meta, no security.txt",
    "weak_headers": "CSP with * and 'unsafe-inline', X-Frame-Options ALLOW-FROM, "
    "Referrer-Policy unsafe-url, X-Content-Type-Options not 'nosniff', HSTS without "
    "includeSubDomains",
    "hsts_short": "like good, with HSTS max-age=300",
    "security_txt_expired": "like good, with a security.txt whose Expires is in the past",
    "hang": "TCP listener on 80 and 443 that accepts and never answers (needs its own IP)",
    "http_to_www": "no HTTPS (nothing on 443 for this name), HTTP 301 to https://www.<name>/: "
    "an apex whose www is the real site",
}

_OWN_IP_CASES = ("hang", "legacy_tls")


@dataclass
class WebSite:
    """A fictional site: `files` maps URL paths ("/.well-known/mta-sts.txt") to contents.

    ip6: an IPv6 address it also listens on (IPv6 lab); v4=False: it does not listen on `ip`
    (the address stays silent)."""

    hostname: str
    ip: str
    case: str
    files: dict[str, str] = field(default_factory=dict)
    ip6: str | None = None
    v4: bool = True

    @property
    def listen_ips(self) -> list[str]:
        return ([self.ip] if self.v4 else []) + ([self.ip6] if self.ip6 else [])


@dataclass(frozen=True)
class _Features:
    https: bool = True
    http: str = "redirect"  # redirect | serve | to_www
    headers: str = "good"  # good | weak | none
    hsts: str | None = "max-age=31536000; includeSubDomains"
    cookie: str | None = "session=lab; Path=/; Secure; HttpOnly; SameSite=Lax"
    security_txt: str | None = "valid"  # valid | expired | None
    cert: str = "good"  # good | expired | expiring | wrong_name | self_signed | weak_key
    legacy: bool = False
    versions: bool = False


_GOOD = _Features()
_FEATURES: dict[str, _Features] = {
    "good": _GOOD,
    "no_https": _Features(https=False, http="serve", hsts=None, security_txt=None),
    "http_no_redirect": _Features(http="serve"),
    "http_to_www": _Features(https=False, http="to_www", hsts=None, security_txt=None),
    "legacy_tls": _Features(legacy=True),
    "expired_cert": _Features(cert="expired"),
    "cert_expiring": _Features(cert="expiring"),
    "wrong_name": _Features(cert="wrong_name"),
    "self_signed": _Features(cert="self_signed"),
    "weak_key": _Features(cert="weak_key"),
    "bad_headers": _Features(
        headers="none",
        hsts=None,
        cookie="session=lab; Path=/",
        security_txt=None,
        versions=True,
    ),
    "weak_headers": _Features(headers="weak", hsts="max-age=31536000"),
    "hsts_short": _Features(hsts="max-age=300; includeSubDomains"),
    "security_txt_expired": _Features(security_txt="expired"),
}

_GOOD_HEADERS = [
    ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'self'; object-src 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
]
_WEAK_HEADERS = [
    ("Content-Security-Policy", "default-src * 'unsafe-inline' 'unsafe-eval'"),
    ("X-Content-Type-Options", "sniff"),
    ("X-Frame-Options", "ALLOW-FROM https://example.test/"),
    ("Referrer-Policy", "unsafe-url"),
]

_HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}$")
_PATH_RE = re.compile(r"^(/[A-Za-z0-9._-]+)+$")


class _Hanger:
    """Accepts TCP connections on (ip, port) and never answers."""

    def __init__(self, ip: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((ip, port))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.conns: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"hang-{ip}:{port}")
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.conns.append(conn)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=2)
        self.sock.close()
        for c in self.conns:
            c.close()


@dataclass
class WebServer:
    """The running lab web servers."""

    workdir: Path
    sites: list[WebSite]
    proc: subprocess.Popen[bytes] | None = None
    hangers: list[_Hanger] = field(default_factory=list)

    @property
    def pids(self) -> list[int]:
        return [self.proc.pid] if self.proc is not None else []

    def stop(self) -> None:
        for h in self.hangers:
            h.stop()
        self.hangers = []
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None


def _listen(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def _validate(sites: list[WebSite]) -> None:
    by_ip: dict[str, list[WebSite]] = {}
    seen: set[tuple[str, str]] = set()
    for s in sites:
        if s.case not in WEB_CASES:
            raise ValueError(f"unknown web case {s.case!r} for {s.hostname}")
        if not _HOST_RE.match(s.hostname):
            raise ValueError(f"invalid host name {s.hostname!r}")
        for ip in (s.ip, s.ip6) if s.ip6 else (s.ip,):
            ipaddress.ip_address(ip)
        if (s.hostname, s.ip) in seen:
            raise ValueError(f"site {s.hostname} on {s.ip} given twice")
        seen.add((s.hostname, s.ip))
        for path in s.files:
            if not _PATH_RE.match(path) or "/../" in path + "/" or "/./" in path + "/":
                raise ValueError(f"invalid file path {path!r} for {s.hostname}")
        for ip in s.listen_ips:
            by_ip.setdefault(ip, []).append(s)
    for ip, group in by_ip.items():
        if len(group) > 1 and any(s.case in _OWN_IP_CASES for s in group):
            names = ", ".join(f"{s.hostname} ({s.case})" for s in group)
            raise ValueError(f"cases {_OWN_IP_CASES} need an IP of their own; {ip}: {names}")


def security_txt(host: str, expires: datetime) -> str:
    return (
        f"Contact: mailto:securite@{host}\n"
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
        "Preferred-Languages: fr, en\n"
        f"Canonical: https://{host}/.well-known/security.txt\n"
    )


def _index(site: WebSite, f: _Features) -> str:
    meta = '<meta name="generator" content="WordPress 6.4.2">\n' if f.versions else ""
    return (
        '<!doctype html>\n<html lang="fr"><head><meta charset="utf-8">\n'
        f"{meta}<title>Mairie — {site.hostname}</title></head>\n"
        f"<body><h1>{site.hostname}</h1><p>Site de démonstration ({site.case}).</p>"
        "</body></html>\n"
    )


def _write_root(root: Path, site: WebSite, f: _Features) -> None:
    root.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    files: dict[str, str] = {"/index.html": _index(site, f)}
    if f.security_txt == "valid":
        files["/.well-known/security.txt"] = security_txt(site.hostname, now + timedelta(days=180))
    elif f.security_txt == "expired":
        files["/.well-known/security.txt"] = security_txt(site.hostname, now - timedelta(days=30))
    files.update(site.files)
    for path, content in files.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


def _headers(f: _Features) -> list[str]:
    lines: list[str] = []
    pairs = {"good": _GOOD_HEADERS, "weak": _WEAK_HEADERS, "none": []}[f.headers]
    for name, value in pairs:
        lines.append(f'add_header {name} "{value}" always;')
    if f.hsts:
        lines.append(f'add_header Strict-Transport-Security "{f.hsts}" always;')
    if f.cookie:
        lines.append(f'add_header Set-Cookie "{f.cookie}" always;')
    if f.versions:
        lines.append('add_header X-Powered-By "PHP/7.4.3" always;')
    lines.append(f"server_tokens {'on' if f.versions else 'off'};")
    return lines


def _cert(pki: Pki, site: WebSite, f: _Features) -> tuple[Path, Path]:
    base = f"web-{site.hostname}-{site.ip}"
    names, ips = [site.hostname], list[str]()
    if f.cert == "wrong_name":
        names = ["autre-nom." + site.hostname.split(".", 1)[-1]]
    if f.cert == "expired":
        return issue(pki, names, ips, expired=True, name=base)
    if f.cert == "expiring":
        return issue(pki, names, ips, days=10, name=base)
    if f.cert == "self_signed":
        return issue(pki, names, ips, self_signed=True, name=base)
    if f.cert == "weak_key":
        return issue(pki, names, ips, rsa_bits=1024, name=base)
    return issue(pki, names, ips, name=base)


def _server_blocks(
    site: WebSite, pki: Pki, root: Path, f: _Features, https_on_ip: bool
) -> list[str]:
    out: list[str] = []
    common = [f"server_name {site.hostname};", f"root {root};", "index index.html;"]
    location = "location / { try_files $uri $uri/ =404; }"
    if f.https:
        chain, key = _cert(pki, site, f)
        tls = [
            *(f"listen {_listen(ip, 443)} ssl;" for ip in site.listen_ips),
            f"ssl_certificate {chain};",
            f"ssl_certificate_key {key};",
        ]
        if f.legacy:
            tls += [
                "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;",
                "ssl_ciphers DEFAULT:@SECLEVEL=0;",
            ]
        elif f.cert == "weak_key":
            tls += ["ssl_protocols TLSv1.2 TLSv1.3;", "ssl_ciphers DEFAULT:@SECLEVEL=0;"]
        else:
            tls += ["ssl_protocols TLSv1.2 TLSv1.3;"]
        out.append(_block(tls + common + _headers(f) + [location]))
    elif https_on_ip:
        out.append(
            _block(
                [
                    *(f"listen {_listen(ip, 443)} ssl;" for ip in site.listen_ips),
                    f"server_name {site.hostname};",
                    "ssl_reject_handshake on;",
                ]
            )
        )
    plain = [*(f"listen {_listen(ip, 80)};" for ip in site.listen_ips), *common]
    if f.http == "to_www":
        out.append(_block([*plain, "server_tokens off;",
                           f"return 301 https://www.{site.hostname}$request_uri;"]))
    elif f.http == "redirect":
        out.append(_block([*plain, "server_tokens off;", "return 301 https://$host$request_uri;"]))
    else:
        out.append(_block(plain + _headers(f) + [location]))
    return out


def _block(lines: list[str]) -> str:
    return "server {\n" + "".join(f"    {line}\n" for line in lines) + "}\n"


def nginx_config(workdir: Path, pki: Pki, sites: list[WebSite]) -> str:
    """Write the sites' roots and certificates; return the nginx configuration text."""
    _validate(sites)
    tmp = workdir / "tmp"
    logs = workdir / "logs"
    for d in (tmp, logs):
        d.mkdir(parents=True, exist_ok=True)
    https_ips = {ip for s in sites if s.case != "hang" and _FEATURES[s.case].https
                 for ip in s.listen_ips}
    servers: list[str] = []
    for i, site in enumerate(sites):
        if site.case == "hang":
            continue
        f = _FEATURES[site.case]
        root = workdir / "sites" / f"{i:04d}-{site.hostname}"
        _write_root(root, site, f)
        if site.listen_ips:
            servers += _server_blocks(site, pki, root, f,
                                      any(ip in https_ips for ip in site.listen_ips))
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 2;\n"
        "daemon off;\n"
        f"pid {workdir / 'nginx.pid'};\n"
        f"error_log {logs / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        f"    access_log {logs / 'access.log'};\n"
        f"    client_body_temp_path {tmp / 'body'};\n"
        f"    proxy_temp_path {tmp / 'proxy'};\n"
        f"    fastcgi_temp_path {tmp / 'fastcgi'};\n"
        f"    uwsgi_temp_path {tmp / 'uwsgi'};\n"
        f"    scgi_temp_path {tmp / 'scgi'};\n"
        "    types { text/html html; text/plain txt; application/json json; }\n"
        "    default_type application/octet-stream;\n"
        "    charset utf-8;\n"
        "    server_names_hash_bucket_size 128;\n"
        "    server_names_hash_max_size 8192;\n"
        "    keepalive_timeout 5;\n"
        "    ssl_session_cache off;\n" + "".join(servers) + "}\n"
    )


def _wait_ready(endpoints: list[tuple[str, int]], proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    pending = list(endpoints)
    while pending:
        if proc.poll() is not None:
            raise _start_error(log)
        ip, port = pending[0]
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            try:
                s.connect((ip, port))
                pending.pop(0)
                continue
            except OSError:
                pass
        if time.monotonic() > deadline:
            proc.terminate()
            proc.wait(timeout=5)
            raise _start_error(log)
        time.sleep(0.01)


def _start_error(log: Path) -> UserError:
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    return UserError(
        "nginx n'a pas démarré pour le laboratoire web.",
        "nginx did not start for the web lab.",
        lines=tail.splitlines()[-10:],
    )


def start_web(workdir: Path, pki: Pki, sites: list[WebSite]) -> WebServer:
    """Start nginx (and "hang" listeners) for `sites`; returns once every port answers."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        raise UserError(
            "nginx est introuvable : installez-le (apt-get install nginx) pour le laboratoire web.",
            "nginx not found: install it (apt-get install nginx) for the web lab.",
        )
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "nginx.conf"
    conf.write_text(nginx_config(workdir, pki, sites), encoding="utf-8")
    server = WebServer(workdir=workdir, sites=list(sites))
    try:
        for s in sites:
            if s.case == "hang":
                server.hangers += [_Hanger(ip, port) for ip in s.listen_ips
                                   for port in (80, 443)]
        endpoints: list[tuple[str, int]] = []
        for s in sites:
            if s.case == "hang":
                continue
            for port in (443, 80) if _FEATURES[s.case].https else (80,):
                for ip in s.listen_ips:
                    if (ip, port) not in endpoints:
                        endpoints.append((ip, port))
        if endpoints:
            log = workdir / "logs" / "error.log"
            server.proc = subprocess.Popen(
                [nginx, "-p", str(workdir), "-c", str(conf), "-e", str(log)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _wait_ready(endpoints, server.proc, log)
    except BaseException:
        server.stop()
        raise
    return server
