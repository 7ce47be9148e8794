"""Pooled services: which service answers a gap, the most frequent gaps, and proposals.

The catalogue is report_templates/territory/pooling.yaml. A proposal counts the municipalities a
service concerns and estimates honestly how many would gain an overall level (see proposals()).
A gap is named by its generic title (a check's title from the catalogue, never one municipality's
finding title, which carries its domain: « HSTS (ville-exemple.fr) »).
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from cyberdiag.loading import read_model
from cyberdiag.models import Model, Text
from cyberdiag.report.catalogue import check_catalogue
from cyberdiag.resources import data_dir
from cyberdiag.territory.store import FindingRow, MuniRow


class PoolingService(Model):
    """One pooled service: the gaps it answers (ref patterns, or whole domains)."""

    id: str
    name: Text
    offer: Text
    refs: list[str] = []
    domains: list[str] = []
    # Unscored questions (domain mutualisation) whose answer "oui" says the municipality
    # already uses such a shared service: it is not proposed to it again.
    already: list[str] = []


class PoolingCatalogue(Model):
    """pooling.yaml: the services a territory can pool."""

    kind: str
    id: str
    version: str
    services: list[PoolingService]


def pooling_path() -> Path:
    """The shipped catalogue of pooled services."""
    return data_dir("report_templates") / "territory" / "pooling.yaml"


@cache
def load_pooling(path: Path | None = None) -> PoolingCatalogue:
    """The catalogue at `path` (default: the shipped one), read once."""
    return read_model(path or pooling_path(), PoolingCatalogue)


_SERVICE_MEMO: dict[tuple[str, str, str, str | None], str | None] = {}


def service_for(ref: str, domain: str | None, catalogue: PoolingCatalogue) -> str | None:
    """The pooling service answering a finding/cap (see pooling.yaml for the rule).

    Memoised per catalogue id and version: a territory has tens of thousands of findings but
    only a hundred distinct (ref, domain) pairs.
    """
    key = (catalogue.id, catalogue.version, ref, domain)
    if key not in _SERVICE_MEMO:
        if len(_SERVICE_MEMO) > 100_000:
            _SERVICE_MEMO.clear()
        _SERVICE_MEMO[key] = _service_for(ref, domain, catalogue)
    return _SERVICE_MEMO[key]


def _service_for(ref: str, domain: str | None, catalogue: PoolingCatalogue) -> str | None:
    low = ref.lower()
    for s in catalogue.services:
        if any(fnmatch.fnmatchcase(low, pat) for pat in s.refs):
            return s.id
    if domain:
        for s in catalogue.services:
            if domain in s.domains:
                return s.id
    return None


@cache
def _check_titles() -> dict[str, Text]:
    return {k: v.title for k, v in check_catalogue().items()}


def generic_title(f: FindingRow) -> Text:
    """The finding's title without anything of one municipality: a check's catalogue title
    (its finding title names the target domain), or its id; a question's own title."""
    title = _check_titles().get(f.ref)
    if title is not None:
        return title
    if f.kind == "check":  # a check outside the catalogue: its id, never its target
        return Text(fr=f.ref, en=f.ref)
    return f.title


@dataclass
class Gap:
    """A frequent gap: how many municipalities have it, and the service answering it."""

    ref: str
    title: Text
    domain: str
    critical: bool
    count: int
    share: float
    service: str | None


@dataclass
class Proposal:
    """A pooled service worth proposing, with the municipalities it would help."""

    service: str
    name: Text
    offer: Text
    count: int  # municipalities with at least one gap answered by the service
    top_ref: str
    top_title: Text
    top_count: int  # municipalities with the most frequent of those gaps
    lifted: int  # would gain at least one overall level (every cap removed is this service's)
    lifted_from_zero: int  # ... of which now at level 0 and would leave it
    refs: list[str]
    # The gaps the service answers, most frequent first: (ref, title, municipalities).
    items: list[tuple[str, Text, int]] = field(default_factory=list)
    # From the pooling questions: municipalities that already use such a shared service (left
    # out of the counts above), and those concerned that would join a group offer.
    already: int = 0
    interested: int = 0


