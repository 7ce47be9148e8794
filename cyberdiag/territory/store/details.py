"""Details read from the stored diagnostic records, and the latest check-all run per municipality.

The normalised tables hold scores, findings and caps; what the campaign view also needs (which
questions applied and had an answer, the diagnostics' own check results, the answers of the
unscored pooling questions, each profile's IT provider) is read from the record itself
(`diagnostics.json`) with SQLite's JSON functions: no migration, and nothing copied twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cyberdiag.models import CheckRun, Text
from cyberdiag.territory.store.base import StoreBase


@dataclass(frozen=True)
class AnswerState:
    """Whether a question applied to a municipality, and the kind of its answer (None: none)."""

    insee: str
    question_id: str
    applicable: bool
    kind: str | None


@dataclass(frozen=True)
class AnswerText:
    """An answer with its texts as the diagnostic recorded them (the pooling questions)."""

    insee: str
    question_id: str
    question: Text
    option: str | None
    option_label: Text | None
    kind: str | None


@dataclass(frozen=True)
class LatestRun:
    """A municipality's most recent check-all run, in whichever campaign it was made."""

    insee: str
    campaign: str
    finished_at: str
    run: CheckRun


class DetailTables(StoreBase):
    """Reads of the records' answers, own checks and profiles; the latest check-all runs."""

    def answers(self, campaign: str, domain: str) -> tuple[list[AnswerState], list[AnswerText]]:
        """Every recorded answer of the campaign (applicability and kind), and the applicable
        answers of questionnaire domain `domain` with their texts, in the order the diagnostics
        recorded them. One pass over the records: each is parsed once."""
        states: list[AnswerState] = []
        texts: list[AnswerText] = []
        # One json_extract with several paths parses each answer once (an array of values).
        for i, raw in self.conn.execute(
            """SELECT d.insee, json_extract(a.value, '$.question_id', '$.applicable', '$.kind',
                          '$.domain', '$.option', '$.question.fr', '$.question.en',
                          '$.option_label.fr', '$.option_label.en')
               FROM diagnostics d, json_each(d.json, '$.answers') a WHERE d.campaign = ?
               ORDER BY d.insee, a.key""",
            (campaign,),
        ):
            q, appl, kind, dom, opt, qfr, qen, ofr, oen = json.loads(raw)
            states.append(AnswerState(str(i), str(q), bool(appl), kind))
            if dom == domain and appl:
                texts.append(
                    AnswerText(
                        str(i),
                        str(q),
                        Text(fr=str(qfr or q), en=str(qen or qfr or q)),
                        opt,
                        None if ofr is None else Text(fr=str(ofr), en=str(oen or ofr)),
                        kind,
                    )
                )
        return states, texts

    def own_check_states(self, campaign: str) -> list[tuple[str, str, str]]:
        """(INSEE code, check id, status) of the checks each diagnostic records (one row per
        check and target)."""
        rows = self.conn.execute(
            """SELECT d.insee, json_extract(c.value, '$.id'), json_extract(c.value, '$.status')
               FROM diagnostics d, json_each(d.json, '$.checks') c WHERE d.campaign=?""",
            (campaign,),
        ).fetchall()
        return [(str(i), str(c), str(s)) for i, c, s in rows]

    def it_providers(self, campaign: str) -> list[tuple[str, str | None, bool]]:
        """(INSEE code, IT provider as typed in the profile, has IT staff) per diagnostic."""
        rows = self.conn.execute(
            """SELECT insee, json_extract(json, '$.profile.it_provider'),
                      json_extract(json, '$.profile.it_staff')
               FROM diagnostics WHERE campaign=? ORDER BY insee""",
            (campaign,),
        ).fetchall()
        return [(str(i), None if p is None else str(p), bool(s)) for i, p, s in rows]

    def latest_check_runs(self, insees: set[str]) -> dict[str, LatestRun]:
        """The most recent check-all run of each of `insees` (any campaign)."""
        out: dict[str, LatestRun] = {}
        for insee, campaign, finished, raw in self.conn.execute(
            """SELECT insee, campaign, finished_at, results_json FROM check_runs r
               WHERE finished_at = (SELECT MAX(finished_at) FROM check_runs q
                                    WHERE q.insee = r.insee)"""
        ):
            if insee in insees and insee not in out:
                out[str(insee)] = LatestRun(
                    str(insee), str(campaign), str(finished), CheckRun.model_validate_json(raw)
                )
        return out
