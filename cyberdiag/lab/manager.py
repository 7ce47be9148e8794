"""Start, stop and describe the lab: a fictional territory of real servers on loopback.

`start_lab(dir)` launches a *keeper* process (`python -m cyberdiag.lab.manager --dir D`) that
builds the PKI, the zones, and runs NSD, unbound, the mail servers (aiosmtpd) and the web
servers (nginx) until it receives SIGTERM; then it stops them all. Its state (slot, addresses,
pids, the nameserver to use) is in D/state.json. Needs root (ports 53, 25, 80 and 443 of
127.x addresses). Several labs can run at once: each takes its own slot 127.<slot>.0.0/16.

An IPv6 lab (ipv6=True) also serves some municipalities over IPv6 (communes.IPV6_CASES). It runs
only inside a network namespace of its own (netns=NAME: the keeper is started with `ip netns
exec NAME`), where it puts its fd00:cd:... addresses on that namespace's loopback: the host's own
interfaces are never touched, and the checks must run in the same namespace.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cyberdiag.errors import UserError
from cyberdiag.fileio import locked, write_private
from cyberdiag.i18n import one_or_many
from cyberdiag.lab import communes as terr
from cyberdiag.lab import dns as labdns
from cyberdiag.lab.pki import Pki, issue, make_pki
from cyberdiag.lab.smtp import SmtpLab, SmtpServer, start_smtp
from cyberdiag.lab.web import WebServer, WebSite, start_web

STATE = "state.json"


@dataclass(frozen=True)
class LabInfo:
    """What a running lab offers (read from state.json)."""

    directory: Path
    slot: int
    nameserver: str
    ca_file: Path
    domains: list[str]
    pids: dict[str, int]
    keeper_pid: int
    count: int
    fixtures: bool
    started_at: str
    ipv6: bool = False
    netns: str | None = None

    @property
    def municipalities(self) -> list[terr.Municipality]:
        return terr.territory(self.count, with_fixtures=self.fixtures)

    def municipality(self, domain: str) -> terr.Municipality:
        return next(m for m in self.municipalities if m.domain == domain)

    def ip(self, domain: str, host: int) -> str:
        return self.municipality(domain).ip(self.slot, host)


def _read_state(directory: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads((directory / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still "exists": reap it if it is ours.
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def info(directory: Path) -> LabInfo | None:
    """The running lab in `directory`, or None (no state, or its keeper is gone)."""
    st = _read_state(directory)
    if not st or st.get("status") != "running" or not _alive(int(st["keeper_pid"])):
        return None
    return LabInfo(
        directory=directory,
        slot=int(st["slot"]),
        nameserver=str(st["nameserver"]),
        ca_file=Path(st["ca_file"]),
        domains=list(st["domains"]),
        pids={k: int(v) for k, v in st["pids"].items()},
        keeper_pid=int(st["keeper_pid"]),
        count=int(st["count"]),
        fixtures=bool(st["fixtures"]),
        started_at=str(st["started_at"]),
        ipv6=bool(st.get("ipv6", False)),
        netns=st.get("netns"),
    )


def start_lab(directory: Path, *, count: int = 0, fixtures: bool = True, web: bool = True,
              timeout: float = 90.0, tie_to_caller: bool = False, ipv6: bool = False,
              netns: str | None = None) -> LabInfo:
    """Start the lab in `directory` (created if needed) and return once every server answers.

    tie_to_caller: the lab stops by itself when the calling process ends (tests, demo), even
    if it is killed before it can call stop_lab. netns: run the lab inside that network
    namespace (which must exist, its loopback up); ipv6 needs one."""
    if os.geteuid() != 0:
        raise UserError(
            "Le laboratoire doit être lancé en root (ports 53, 25, 80 et 443 sur 127.x).",
            "The lab must run as root (ports 53, 25, 80 and 443 on 127.x addresses).",
        )
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    # One start at a time per folder: a second `lab start` is refused (naming the first)
    # instead of leaving a second keeper and its servers behind.
    busy = lambda fr, en: UserError(  # noqa: E731
        f"Un laboratoire démarre déjà dans {directory} ({fr}) : attendez la fin de son "
        "démarrage, puis cyberdiag lab status.",
        f"A lab is already starting in {directory} ({en}): wait until it has started, then "
        "cyberdiag lab status.")
    with locked(directory / "lab", ("le laboratoire", "the lab"), busy):
        return _start_lab(directory, count=count, fixtures=fixtures, web=web, timeout=timeout,
                          tie_to_caller=tie_to_caller, ipv6=ipv6, netns=netns)


def _start_lab(directory: Path, *, count: int, fixtures: bool, web: bool, timeout: float,
               tie_to_caller: bool, ipv6: bool, netns: str | None) -> LabInfo:
    running = info(directory)
    if running is not None:
        raise UserError(
            f"Un laboratoire tourne déjà dans {directory} (cyberdiag lab stop --dir {directory}).",
            f"A lab is already running in {directory} (cyberdiag lab stop --dir {directory}).",
        )
    with contextlib.suppress(FileNotFoundError):
        (directory / STATE).unlink()
    log = open(directory / "keeper.log", "ab")  # noqa: SIM115 - handed to the child
    if ipv6 and not netns:
        raise UserError(
            "Un laboratoire IPv6 ne tourne que dans son propre espace de noms réseau (netns).",
            "An IPv6 lab only runs in a network namespace of its own (netns).",
        )
    cmd = [sys.executable, "-m", "cyberdiag.lab.manager", "--dir", str(directory),
           "--count", str(count)]
    if netns:
        cmd = ["ip", "netns", "exec", netns, *cmd, "--netns", netns]
    if ipv6:
        cmd.append("--ipv6")
    if not fixtures:
        cmd.append("--no-fixtures")
    if not web:
        cmd.append("--no-web")
    if tie_to_caller:
        cmd += ["--parent-pid", str(os.getpid())]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            start_new_session=True)
    log.close()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = _read_state(directory)
        if st and st.get("status") == "running":
            lab = info(directory)
            if lab is not None:
                return lab
        if st and st.get("status") == "error":
            proc.wait(timeout=10)
            raise UserError(
                "Le laboratoire n'a pas démarré : " + str(st.get("error_fr", st.get("error"))),
                "The lab did not start: " + str(st.get("error_en", st.get("error"))))
        if proc.poll() is not None:
            raise UserError(
                f"Le laboratoire n'a pas démarré (voir {directory / 'keeper.log'}).",
                f"The lab did not start (see {directory / 'keeper.log'}).",
            )
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    raise UserError("Le laboratoire n'a pas démarré à temps.", "The lab did not start in time.")


def stop_lab(directory: Path, timeout: float = 15.0) -> bool:
    """Stop the lab in `directory` by pid. Returns False if nothing was running."""
    directory = directory.resolve()
    st = _read_state(directory)
    if not st or "keeper_pid" not in st:
        return False
    keeper = int(st["keeper_pid"])
    others = [int(p) for p in st.get("pids", {}).values() if int(p) != keeper]
    was_running = _alive(keeper)
    if was_running:
        with contextlib.suppress(ProcessLookupError):
            os.kill(keeper, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(keeper) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(keeper):
            with contextlib.suppress(ProcessLookupError):
                os.kill(keeper, signal.SIGKILL)
    for pid in others:  # normally already stopped by the keeper
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(FileNotFoundError):
        (directory / STATE).unlink()
    return was_running


# ------------------------------------------------------------------------------------------
# The keeper process
# ------------------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """In a child: get SIGTERM when the keeper dies, even by SIGKILL (Linux prctl)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _pick_slot() -> int:
    """A free lab slot: 127.<slot>.x.y addresses whose DNS and SMTP ports are free."""
    candidates = list(range(100, 200))
    random.shuffle(candidates)
    for slot in candidates:
        ips = [labdns.resolver_ip(slot), *list(labdns.ns_ips(slot).values())[:4]]
        if all(labdns.port_free(ip, 53) for ip in ips) and labdns.port_free(
                f"127.{slot}.1.25", 25):
            return slot
    raise RuntimeError("no free lab slot")


