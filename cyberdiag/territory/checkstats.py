"""check-all's results over a campaign: per passive check, how many municipalities fail or warn."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from cyberdiag.models import Text
from cyberdiag.report.catalogue import check_catalogue
from cyberdiag.territory.store import Store

# Which status of a check counts for a municipality checked on several domains: the worst.
_RANK = {"fail": 3, "warn": 2, "pass": 1, "not_tested": 0, "not_applicable": -1}


@dataclass
class CheckAgg:
    """One passive check over the municipalities checked by check-all in the campaign."""

    id: str
    title: Text | None
    fail: int  # municipalities with at least one domain failing
    warn: int  # ... warning (and none failing)
    not_tested: int  # ... for which it could not be carried out at all
    tested: int  # municipalities where it gave pass/warn/fail


def check_aggregates(store: Store, campaign: str, top: int = 15) -> list[CheckAgg]:
    """Per check id: how many municipalities fail / warn / could not be tested (check-all).

    Only checks failing or warning somewhere, most failures first, at most `top`."""
    titles = {k: v.title for k, v in check_catalogue().items()}
    worst: dict[str, dict[str, str]] = defaultdict(dict)
    for insee, run in store.check_runs(campaign):
        for r in run.results:
            cur = worst[r.id].get(insee)
            if cur is None or _RANK[r.status] > _RANK[cur]:
                worst[r.id][insee] = r.status
    out = []
    for cid, per in worst.items():
        c = Counter(per.values())
        out.append(
            CheckAgg(
                id=cid,
                title=titles.get(cid),
                fail=c["fail"],
                warn=c["warn"],
                not_tested=c["not_tested"],
                tested=c["fail"] + c["warn"] + c["pass"],
            )
        )
    out.sort(key=lambda a: (-a.fail, -a.warn, a.id))
    return [a for a in out if a.fail or a.warn][:top]
