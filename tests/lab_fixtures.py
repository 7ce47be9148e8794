"""Session fixtures for the local lab of real servers (owned by the checks/lab work).

`lab` starts the whole fictional territory once per test session (NSD, unbound, aiosmtpd,
nginx on 127.<slot>.x.y) and trusts its CA the way users do (SSL_CERT_FILE). Every network test
of the project uses it: `def test_x(lab): run_checks([...], nameservers=[lab.nameserver])`.
It yields a cyberdiag.lab.manager.LabInfo: nameserver, ca_file, slot, domains,
municipality(domain) (the cases of each one, see cyberdiag/lab/territory.py), ip(domain, host).
Tests are skipped (not failed) when the lab cannot run here (not root, nsd/unbound missing).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from cyberdiag.lab.manager import LabInfo, start_lab, stop_lab


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "the lab needs root (ports 53/25/80/443 on 127.x)"
    for tool in ("nsd", "unbound"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            return f"{tool} is not installed"
    return None


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    directory = tmp_path_factory.mktemp("lab")
    info = start_lab(directory, tie_to_caller=True)
    mp = pytest.MonkeyPatch()
    mp.setenv("SSL_CERT_FILE", str(info.ca_file))
    try:
        yield info
    finally:
        mp.undo()
        stop_lab(directory)


LAB_TIMEOUT = 2.0


@pytest.fixture(scope="session")
def lab_results(lab: LabInfo) -> dict[tuple[str, str], object]:
    """Every registered check run once over the lab's fixture municipalities (timeout 2 s):
    {(domain, check id): CheckResult}. Shared by the check tests of every helper."""
    from cyberdiag.checks.runner import run_checks

    domains = [m.domain for m in lab.municipalities]
    results = run_checks(domains, nameservers=[lab.nameserver], timeout=LAB_TIMEOUT)
    return {(r.target, r.id): r for r in results}
