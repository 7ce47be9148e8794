"""The group's anonymous results over a folder of workshop answers files.

Every `*.yaml` / `*.yml` file of the folder is read with the same loader as the questionnaire
(`load_answers`); a file that cannot be read or does not match the questionnaire is set aside
with its name and reason, and the others are used. Nothing identifying is shown: no names, no
comments, no per-person line; only counts per answer. The room's weakest habits are the questions
with the largest mean gap (see sheet.gap_of); the talking points are built from them, from the
question the room knows least about ("I don't know"), and from its strongest habit.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cyberdiag.errors import UserError, ValidationFailed
from cyberdiag.i18n import Lang, one_or_many, tr
from cyberdiag.loading import load_answers
from cyberdiag.models import AnswerFile, Option, Question, Questionnaire
from cyberdiag.report.frtypo import format_date, typo
from cyberdiag.workshop.render import render, write_html, write_pdf
from cyberdiag.workshop.session import best_score, load_workshop_questionnaire
from cyberdiag.workshop.sheet import gap_of

WEAKEST = 3
MIN_GROUP = 3  # below this, "anonymous" results are not really anonymous: say so


@dataclass(frozen=True)
class OptionCount:
    id: str
    label: str
    tone: str  # good / partial / bad / unknown / delegated / na (bar colour)
    count: int
    share: float  # percent of the respondents to this question


@dataclass(frozen=True)
class QuestionStats:
    number: int
    id: str
    text: str
    domain: str
    why: str
    reflex: str
    respondents: int
    unanswered: int
    counts: list[OptionCount]
    good: int
    dont_know: int
    mean_gap: float | None  # 0..1, None when nobody answered


@dataclass(frozen=True)
class Rejected:
    file: str
    reason: str


@dataclass(frozen=True)
class GroupSummary:
    lang: Lang
    questionnaire_id: str
    title: str
    date: str
    participants: int
    rejected: list[Rejected]
    questions: list[QuestionStats]
    weakest: list[QuestionStats]
    talking_points: list[str]
    small_group: bool


def _tone(q: Question, o: Option) -> str:
    if o.kind == "dont_know":
        return "unknown"
    if o.kind == "delegated":
        return "delegated"
    if o.kind == "not_applicable":
        return "na"
    best = best_score(q)
    if o.score is None or o.score >= best:
        return "good"
    return "partial" if o.score > 0 else "bad"


_AT_LINE = re.compile(r"^:(\d+)(?::| ›)\s*(.*)$", re.S)


def _reason(line: str, label: str, lang: Lang) -> str:
    """The loader's message without the file's label ("x.yaml:3 › id › field: ...")."""
    rest = line[len(label) :] if line.startswith(label) else line
    m = _AT_LINE.match(rest)
    if m:
        return tr(f"ligne {m[1]} : {m[2]}", f"line {m[1]}: {m[2]}", lang)
    return rest.lstrip(" :")


def read_folder(
    folder: Path, questionnaire: Questionnaire, lang: Lang
) -> tuple[list[AnswerFile], list[Rejected]]:
    """Every answers file of `folder` for `questionnaire`; the others with their reason."""
    if not folder.is_dir():
        raise UserError(
            f"{folder} : dossier introuvable (attendu le dossier --dir de l'atelier).",
            f"{folder}: folder not found (expected the workshop's --dir folder).",
        )
    files = sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in (".yaml", ".yml") and not p.name.startswith(".")
    )
    good: list[AnswerFile] = []
    rejected: list[Rejected] = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            answers = load_answers(path, questionnaire)
            # The same file gathered twice (two USB sticks): every answer has the same time.
            stamped = answers.answers and all(a.answered_at for a in answers.answers.values())
            key = json.dumps(
                {k: a.model_dump(mode="json") for k, a in sorted(answers.answers.items())}
            )
            if stamped and key in seen:
                rejected.append(
                    Rejected(
                        path.name,
                        tr(
                            f"même contenu que {seen[key]} (mêmes réponses, mêmes heures) : "
                            "compté une seule fois",
                            f"same content as {seen[key]} (same answers, same times): counted once",
                            lang,
                        ),
                    )
                )
                continue
            seen.setdefault(key, path.name)
            good.append(answers)
        except ValidationFailed as exc:
            first = exc.lines[0] if exc.lines else exc.message(lang)
            reason = _reason(first, str(path), lang)
            more = len(exc.lines) - 1
            if more > 0:
                reason += tr(f" (+{more} {one_or_many(more, 'autre', 'autres')})",
                             f" (+{more} more)", lang)
            rejected.append(Rejected(path.name, reason))
        except UserError as exc:
            rejected.append(Rejected(path.name, exc.message(lang)))
    return good, rejected


def summarise(folder: Path, questionnaire_name: str, lang: Lang) -> GroupSummary:
    questionnaire, domain_names = load_workshop_questionnaire(questionnaire_name)
    files, rejected = read_folder(folder, questionnaire, lang)
    if not files:
        details = [f"{r.file} : {r.reason}" for r in rejected]
        raise UserError(
            f"Aucun fichier de réponses utilisable dans {folder} (fichiers {questionnaire.id}-"
            "*.yaml écrits par cyberdiag workshop).",
            f"No usable answers file in {folder} ({questionnaire.id}-*.yaml files written by "
            "cyberdiag workshop).",
            lines=details,
        )
    return build_summary(questionnaire, domain_names, files, rejected, lang)


def build_summary(
    questionnaire: Questionnaire,
    domain_names: dict[str, str],
    files: list[AnswerFile],
    rejected: list[Rejected],
    lang: Lang,
    today: date | None = None,
) -> GroupSummary:
    def t(text: str) -> str:
        return typo(text, lang)

    n = len(files)
    stats: list[QuestionStats] = []
    for number, q in enumerate(questionnaire.questions, start=1):
        chosen = [f.answers[q.id].option for f in files if q.id in f.answers]
        respondents = len(chosen)
        counts = []
        gaps: list[float] = []
        good = dont_know = 0
        for o in q.options:
            c = chosen.count(o.id)
            tone = _tone(q, o)
            counts.append(
                OptionCount(
                    id=o.id,
                    label=t(o.label.get(lang)),
                    tone=tone,
                    count=c,
                    share=round(100.0 * c / respondents, 1) if respondents else 0.0,
                )
            )
            g = gap_of(q, o)
            if g is not None:
                gaps.extend([g] * c)
            good += c if tone == "good" else 0
            dont_know += c if o.kind == "dont_know" else 0
        stats.append(
            QuestionStats(
                number=number,
                id=q.id,
                text=t(q.text.get(lang)),
                domain=domain_names.get(q.domain, q.domain),
                why=t(q.why.get(lang)),
                reflex=t(q.reflex.get(lang) if q.reflex else q.recommendation.action.get(lang)),
                respondents=respondents,
                unanswered=n - respondents,
                counts=counts,
                good=good,
                dont_know=dont_know,
                mean_gap=round(sum(gaps) / len(gaps), 3) if gaps else None,
            )
        )
    ranked = sorted(
        (s for s in stats if s.mean_gap is not None and s.mean_gap > 0),
        key=lambda s: (-(s.mean_gap or 0.0), s.number),
    )
    weakest = ranked[:WEAKEST]
    return GroupSummary(
        lang=lang,
        questionnaire_id=questionnaire.id,
        title=t(questionnaire.title.get(lang)),
        date=format_date(today or date.today(), lang),
        participants=n,
        rejected=rejected,
        questions=stats,
        weakest=weakest,
        talking_points=[t(p) for p in talking_points(stats, weakest, n, lang)],
        small_group=n < MIN_GROUP,
    )


def _people(k: int, n: int, lang: Lang) -> str:
    return tr(f"{k} personne{'s' if k > 1 else ''} sur {n}", f"{k} of {n}", lang)


def _lc(text: str) -> str:
    """Lower-case the first letter (after a colon), unless the word is an acronym."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def talking_points(
    stats: list[QuestionStats], weakest: list[QuestionStats], n: int, lang: Lang
) -> list[str]:
    """Plain sentences for the trainer, built only from counts (never from a person)."""
    points: list[str] = []
    for s in weakest:
        missing = s.respondents - s.good
        verb = "n’ont" if missing > 1 else "n’a"
        points.append(
            tr(
                f"Q{s.number} : {_people(missing, s.respondents, lang)} {verb} pas encore le "
                f"bon réflexe. Raconter pourquoi : {_lc(s.why)}",
                f"Q{s.number}: {_people(missing, s.respondents, lang)} do not have the good "
                f"habit yet. Tell why: {_lc(s.why)}",
                lang,
            )
        )
    unsure = max(stats, key=lambda s: (s.dont_know, -s.number), default=None)
    if unsure is not None and unsure.dont_know > 0:
        points.append(
            tr(
                f"Q{unsure.number} : c’est là que la salle hésite le plus "
                f"({unsure.dont_know} « je ne sais pas » : « {_short(unsure.text, 70)} »). "
                "Demander qui sait où trouver la réponse : ne pas savoir est déjà un sujet de "
                "sensibilisation.",
                f"Q{unsure.number}: this is where the room is least sure "
                f"({unsure.dont_know} “I don't know”: “{_short(unsure.text, 70)}”). Ask who "
                "knows where to find the answer: not knowing is an awareness topic in itself.",
                lang,
            )
        )
    answered = [s for s in stats if s.respondents]
    strongest = max(answered, key=lambda s: (s.good / s.respondents, -s.number), default=None)
    if strongest is not None and strongest.good > 0:
        points.append(
            tr(
                f"Point fort, Q{strongest.number} : "
                f"{_people(strongest.good, strongest.respondents, lang)} "
                f"{'ont' if strongest.good > 1 else 'a'} déjà le bon réflexe "
                f"(« {_short(strongest.text, 70)} »). Le souligner : on part de ce que la salle "
                "fait déjà bien.",
                f"Strength, Q{strongest.number}: "
                f"{_people(strongest.good, strongest.respondents, lang)} already have the good "
                f"habit (“{_short(strongest.text, 70)}”). Say so: start from what the room "
                "already does well.",
                lang,
            )
        )
    return points


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def summary_json(s: GroupSummary) -> dict[str, Any]:
    data = asdict(s)
    return data


def summary_html(s: GroupSummary, *, inline_css: bool) -> str:
    def pick(fr: str, en: str) -> str:
        return typo(tr(fr, en, s.lang), s.lang)

    return render("summary.html.j2", css="summary.css" if inline_css else None, s=s, tr=pick)


def write_summary(s: GroupSummary, out: Path, fmt: str) -> None:
    if fmt == "html":
        write_html(summary_html(s, inline_css=True), out)
    else:
        write_pdf(summary_html(s, inline_css=False), out, "summary.css")