def inside_netns(name: str | None, parent_pid: int = 0) -> bool:
    """Does this process run inside the named network namespace (`ip netns add NAME`), and not
    in the namespace of the process that started the lab?"""
    if not name or "/" in name:
        return False
    try:
        mine = os.stat("/proc/self/ns/net").st_ino
        if os.stat(f"/run/netns/{name}").st_ino != mine:
            return False
        return not parent_pid or os.stat(f"/proc/{parent_pid}/ns/net").st_ino != mine
    except OSError:
        return False


def add_ipv6_addresses(addresses: list[str], netns: str | None, parent_pid: int = 0) -> None:
    """Put the lab's IPv6 addresses on the loopback of its own network namespace (refused
    anywhere else: the host's interfaces are never changed)."""
    if not inside_netns(netns, parent_pid):
        raise RuntimeError("IPv6 lab addresses are only added inside a network namespace of "
                           "its own (start_lab(..., netns=NAME))")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True, capture_output=True)
    batch = "".join(f"address add {a}/128 dev lo nodad\n" for a in addresses)
    subprocess.run(["ip", "-batch", "-"], input=batch.encode(), check=True, capture_output=True)


class _Keeper:
    def __init__(self, directory: Path, count: int, fixtures: bool, web: bool,
                 ipv6: bool = False, netns: str | None = None, parent_pid: int = 0) -> None:
        self.directory = directory
        self.count = count
        self.fixtures = fixtures
        self.web = web
        self.ipv6 = ipv6
        self.netns = netns
        self.parent_pid = parent_pid
        self.procs: list[subprocess.Popen[bytes]] = []
        self.smtp: SmtpLab | None = None
        self.webserver: WebServer | None = None
        self.stopping = threading.Event()

    def write_state(self, data: dict[str, Any]) -> None:
        write_private(self.directory / STATE, json.dumps(data, indent=2), mode=0o644)

    def start(self) -> dict[str, Any]:
        """Build the PKI and the zones, start every server; the state to write."""
        d = self.directory
        slot = _pick_slot()
        munis = terr.territory(self.count, with_fixtures=self.fixtures)
        if self.ipv6:
            add_ipv6_addresses([m.ip6(slot, h) for m in munis for h, case in
                                ((1, m.ipv6_web), (3, m.ipv6_web), (25, m.ipv6_mail)) if case],
                               self.netns, self.parent_pid)
        pki = make_pki(d / "pki")
        (d / "ca.pem").write_bytes(pki.ca_cert_path.read_bytes())
        # Mail server certificates first: DANE records need their keys.
        smtp_servers: list[SmtpServer] = []
        tlsa: dict[str, str] = {}
        for m in munis:
            if m.mx != "good":
                continue
            cert = key = None
            if m.smtp not in ("plain", "close", "hang"):
                names = ["other-name.test"] if m.smtp == "wrong_name" else [m.mail_host]
                cert, key = issue(pki, names, name=f"smtp-{m.domain}",
                                  days=10 if m.smtp == "expiring_cert" else 365,
                                  expired=m.smtp == "expired_cert",
                                  self_signed=m.smtp == "self_signed")
                if m.dane:
                    tlsa[m.domain] = labdns.spki_sha256(cert.read_bytes().split(
                        b"-----END CERTIFICATE-----")[0] + b"-----END CERTIFICATE-----\n")
            v6 = m.ipv6_mail if self.ipv6 else None
            if v6 != "only":
                smtp_servers.append(SmtpServer(m.ip(slot, 25), m.mail_host, m.smtp, cert, key))
            if v6 in ("good", "only"):
                smtp_servers.append(SmtpServer(m.ip6(slot, 25), m.mail_host, m.smtp, cert, key))
        zones = labdns.write_zones(d, slot, munis, tlsa, ipv6=self.ipv6)
        ips = labdns.ns_ips(slot)
        deadline = time.monotonic() + 30
        conf_a = labdns.nsd_conf(d, "a", [ips["ns1"], ips["ns1b"], ips["ns2"]], zones.a)
        conf_b = labdns.nsd_conf(d, "b", [ips["nsb"]], zones.b or zones.a[-1:])
        for name, conf, ip in (("a", conf_a, ips["ns1"]), ("b", conf_b, ips["nsb"])):
            proc = subprocess.Popen(["nsd", "-d", "-c", str(conf)], stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    preexec_fn=_die_with_parent)
            self.procs.append(proc)
            labdns.wait_dns(proc, ip, "test", rd=False, log=d / f"nsd-{name}" / "nsd.log",
                            deadline=deadline)
        uconf = labdns.unbound_conf(d, slot)
        ub = subprocess.Popen(["unbound", "-d", "-c", str(uconf)], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              preexec_fn=_die_with_parent)
        self.procs.append(ub)
        labdns.wait_dns(ub, labdns.resolver_ip(slot), "test", rd=True,
                        log=d / "unbound" / "unbound.log", deadline=deadline)
        self.smtp = start_smtp(smtp_servers)
        if self.web:
            self.webserver = self._start_web(pki, munis, slot)
        self._check_alive()
        pids = {"keeper": os.getpid(), "nsd_a": self.procs[0].pid,
                "nsd_b": self.procs[1].pid, "unbound": ub.pid}
        if self.webserver is not None:
            for i, pid in enumerate(self.webserver.pids):
                pids[f"web{i}"] = pid
        return {
            "status": "running",
            "slot": slot,
            "nameserver": labdns.resolver_ip(slot),
            "ca_file": str(d / "ca.pem"),
            "domains": [m.domain for m in munis],
            "count": self.count,
            "fixtures": self.fixtures,
            "pids": pids,
            "ports": {"dns": 53, "smtp": 25, "http": 80, "https": 443},
            "nameserver_addresses": labdns.ns_ips(slot),
            "keeper_pid": os.getpid(),
            "started_at": datetime.now(UTC).isoformat(),
            "ipv6": self.ipv6,
            "netns": self.netns,
        }

    def _start_web(self, pki: Pki, munis: list[terr.Municipality], slot: int) -> WebServer:
        sites: list[WebSite] = []
        for m in munis:
            if m.web is not None:
                v6 = m.ipv6_web if self.ipv6 else None
                for host, n, case in ((m.domain, 1, m.apex_case), (f"www.{m.domain}", 3, m.web)):
                    assert case is not None
                    sites.append(WebSite(host, m.ip(slot, n), case, v4=v6 != "only",
                                         ip6=m.ip6(slot, n) if v6 in ("good", "only") else None))
            if m.mta_sts:
                sites.append(WebSite(f"mta-sts.{m.domain}", m.ip(slot, 2),
                                     "expired_cert" if m.mta_sts == "badcert" else "good",
                                     files={"/.well-known/mta-sts.txt": mta_sts_policy(m)}))
        taken = [f"{ip}:{port}" for site in sites if site.case != "hang"
                 for ip in site.listen_ips if ":" not in ip for port in (80, 443)
                 if not labdns.port_free(ip, port)]
        if taken:  # nginx would answer readiness probes through the squatter, then die
            shown = ", ".join(sorted(set(taken))[:5])
            raise UserError(
                f"nginx ne peut pas écouter sur {shown} : adresse déjà prise par un autre "
                "programme. Les autres serveurs du laboratoire ont été arrêtés.",
                f"nginx cannot listen on {shown}: address already taken by another program. "
                "The lab's other servers were stopped.")
        return start_web(self.directory / "web", pki, sites)

    def _check_alive(self) -> None:
        """Every server started is still running: UserError naming those that are not."""
        dead = [name for name, p in zip(("nsd (a)", "nsd (b)", "unbound"), self.procs,
                                        strict=False) if p.poll() is not None]
        web_proc = getattr(self.webserver, "proc", None)
        if web_proc is not None and web_proc.poll() is not None:
            dead.append("nginx")
        if dead:
            n = len(dead)
            raise UserError(
                one_or_many(n, "serveur arrêté juste après son démarrage",
                            "serveurs arrêtés juste après leur démarrage")
                + f" : {', '.join(dead)}. Les autres serveurs du laboratoire ont été arrêtés.",
                one_or_many(n, "server stopped right after starting",
                            "servers stopped right after starting")
                + f": {', '.join(dead)}. The lab's other servers were stopped.")

    def stop(self) -> None:
        if self.webserver is not None:
            with contextlib.suppress(Exception):
                self.webserver.stop()
        if self.smtp is not None:
            with contextlib.suppress(Exception):
                self.smtp.stop()
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()


