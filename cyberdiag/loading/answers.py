"""Answer files (answers.yaml): each answer checked against its questionnaire, and the loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cyberdiag.errors import ValidationFailed
from cyberdiag.i18n import tr
from cyberdiag.loading.bundle import Bundle, line_of
from cyberdiag.loading.messages import pydantic_message
from cyberdiag.loading.yamlread import RawFile, read_raw
from cyberdiag.models import Answer, AnswerFile, Questionnaire


def check_answer_file(raw: RawFile, bundle: Bundle) -> None:
    """An answer file: each answer on its own (all mistakes at once), then its header."""
    data = raw.data if isinstance(raw.data, dict) else {}
    qname = data.get("questionnaire")
    questionnaire = None
    for _, q in bundle.questionnaires + bundle.ref_questionnaires:
        if q is not None and q.id == qname:
            questionnaire = q
    # Each answer on its own, so that every mistake is reported at once.
    entries = data.get("answers")
    for qid, entry in entries.items() if isinstance(entries, dict) else []:
        if isinstance(entry, dict):
            try:
                Answer.model_validate(entry)
            except ValidationError as exc:
                for err in exc.errors():
                    loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
                    raw.error(
                        ("answers", qid, *loc),
                        pydantic_message(dict(err)),
                        item=str(qid),
                        fld=".".join(str(p) for p in loc),
                    )
        if questionnaire is not None:
            check_answer_entry(raw, str(qid), entry, questionnaire)
    rest = {k: v for k, v in data.items() if k != "answers"}
    try:
        AnswerFile.model_validate(rest)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
            raw.error(loc, pydantic_message(dict(err)))
    if isinstance(qname, str) and questionnaire is None and bundle.questionnaires:
        raw.error(
            ("questionnaire",),
            tr(f"questionnaire inconnu « {qname} »", f"unknown questionnaire '{qname}'"),
        )


def check_answer_entry(raw: RawFile, qid: str, entry: Any, questionnaire: Questionnaire) -> None:
    """One answer against its questionnaire: the question exists, the option is one of its own."""
    q = next((q for q in questionnaire.questions if q.id == qid), None)
    if q is None:
        raw.error(
            ("answers", qid),
            tr(
                f"question inconnue du questionnaire « {questionnaire.id} »",
                f"question not in questionnaire '{questionnaire.id}'",
            ),
            item=qid,
            fld="",
        )
        return
    option = entry.get("option") if isinstance(entry, dict) else None
    options = [o.id for o in q.options]
    if isinstance(option, str) and option not in options:
        raw.error(
            ("answers", qid, "option"),
            tr(
                f"réponse inconnue : attendu l'une de {', '.join(options)}, trouvé « {option} »",
                f"unknown answer: expected one of {', '.join(options)}, found '{option}'",
            ),
            item=qid,
            fld="option",
        )


def load_answers(
    path: Path,
    questionnaire: Questionnaire,
    *,
    missing_ok: bool = False,
    raw: RawFile | None = None,
) -> AnswerFile:
    """Read an answers file (hand-written, from a form, or saved by the interview). `raw`: the
    file already read with read_raw (score reads it first to find its questionnaire)."""
    empty = AnswerFile(questionnaire=questionnaire.id, questionnaire_version=questionnaire.version)
    if missing_ok and not path.exists():
        return empty
    raw = read_raw(path) if raw is None else raw
    if raw.errors:
        raise ValidationFailed(raw.errors)
    if raw.data is None and missing_ok:
        return empty
    if not isinstance(raw.data, dict):
        raw.error((), tr("attendu un ensemble de clés (mapping)", "expected a mapping of keys"))
        raise ValidationFailed(raw.errors)
    if raw.data.get("questionnaire") != questionnaire.id:
        raw.error(
            ("questionnaire",),
            tr(
                f"ces réponses sont pour le questionnaire « {raw.data.get('questionnaire')} », "
                f"pas pour « {questionnaire.id} »",
                f"these answers are for questionnaire '{raw.data.get('questionnaire')}', not "
                f"'{questionnaire.id}'",
            ),
        )
        raise ValidationFailed(raw.errors)
    bundle = Bundle(files=[raw], questionnaires=[(raw, questionnaire)], answers=[raw])
    check_answer_file(raw, bundle)
    if raw.errors:
        raise ValidationFailed(sorted(raw.errors, key=lambda e: line_of(raw, e)))
    return AnswerFile.model_validate(raw.data)
