"""Benchmark: the full check battery over a lab of generated municipalities, side by side with
checkdmarc (its overlapping DNS checks only), on plain loopback and behind a DNS proxy that
adds latency to every query (the kernel here has no netem).

    sudo .venv/bin/python benchmarks/checks.py [--count 90] [--delay-ms 30]

Prints figures, asserts nothing. Talks to 127.0.0.0/8 only: checkdmarc gets the lab resolver
through its Python API (Do53Nameserver(ip, port)); its MTA-STS/BIMI/MX-TLS paths, which use the
system resolver, are not called, and socket.getaddrinfo is blocked for names during its run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import logging
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cyberdiag.checks.runner import run_checks  # noqa: E402 - after the path is set
from cyberdiag.lab.manager import start_lab, stop_lab  # noqa: E402
from cyberdiag.net.dnsclient import parse_nameserver  # noqa: E402

# Our checks that overlap what checkdmarc does (DNSSEC, SOA, NS, MX, SPF, DMARC, TLS-RPT).
OVERLAP = ["dns.dnssec", "dns.soa_consistency", "dns.ns", "mail.mx", "mail.spf", "mail.dmarc",
           "mail.tls_rpt"]


# ------------------------------------------------------------------------------------------
# A delaying DNS proxy (UDP and TCP, each query delayed on its own), run in a subprocess
# ------------------------------------------------------------------------------------------


class _UdpOnce(asyncio.DatagramProtocol):
    def __init__(self, fut: asyncio.Future[bytes]) -> None:
        self.fut = fut

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if not self.fut.done():
            self.fut.set_result(data)


class _UdpProxy(asyncio.DatagramProtocol):
    def __init__(self, upstream: tuple[str, int], delay: float) -> None:
        self.upstream = upstream
        self.delay = delay
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: Any) -> None:
        asyncio.ensure_future(self.relay(data, addr))

    async def relay(self, data: bytes, addr: Any) -> None:
        await asyncio.sleep(self.delay)
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[bytes] = loop.create_future()
        tr, _ = await loop.create_datagram_endpoint(lambda: _UdpOnce(fut),
                                                    remote_addr=self.upstream)
        try:
            tr.sendto(data)
            reply = await asyncio.wait_for(fut, 10)
        except TimeoutError:
            return
        finally:
            tr.close()
        if self.transport is not None:
            self.transport.sendto(reply, addr)


async def _tcp_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      upstream: tuple[str, int], delay: float) -> None:
    try:
        while True:
            head = await reader.readexactly(2)
            msg = await reader.readexactly(int.from_bytes(head, "big"))
            await asyncio.sleep(delay)
            ur, uw = await asyncio.open_connection(*upstream)
            uw.write(head + msg)
            await uw.drain()
            rhead = await ur.readexactly(2)
            reply = await ur.readexactly(int.from_bytes(rhead, "big"))
            uw.close()
            writer.write(rhead + reply)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def _proxy_main(listen: tuple[str, int], upstream: tuple[str, int], delay: float) -> None:
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(lambda: _UdpProxy(upstream, delay), local_addr=listen)
    server = await asyncio.start_server(
        lambda r, w: _tcp_client(r, w, upstream, delay), listen[0], listen[1])
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


@contextlib.contextmanager
def delaying_proxy(upstream_ip: str, delay: float) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, __file__, "--proxy", f"127.0.0.1:{port}", f"{upstream_ip}:53",
         str(delay)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(5)


# ------------------------------------------------------------------------------------------
# The two tools
# ------------------------------------------------------------------------------------------


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_ours(domains: list[str], ns: str, only: list[str] | None) -> tuple[float, Counter[str]]:
    t0, c0 = time.perf_counter(), _cpu()
    res = run_checks(domains, nameservers=[ns], timeout=5.0, only=only)
    wall = time.perf_counter() - t0
    print(f"  cyberdiag {'full' if only is None else 'overlap'} via {ns}: {wall:.2f} s wall, "
          f"{_cpu() - c0:.2f} s CPU in this process")
    return wall, Counter(r.status for r in res)


@contextlib.contextmanager
def no_system_resolver() -> Iterator[None]:
    """Refuse any name resolution through the system resolver (IP literals still work)."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kw: Any) -> Any:
        try:
            ipaddress.ip_address(str(host))
        except ValueError:
            raise OSError(f"benchmark: system resolver refused for {host!r}") from None
        return real(host, *args, **kw)

    socket.getaddrinfo = guarded
    try:
        yield
    finally:
        socket.getaddrinfo = real


