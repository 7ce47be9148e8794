"""Public Suffix List (shipped offline copy): organisational domains, public suffixes, random
names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberdiag.checks.parsers.psl import org_domain, public_suffix


@pytest.mark.parametrize(("name", "org"), [
    ("mairie.ville-exemple.fr", "ville-exemple.fr"),
    ("ville-exemple.fr", "ville-exemple.fr"),
    ("fr", None),
    ("a.b.gouv.fr", "b.gouv.fr"),
    ("www.example.co.uk", "example.co.uk"),
    ("mail.ville-a.test", "ville-a.test"),  # unlisted TLD: default rule '*'
    ("foo.bar.kawasaki.jp", "foo.bar.kawasaki.jp"),  # wildcard rule *.kawasaki.jp
    ("www.city.kawasaki.jp", "city.kawasaki.jp"),  # exception rule !city.kawasaki.jp
])
def test_org_domain(name: str, org: str | None) -> None:
    assert org_domain(name) == org


def test_public_suffix() -> None:
    assert public_suffix("www.example.co.uk") == "co.uk"
    assert public_suffix("x.y.fr") == "fr"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=100))
def test_random_names_psl(text: str) -> None:
    org_domain(text)
    public_suffix(text)