def mta_sts_policy(m: terr.Municipality) -> str:
    mode = {"testing": "testing"}.get(m.mta_sts or "", "enforce")
    mx = "mx.ailleurs.test" if m.mta_sts == "mismatch" else m.mail_host
    if m.domain == "hostile.test":
        return "version: STSv1\nmode: enforce\nmx: *.*.bad pattern\nmax_age: forever\n"
    return f"version: STSv1\r\nmode: {mode}\r\nmx: {mx}\r\nmax_age: 604800\r\n"


def _main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cyberdiag.lab.manager")
    ap.add_argument("--dir", required=True, type=Path)
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--no-fixtures", action="store_true")
    ap.add_argument("--no-web", action="store_true")
    ap.add_argument("--parent-pid", type=int, default=0)
    ap.add_argument("--ipv6", action="store_true")
    ap.add_argument("--netns", default=None)
    args = ap.parse_args(argv)
    keeper = _Keeper(args.dir.resolve(), args.count, not args.no_fixtures, not args.no_web,
                     args.ipv6, args.netns, args.parent_pid)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        state = keeper.start()
    except BaseException as exc:
        keeper.stop()
        said = (exc.fr, exc.en) if isinstance(exc, UserError) else (
            f"{type(exc).__name__}: {exc}", f"{type(exc).__name__}: {exc}")
        keeper.write_state({"status": "error", "error": said[1][:2000],
                            "error_fr": said[0][:2000], "error_en": said[1][:2000],
                            "keeper_pid": os.getpid(), "pids": {}})
        traceback.print_exc()
        return 1
    keeper.write_state(state)
    while not stop.wait(0.5):
        if args.parent_pid and not _alive(args.parent_pid):
            break  # the process that started us is gone: do not leave servers behind
    keeper.stop()
    return 0


if __name__ == "__main__":
    sys.exit(_main())
