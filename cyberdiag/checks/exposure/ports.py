"""Ports: the port catalogue (checks/ports.yaml) and the --ports specification.

The port list is always built from integers (`parse_ports`) and written in nmap's syntax by
`port_spec`: nothing a user typed reaches nmap's command line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cyberdiag.errors import UserError
from cyberdiag.loading import read_model
from cyberdiag.models import PortCatalogue
from cyberdiag.resources import data_file

# nmap's 100 most frequent TCP ports (nmap-services of nmap 7.93, the `--top-ports 100` list),
# written out so that the list is explicit and stable across nmap versions.
TOP100 = (
    7, 9, 13, 21, 22, 23, 25, 26, 37, 53, 79, 80, 81, 88, 106, 110, 111, 113, 119, 135, 139, 143,
    144, 179, 199, 389, 427, 443, 444, 445, 465, 513, 514, 515, 543, 544, 548, 554, 587, 631, 646,
    873, 990, 993, 995, 1025, 1026, 1027, 1028, 1029, 1110, 1433, 1720, 1723, 1755, 1900, 2000,
    2001, 2049, 2121, 2717, 3000, 3128, 3306, 3389, 3986, 4899, 5000, 5009, 5051, 5060, 5101,
    5190, 5357, 5432, 5631, 5666, 5800, 5900, 6000, 6001, 6646, 7070, 8000, 8008, 8009, 8080,
    8081, 8443, 8888, 9100, 9999, 10000, 32768, 49152, 49153, 49154, 49155, 49156, 49157,
)  # fmt: skip


def load_port_catalogue() -> PortCatalogue:
    """checks/ports.yaml, validated (unique ports, known categories)."""
    path = data_file("checks", "ports.yaml")
    cat = read_model(path, PortCatalogue)  # ValidationFailed: file:line › port › field
    seen: set[int] = set()
    for p in cat.ports:
        if p.port in seen:
            raise UserError(
                f"{path} › port {p.port} : en double.", f"{path} › port {p.port}: duplicated."
            )
        seen.add(p.port)
        if cat.categories and p.category not in cat.categories:
            raise UserError(
                f"{path} › port {p.port} › category : « {p.category} » inconnue.",
                f"{path} › port {p.port} › category: unknown '{p.category}'.",
            )
    return cat


_PORT_TOKEN = re.compile(r"^(\d{1,5})(?:-(\d{1,5}))?$")


def parse_ports(spec: str, catalogue: PortCatalogue) -> list[int]:
    """'risky', 'top100' or a comma-separated list of ports and ranges (may mix the keywords).

    top100 = the risky ports of the catalogue + nmap's 100 most frequent TCP ports.
    """
    ports: set[int] = set()
    risky = {p.port for p in catalogue.ports if p.risky}
    for token in (t.strip().lower() for t in spec.split(",")):
        if token == "risky":
            ports |= risky
            continue
        if token == "top100":
            ports |= risky | set(TOP100)
            continue
        m = _PORT_TOKEN.match(token)
        lo = int(m.group(1)) if m else 0
        hi = int(m.group(2) or lo) if m else 0
        if not m or not 1 <= lo <= hi <= 65535:
            raise UserError(
                f"Ports invalides « {spec[:80]} » : attendu risky, top100 ou une liste de ports "
                "et de plages entre 1 et 65535 séparés par des virgules (ex. 22,80,8000-8010).",
                f"Invalid ports '{spec[:80]}': expected risky, top100 or a comma-separated list "
                "of ports and ranges between 1 and 65535 (e.g. 22,80,8000-8010).",
            )
        ports.update(range(lo, hi + 1))
    return sorted(ports)


def port_spec(ports: Sequence[int]) -> str:
    """Integers -> nmap's compact syntax ('21-23,80'), built only from ints."""
    out: list[str] = []
    values = sorted({int(p) for p in ports})
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        out.append(str(values[i]) if i == j else f"{values[i]}-{values[j]}")
        i = j + 1
    return ",".join(out)