def run_checkdmarc(domains: list[str], ns: str) -> tuple[float, int]:
    # lazy: checkdmarc is only needed here (not a dependency of cyberdiag); dnspython likewise
    import checkdmarc  # type: ignore[import-untyped]
    import dns.nameserver

    ip, port = parse_nameserver(ns)
    servers = [dns.nameserver.Do53Nameserver(ip, port)]
    calls: list[Callable[..., Any]] = [checkdmarc.check_dnssec, checkdmarc.check_soa,
                                       checkdmarc.check_ns, checkdmarc.check_mx,
                                       checkdmarc.check_spf, checkdmarc.check_dmarc,
                                       checkdmarc.check_smtp_tls_reporting]
    errors = 0
    t0 = time.perf_counter()
    with no_system_resolver():
        for d in domains:  # checkdmarc checks domains one after the other
            for fn in calls:
                try:
                    fn(d, nameservers=servers, timeout=5.0)
                except Exception:  # noqa: BLE001 - count, keep going
                    errors += 1
    return time.perf_counter() - t0, errors


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=90)
    ap.add_argument("--delay-ms", type=float, default=30.0)
    ap.add_argument("--proxy", nargs=3, metavar=("LISTEN", "UPSTREAM", "DELAY"))
    args = ap.parse_args()
    if args.proxy:
        lh, lp = args.proxy[0].rsplit(":", 1)
        uh, up = args.proxy[1].rsplit(":", 1)
        asyncio.run(_proxy_main((lh, int(lp)), (uh, int(up)), float(args.proxy[2])))
        return
    logging.getLogger("checkdmarc").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory(prefix="cyberdiag-bench-") as tmp:
        t0 = time.perf_counter()
        lab = start_lab(Path(tmp), count=args.count, fixtures=False)
        print(f"lab: {len(lab.domains)} municipalities started in "
              f"{time.perf_counter() - t0:.1f} s (resolver {lab.nameserver})")
        os.environ["SSL_CERT_FILE"] = str(lab.ca_file)
        try:
            run_checkdmarc(lab.domains[:1], lab.nameserver)  # imports
            # First pass on a cold resolver cache (the lab resolver recurses and validates on
            # this machine, which a user's remote resolver would do elsewhere); the timed runs
            # below then all see the same warm cache.
            cold, _ = run_ours(lab.domains, lab.nameserver, None)
            print(f"cold resolver cache, loopback, full battery: {cold:.2f} s")
            rows = []
            for label, delay in (("loopback", 0.0), (f"+{args.delay_ms:.0f} ms/query",
                                                     args.delay_ms / 1000)):
                ctx = delaying_proxy(lab.nameserver, delay) if delay else \
                    contextlib.nullcontext(lab.nameserver)
                with ctx as ns:
                    full, statuses = run_ours(lab.domains, ns, None)
                    part, _ = run_ours(lab.domains, ns, OVERLAP)
                    peer, errors = run_checkdmarc(lab.domains, ns)
                rows.append((label, full, part, peer, errors, statuses))
        finally:
            stop_lab(Path(tmp))
    n = len(lab.domains)
    print()
    print(f"{'network':<18}{'cyberdiag full':>16}{'cyberdiag overlap':>19}"
          f"{'checkdmarc':>12}{'ratio':>8}")
    for label, full, part, peer, _errors, _st in rows:
        print(f"{label:<18}{full:>14.2f} s{part:>17.2f} s{peer:>10.2f} s"
              f"{peer / part:>7.1f}x")
    print()
    for label, _full, _part, _peer, errors, st in rows:
        print(f"{label}: full battery = {sum(st.values())} results for {n} domains "
              f"({dict(st)}); checkdmarc exceptions: {errors}")
    print("ratio = checkdmarc time / cyberdiag time on the same overlapping checks "
          "(DNSSEC, SOA, NS, MX, SPF, DMARC, TLS-RPT); the full battery adds DKIM, MTA-STS "
          "(HTTPS), STARTTLS and DANE (SMTP), CAA, AXFR and the web checks.")


if __name__ == "__main__":
    main()
