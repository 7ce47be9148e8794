"""Each gap's frequency over the municipalities to which it applies, and who has it.

The denominator of a question is the number of municipalities for which it applies (tier and
profile) and which gave a known answer (not « je ne sais pas », not left to the provider without
its confirmation, not unanswered): a question asked only of tiers 3–4 is measured over them, not
over the whole territory. The numerator counts the known gaps (a partial or missing measure);
answers still to confirm are counted apart. For a check, the denominator is the number of
municipalities whose diagnostic could run it (pass, warn or fail). An anonymised view keeps only
the gaps found in at least MIN_GROUP municipalities and never lists them; a named one lists the
municipalities concerned.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from cyberdiag.models import Text
from cyberdiag.territory.anonymise import MIN_GROUP
from cyberdiag.territory.pooling import PoolingCatalogue, generic_title, service_for
from cyberdiag.territory.store import AnswerState, FindingRow, MuniRow

_KNOWN_GAP = ("gap", "check")  # finding kinds of a known gap
_TO_CONFIRM = ("unknown", "delegated")
_TESTED = ("pass", "warn", "fail")


@dataclass
class GapRate:
    """One gap over the municipalities it applies to."""

    ref: str
    title: Text
    domain: str
    critical: bool
    source: str  # "question" or "check"
    count: int  # municipalities with the known gap
    base: int  # municipalities it applies to, with a known answer (or a check that ran)
    to_confirm: int  # municipalities whose answer is still to confirm
    service: str | None
    communes: list[str] = field(default_factory=list)  # named views only: who has it

    @property
    def share(self) -> float | None:
        return self.count / self.base if self.base else None


def gap_rates(
    rows: list[MuniRow],
    states: list[AnswerState],
    own_checks: list[tuple[str, str, str]],
    cat: PoolingCatalogue,
    *,
    named: bool,
    min_n: int,
    labels: dict[str, str] | None = None,
) -> list[GapRate]:
    """Every gap found in at least `min_n` municipalities, highest share first (over a base of
    at least MIN_GROUP), then most municipalities; `labels` names them (named views)."""
    gap: dict[str, set[str]] = defaultdict(set)
    unsure: dict[str, set[str]] = defaultdict(set)
    info: dict[str, FindingRow] = {}
    for m in rows:
        for f in m.findings:
            if f.kind in _KNOWN_GAP:
                gap[f.ref].add(m.insee)
                info.setdefault(f.ref, f)
            elif f.kind in _TO_CONFIRM:
                unsure[f.ref].add(m.insee)
    base: dict[str, set[str]] = defaultdict(set)
    for s in states:
        if s.applicable and s.kind == "answer":
            base[s.question_id].add(s.insee)
    for insee, cid, status in own_checks:
        if status in _TESTED:
            base[cid].add(insee)
    out: list[GapRate] = []
    for ref, who in gap.items():
        if len(who) < min_n:
            continue
        f = info[ref]
        out.append(
            GapRate(
                ref=ref,
                title=generic_title(f),
                domain=f.domain,
                critical=f.critical,
                source="check" if f.kind == "check" else "question",
                count=len(who),
                base=len(base[ref] | who),
                to_confirm=len(unsure[ref]),
                service=service_for(ref, f.domain, cat),
                communes=sorted((labels or {}).get(i, i) for i in who) if named else [],
            )
        )
    out.sort(key=lambda g: (g.base < MIN_GROUP, -(g.share or 0), -g.count, g.ref))
    return out
