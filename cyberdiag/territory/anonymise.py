"""Anonymisation of territorial views: code names and groups never smaller than MIN_GROUP.

Threshold: MIN_GROUP = 5. The readers of an anonymised report are often members of the groups
themselves (a municipality's staff, elected officials of neighbouring towns). With 3, a member who
knows its own result and colludes with one other member (or simply knows one neighbour) can deduce
the third; a median over 3 is also one municipality's own score. With 5, isolating one municipality
takes 4 colluders, and MEL's largest tier (about six municipalities over 30,000 inhabitants) stays
publishable. Every figure shown by group (distribution, medians, trend, per-tier medians given to a
single municipality's report) is computed over at least MIN_GROUP municipalities; a smaller tier
is merged with its neighbour ("T3–T4"), and a territory with fewer than MIN_GROUP municipalities
shows totals only.

Code names are derived from the INSEE code with an HMAC keyed by a random salt kept in the store:
stable from one campaign to the next (a municipality told its own code can find itself and follow
its trend), but impossible to recompute or reverse without the store.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from cyberdiag.errors import UserError

MIN_GROUP = 5


def refuse_small_export(count: int, campaign: str) -> None:
    """An anonymised export of fewer than MIN_GROUP municipalities would let them be recognised:
    refused (UserError), whatever its form (per domain or summary)."""
    if count < MIN_GROUP:
        raise UserError(
            f"Moins de {MIN_GROUP} communes dans la campagne {campaign} : un export anonymisé "
            "permettrait de les reconnaître. Utiliser --named (usage interne).",
            f"Fewer than {MIN_GROUP} municipalities in campaign {campaign}: an anonymised "
            "export would let them be recognised. Use --named (internal use).",
        )

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I/O/0/1: read aloud without mistakes


def code_names(insees: Iterable[str], salt: str) -> dict[str, str]:
    """INSEE code -> code name like "C-7KQ4" (unique within the given set)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for insee in sorted(set(insees)):
        digest = hmac.new(salt.encode(), insee.encode(), hashlib.sha256).digest()
        letters = "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest)
        n = 4
        while "C-" + letters[:n] in used:
            n += 1
        code = "C-" + letters[:n]
        used.add(code)
        out[insee] = code
    return out


@dataclass(frozen=True)
class Group:
    """A set of tiers shown together (label "T2" or "T3–T4", or "all")."""

    tiers: tuple[int, ...]

    @property
    def label(self) -> str:
        if not self.tiers:
            return "-"
        if len(self.tiers) == 1:
            return f"T{self.tiers[0]}"
        return f"T{self.tiers[0]}–T{self.tiers[-1]}"


def tier_groups(counts: dict[int, int], min_size: int = MIN_GROUP) -> list[Group]:
    """Merge adjacent tiers until every group holds at least `min_size` municipalities.

    Tiers with no municipality are dropped. A small tier is merged with its smaller neighbour
    (keeps groups as fine as possible). When the whole territory is below `min_size`, one group
    holds everything (and callers must not show it alone: see publishable()).
    """
    groups = [[t] for t in sorted(counts) if counts[t] > 0]

    def size(g: list[int]) -> int:
        return sum(counts[t] for t in g)

    while len(groups) > 1:
        small = [i for i, g in enumerate(groups) if size(g) < min_size]
        if not small:
            break
        i = min(small, key=lambda k: (size(groups[k]), k))
        if i == 0:
            j = 1
        elif i == len(groups) - 1:
            j = i - 1
        else:
            j = i - 1 if size(groups[i - 1]) <= size(groups[i + 1]) else i + 1
        a, b = sorted((i, j))
        groups[a] = groups[a] + groups[b]
        del groups[b]
    return [Group(tuple(g)) for g in groups]


def group_of(tier: int, groups: list[Group]) -> Group:
    for g in groups:
        if tier in g.tiers:
            return g
    return Group((tier,))


def publishable(n: int, min_size: int = MIN_GROUP) -> bool:
    """May a figure computed over `n` municipalities be shown in an anonymised view?"""
    return n >= min_size
