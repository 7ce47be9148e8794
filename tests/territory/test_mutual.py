"""The pooling answers: who runs the IT, providers of several municipalities, services already
shared, willingness to join a group offer, training needs; and the pooling proposals use them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from campaign_fixtures import RARE_PROVIDER, build_store, read_campaign

from cyberdiag.cli import main
from cyberdiag.territory.aggregate import build_view
from cyberdiag.territory.mutual import provider_key
from cyberdiag.territory.pooling import load_pooling, service_for
from cyberdiag.territory.store import open_store


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("mutual")
    build_store(tmp, 40, previous=0, checks=False)
    return tmp


def _answers(folder: Path, qid: str) -> dict[str, str]:
    return {
        d.profile.insee: a.option
        for d in read_campaign(folder)
        for a in d.answers
        if a.question_id == qid and a.option
    }


def test_tallies_and_providers_named(campaign: Path) -> None:
    diags = read_campaign(campaign / "2026")
    names = {d.profile.insee: d.profile.name for d in diags}
    with open_store(campaign / "t.sqlite", create=False) as s:
        view = build_view(s, "2026", named=True)
    assert view.insights is not None
    pa = view.insights.pooling
    assert pa.asked == 40
    op = _answers(campaign / "2026", "mut.it_operator")
    assert pa.operator is not None and pa.operator.counts == dict(Counter(op.values()))
    staff = sorted(names[i] for i, o in op.items() if o == "agents")
    assert pa.operator.communes["agents"] == staff
    # Options in a stable order, « je ne sais pas » last.
    options = [o for o, _ in pa.operator_options]
    assert "je_ne_sais_pas" in options and options[-1] == "je_ne_sais_pas"
    # Providers: one provider however it was typed; each named with its municipalities.
    typed = {d.profile.insee: d.profile.it_provider for d in diags if d.profile.it_provider}
    by_key = Counter(provider_key(p) for p in typed.values())
    got = {provider_key(p.name): p for p in pa.providers}
    assert {k for k, n in by_key.items() if n >= 2} == set(got)
    nord = got[provider_key("Infogérance du Nord")]
    assert nord.name == "Infogérance du Nord"  # the usual spelling, not the all-lower one
    assert nord.count == by_key[provider_key("Infogérance du Nord")]
    assert len(nord.communes) == nord.count
    rare = got[provider_key(RARE_PROVIDER)]  # two municipalities: named in a named view
    assert rare.count == 2 and len(rare.communes) == 2
    training = {r.question_id: r for r in pa.training.rows}
    elected = _answers(campaign / "2026", "mut.training_elected")
    assert training["mut.training_elected"].counts == dict(Counter(elected.values()))
    shared = {r.question_id: r for r in pa.shared.rows}
    backup = _answers(campaign / "2026", "mut.shared_backup")
    assert shared["mut.shared_backup"].counts["oui"] == sum(o == "oui" for o in backup.values())


def test_proposals_leave_out_those_already_sharing_and_count_the_willing(campaign: Path) -> None:
    diags = read_campaign(campaign / "2026")
    cat = load_pooling()
    backup = _answers(campaign / "2026", "mut.shared_backup")
    offer = _answers(campaign / "2026", "mut.group_offer")
    concerned = {
        d.profile.insee
        for d in diags
        for f in d.findings
        if f.kind != "delegated" and service_for(f.ref, f.domain, cat) == "backup"
    } - {i for i, o in backup.items() if o == "oui"}
    with open_store(campaign / "t.sqlite", create=False) as s:
        view = build_view(s, "2026", named=True)
    p = next(p for p in view.proposals if p.service == "backup")
    assert p.count == len(concerned)
    assert p.already == sum(o == "oui" for o in backup.values())
    assert p.interested == sum(offer.get(i) in ("oui", "selon_cout", "deja") for i in concerned)


def test_anonymised_report_names_no_small_provider(campaign: Path, tmp_path: Path) -> None:
    diags = read_campaign(campaign / "2026")
    served = Counter(provider_key(d.profile.it_provider) for d in diags if d.profile.it_provider)
    spelled = {provider_key(p): p for d in diags if (p := d.profile.it_provider)}
    assert served[provider_key(RARE_PROVIDER)] == 2
    out = tmp_path / "r.html"
    assert main(["territory", "report", "--store", str(campaign / "t.sqlite"), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8").replace("&#39;", "'")
    assert "Qui s'occupe de l'informatique de la mairie" in html
    assert "Besoins de formation par public" in html
    assert any(n < 5 for n in served.values()) and any(n >= 5 for n in served.values())
    flat = " ".join(html.split()).casefold()
    for key, n in served.items():
        assert (key in flat) == (n >= 5), (spelled[key], n)