def _lift(m: MuniRow, service: str, cat: PoolingCatalogue) -> int:
    """m's overall level once every cap answered by `service` is lifted (capped by the rest)."""
    remaining = [c.level for c in m.caps if service_for(c.ref, c.domain, cat) != service]
    return min([m.uncapped_level, *remaining])


def proposals(
    rows: list[MuniRow],
    cat: PoolingCatalogue,
    min_count: int = 1,
    already: Mapping[str, set[str]] | None = None,
    interested: set[str] | None = None,
) -> list[Proposal]:
    """Frequent gaps grouped by shared service, with an honest estimate of levels gained.

    Anonymised views pass `min_count` (MIN_GROUP): a service or an item concerning fewer
    municipalities is left out, so that no gap points at a few of them.

    A municipality counts once per service. "lifted": municipalities whose overall level would
    rise if the service put its items fully in place, i.e. every cap holding them at their level
    belongs to that service (other caps and the uncapped score still apply). Findings of kind
    "delegated" (the provider says it does it; proof requested) are not counted as gaps.

    From the pooling questions (territory/mutual.py): `already` (service id -> municipalities
    already using such a shared service) leaves them out of that service; `interested` (those
    that would join a group offer) is counted among the municipalities concerned.
    """
    already = already or {}
    concerned: dict[str, set[str]] = defaultdict(set)
    ref_munis: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    titles: dict[str, Text] = {}
    for m in rows:
        for f in m.findings:
            if f.kind == "delegated":
                continue
            s = service_for(f.ref, f.domain, cat)
            if s is None or m.insee in already.get(s, ()):
                continue
            concerned[s].add(m.insee)
            ref_munis[s][f.ref].add(m.insee)
            titles.setdefault(f.ref, generic_title(f))
    by_id = {s.id: s for s in cat.services}
    out: list[Proposal] = []
    for sid, munis in concerned.items():
        if len(munis) < min_count:
            continue
        refs = sorted(ref_munis[sid], key=lambda r: (-len(ref_munis[sid][r]), r))
        lifted = lifted0 = 0
        for m in rows:
            if m.insee not in munis:
                continue
            new = _lift(m, sid, cat)
            if new > m.overall_level:
                lifted += 1
                if m.overall_level == 0:
                    lifted0 += 1
        svc = by_id[sid]
        out.append(
            Proposal(
                service=sid,
                name=svc.name,
                offer=svc.offer,
                count=len(munis),
                top_ref=refs[0],
                top_title=titles[refs[0]],
                top_count=len(ref_munis[sid][refs[0]]),
                lifted=lifted,
                lifted_from_zero=lifted0,
                refs=refs,
                items=[
                    (r, titles[r], len(ref_munis[sid][r]))
                    for r in refs
                    if len(ref_munis[sid][r]) >= min_count
                ],
                already=len(already.get(sid, ())),
                interested=len(munis & (interested or set())),
            )
        )
    out.sort(key=lambda p: (-p.lifted, -p.count, p.service))
    return out


def frequent_gaps(
    rows: list[MuniRow], cat: PoolingCatalogue, top: int = 12, min_count: int = 1
) -> list[Gap]:
    """The `top` gaps found in the most municipalities (critical first among equals); those
    found in fewer than `min_count` are left out (anonymised views)."""
    munis: dict[str, set[str]] = defaultdict(set)
    info: dict[str, FindingRow] = {}
    for m in rows:
        for f in m.findings:
            if f.kind == "delegated":
                continue
            munis[f.ref].add(m.insee)
            info.setdefault(f.ref, f)
    n = max(1, len(rows))
    kept = [r for r in munis if len(munis[r]) >= min_count]
    refs = sorted(kept, key=lambda r: (-len(munis[r]), not info[r].critical, r))[:top]
    return [
        Gap(
            ref=r,
            title=generic_title(info[r]),
            domain=info[r].domain,
            critical=info[r].critical,
            count=len(munis[r]),
            share=len(munis[r]) / n,
            service=service_for(r, info[r].domain, cat),
        )
        for r in refs
    ]
