"""The pooling answers of a campaign: who runs each municipality's IT, providers serving several
municipalities, services already shared, willingness to join a group offer, training needs.

They come from the unscored questions of the questionnaire's `mutualisation` domain (never in a
score, a level or a cap) and from the profile's `it_provider`. Answer texts are the ones each
diagnostic recorded, so the view needs no questionnaire. In an anonymised view no municipality
is listed, counts under MIN_GROUP are written « < 5 » by the renderers and a provider is named
only when it serves at least MIN_GROUP municipalities; a named view lists them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from cyberdiag.errors import UserError
from cyberdiag.loading import load_questionnaire
from cyberdiag.models import Text
from cyberdiag.territory.pooling import PoolingCatalogue
from cyberdiag.territory.store import AnswerText

POOLING_DOMAIN = "mutualisation"
IT_OPERATOR = "mut.it_operator"
GROUP_OFFER = "mut.group_offer"
SHARED_PREFIX = "mut.shared_"
TRAINING_PREFIX = "mut.training_"
YES = "oui"
# Answers to the group offer that count as willing: yes, depending on the cost, already a member.
WILLING = ("oui", "selon_cout", "deja")


# Short row labels for the tables (the question's own text otherwise).
def _t(fr: str, en: str) -> Text:
    return Text(fr=fr, en=en)


SHORT: dict[str, Text] = {
    "mut.shared_dpo": _t("Délégué à la protection des données", "Data protection officer"),
    "mut.shared_backup": _t("Sauvegarde", "Backup"),
    "mut.shared_software": _t("Logiciels métiers, hébergement", "Business software, hosting"),
    "mut.shared_mail_web": _t("Messagerie ou site web", "E-mail or website"),
    "mut.shared_monitoring": _t("Surveillance de la sécurité", "Security monitoring"),
    "mut.shared_training": _t("Sensibilisation", "Awareness sessions"),
    "mut.training_elected": _t("Élus", "Elected officials"),
    "mut.training_agents": _t("Agents", "Staff"),
    "mut.training_technical": _t("Personnel technique et informatique", "IT and technical staff"),
}


@dataclass
class Tally:
    """One question: how many municipalities gave each answer (and, named, which)."""

    question_id: str
    label: Text
    answered: int
    counts: dict[str, int]  # option id -> municipalities
    communes: dict[str, list[str]] = field(default_factory=dict)  # named views only


@dataclass
class Matrix:
    """Questions sharing their options (services already shared, training needs): one row per
    question, one column per option."""

    columns: list[tuple[str, Text]]
    rows: list[Tally]


@dataclass
class Provider:
    """An IT provider named in several profiles."""

    name: str
    count: int
    communes: list[str] = field(default_factory=list)  # named views only


@dataclass
class PoolingAnswers:
    """What the pooling questions say about the campaign's municipalities."""

    asked: int  # municipalities whose diagnostic holds at least one pooling answer
    operator: Tally | None
    operator_options: list[tuple[str, Text]]
    offer: Tally | None
    offer_options: list[tuple[str, Text]]
    shared: Matrix
    training: Matrix
    other: list[Matrix]
    providers: list[Provider]
    # For the pooling proposals: service id -> municipalities already using it; municipalities
    # willing to join a group offer. Never shown as such.
    already: dict[str, set[str]] = field(default_factory=dict)
    interested: set[str] = field(default_factory=set)
    # Named views: INSEE code -> the label of its answer on who runs its IT.
    operator_of: dict[str, Text] = field(default_factory=dict)


def option_order() -> dict[str, list[str]]:
    """Question id -> its option ids in the shipped questionnaire's order ({} if it cannot be
    read): the tables follow it; answers from another version keep their own order."""
    try:
        q = load_questionnaire("complet")
    except UserError:
        return {}
    return {x.id: [o.id for o in x.options] for x in q.questions if x.domain == POOLING_DOMAIN}


