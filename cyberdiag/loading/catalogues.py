"""Rules of the check catalogues (checks/*.yaml) and the port catalogue beyond their schema."""

from __future__ import annotations

from cyberdiag.i18n import tr
from cyberdiag.loading.bundle import Bundle, dup_ids, grid_info, items
from cyberdiag.loading.yamlread import RawFile


def check_catalogue(raw: RawFile, bundle: Bundle, seen: dict[str, str]) -> None:
    """One check catalogue: ids unique across catalogues (`seen`: id → file), known domains."""
    _, domains, _ = grid_info(bundle)
    dup_ids(raw, "checks")
    for i, c in items(raw, "checks"):
        cid = c.get("id")
        if isinstance(cid, str):
            if cid in seen and seen[cid] != raw.label:
                raw.error(
                    ("checks", i, "id"),
                    tr(
                        f"identifiant en double : « {cid} » est déjà défini dans {seen[cid]}",
                        f"duplicate id: '{cid}' is already defined in {seen[cid]}",
                    ),
                )
            seen.setdefault(cid, raw.label)
        dom = c.get("domain")
        if domains and isinstance(dom, str) and dom not in domains:
            raw.error(
                ("checks", i, "domain"),
                tr(
                    f"domaine inconnu de la grille : trouvé « {dom} »",
                    f"domain not in the grid: found '{dom}'",
                ),
            )


def check_ports(raw: RawFile) -> None:
    """The port catalogue: each port listed once."""
    dup_ids(raw, "ports", "port")
