"""Public Suffix List (shipped offline in cyberdiag/data/public_suffix_list.dat, from
publicsuffix.org via the `publicsuffixlist` package): organisational domain of a name."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parents[2] / "data" / "public_suffix_list.dat"


@cache
def _rules() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The three kinds of rules, in Unicode as the list writes them (lower case). A name is
    turned to Unicode label by label when matched: encoding every rule to IDNA here cost a
    tenth of a second in each process that looks up one name."""
    normal: set[str] = set()
    wildcard: set[str] = set()
    exception: set[str] = set()
    for raw in _DATA.read_text(encoding="utf-8").splitlines():
        line = raw.strip().split(" ")[0]
        if not line or line.startswith("//"):
            continue
        rule = line.lower()
        if rule.startswith("!"):
            exception.add(rule[1:])
        elif rule.startswith("*."):
            wildcard.add(rule[2:])
        else:
            normal.add(rule)
    return frozenset(normal), frozenset(wildcard), frozenset(exception)


def _idna(label: str) -> str:
    """A label in ASCII (IDNA) form, as DNS carries it."""
    try:
        return label.encode("idna").decode("ascii") if not label.isascii() else label
    except UnicodeError:
        return label


def _unicode(label: str) -> str:
    """A label as the list writes it: an A-label (xn--…) decoded, others unchanged."""
    if label.startswith("xn--"):
        try:
            return label.encode("ascii").decode("idna")
        except UnicodeError:
            return label
    return label


def public_suffix(name: str) -> str:
    """The public suffix of `name` (the default rule '*' applies to unlisted TLDs)."""
    normal, wildcard, exception = _rules()
    labels = [_idna(lab) for lab in name.lower().rstrip(".").split(".") if lab]
    if not labels:
        return ""
    forms = [_unicode(lab) for lab in labels]
    best = 1
    for i in range(len(forms)):
        cand = ".".join(forms[i:])
        n = len(forms) - i
        if cand in exception:
            best = max(best, n - 1)
            return ".".join(labels[len(labels) - best :])
        if cand in normal:
            best = max(best, n)
        parent = ".".join(forms[i + 1 :])
        if parent and parent in wildcard:
            best = max(best, n)
    return ".".join(labels[len(labels) - best :])


def org_domain(name: str) -> str | None:
    """Organisational (registrable) domain: public suffix + one label; None for a suffix."""
    labels = [lab for lab in name.lower().rstrip(".").split(".") if lab]
    suffix = public_suffix(name)
    n = len(suffix.split(".")) if suffix else 0
    if len(labels) <= n:
        return None
    return ".".join(labels[len(labels) - n - 1 :])