def pooling_answers(
    answers: list[AnswerText],
    providers: list[tuple[str, str | None, bool]],
    cat: PoolingCatalogue,
    *,
    labels: dict[str, str] | None,
    min_n: int,
    order: dict[str, list[str]] | None = None,
) -> PoolingAnswers:
    """The tallies of `answers` (the campaign's answers in the pooling domain) and the profiles'
    providers; `labels` (INSEE -> name) only for a named view; `order`: option_order()."""
    by_q: dict[str, list[AnswerText]] = defaultdict(list)
    seen: dict[str, dict[str, tuple[Text, bool]]] = defaultdict(dict)
    for a in answers:
        by_q[a.question_id].append(a)
        if a.option is not None:
            shown = a.option_label or Text(fr=a.option, en=a.option)
            seen[a.question_id].setdefault(a.option, (shown, a.kind == "dont_know"))
    options = {q: _ordered(found, (order or {}).get(q, [])) for q, found in seen.items()}

    def tally(qid: str) -> Tally:
        given = [a for a in by_q[qid] if a.option is not None]
        label = SHORT.get(qid) or (given[0].question if given else Text(fr=qid, en=qid))
        communes: dict[str, list[str]] = defaultdict(list)
        if labels is not None:
            for a in given:
                communes[a.option or ""].append(labels.get(a.insee, a.insee))
        return Tally(
            qid,
            label,
            len(given),
            dict(Counter(a.option or "" for a in given)),
            {k: sorted(v) for k, v in communes.items()},
        )

    def matrix(qids: list[str]) -> Matrix:
        cols: dict[str, Text] = {}
        for q in qids:
            for k, v in options.get(q, {}).items():
                cols.setdefault(k, v)
        return Matrix(list(cols.items()), [tally(q) for q in qids])

    qids = list(by_q)
    shared = [q for q in qids if q.startswith(SHARED_PREFIX)]
    training = [q for q in qids if q.startswith(TRAINING_PREFIX)]
    known = {IT_OPERATOR, GROUP_OFFER, *shared, *training}
    return PoolingAnswers(
        asked=len({a.insee for a in answers}),
        operator=tally(IT_OPERATOR) if IT_OPERATOR in by_q else None,
        operator_options=list(options.get(IT_OPERATOR, {}).items()),
        offer=tally(GROUP_OFFER) if GROUP_OFFER in by_q else None,
        offer_options=list(options.get(GROUP_OFFER, {}).items()),
        shared=matrix(shared),
        training=matrix(training),
        other=[matrix([q]) for q in qids if q not in known],
        providers=_providers(providers, labels, min_n),
        already=_already(by_q, cat),
        interested={a.insee for a in by_q.get(GROUP_OFFER, []) if a.option in WILLING},
        operator_of={
            a.insee: a.option_label
            for a in by_q.get(IT_OPERATOR, [])
            if labels is not None and a.option_label is not None
        },
    )


def _ordered(found: dict[str, tuple[Text, bool]], order: list[str]) -> dict[str, Text]:
    """Options in the questionnaire's order, else as first seen; « je ne sais pas » last."""
    rank = {o: i for i, o in enumerate(order)}
    ids = sorted(found, key=lambda o: (found[o][1], rank.get(o, len(rank))))
    return {o: found[o][0] for o in ids}


def _already(by_q: dict[str, list[AnswerText]], cat: PoolingCatalogue) -> dict[str, set[str]]:
    """Service id -> municipalities answering "oui" to one of its `already` questions."""
    out: dict[str, set[str]] = {}
    for s in cat.services:
        who = {a.insee for q in s.already for a in by_q.get(q, []) if a.option == YES}
        if who:
            out[s.id] = who
    return out


_SPACES = re.compile(r"\s+")


def provider_key(name: str) -> str:
    """The same provider however it was typed: case, spaces and final punctuation ignored."""
    return _SPACES.sub(" ", name).strip(" .,;:-").casefold()


def _providers(
    profiles: list[tuple[str, str | None, bool]], labels: dict[str, str] | None, min_n: int
) -> list[Provider]:
    """Providers named in at least two profiles (named view) or MIN_GROUP (anonymised: a
    provider of fewer would point at its few municipalities), most municipalities first."""
    spelled: dict[str, Counter[str]] = defaultdict(Counter)
    served: dict[str, set[str]] = defaultdict(set)
    for insee, provider, _ in profiles:
        if provider and (key := provider_key(provider)):
            spelled[key][_SPACES.sub(" ", provider).strip()] += 1
            served[key].add(insee)
    least = max(2, min_n)
    out = [
        Provider(
            name=max(spelled[k], key=lambda s: (spelled[k][s], not s.islower(), not s.isupper())),
            count=len(who),
            communes=sorted(labels.get(i, i) for i in who) if labels is not None else [],
        )
        for k, who in served.items()
        if len(who) >= least
    ]
    out.sort(key=lambda p: (-p.count, p.name.casefold()))
    return out
