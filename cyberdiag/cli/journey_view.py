"""The journey on the terminal: `cyberdiag run`, `cyberdiag demo` and `cyberdiag questionnaire`.

The steps themselves are cyberdiag/journey/; this module implements their `Observer` (the step
headings, the progress bars, the scan's confirmation, the questionnaire dialogue) and prints the
summaries. With --json, everything but the JSON goes to stderr.
"""

from __future__ import annotations

import json
import sys
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from rich.console import Console
from rich.text import Text

from cyberdiag.answering import answering
from cyberdiag.checks import exposure
from cyberdiag.cli.interview import StopInterview, profile_interview
from cyberdiag.cli.questionnaire_view import _answered
from cyberdiag.cli.scan_view import confirm, interactive
from cyberdiag.cli.summary import print_summary
from cyberdiag.cli.terminal import (
    Step,
    counts_line,
    err_console,
    out_console,
    outside,
    print_json,
    progress,
)
from cyberdiag.errors import UserError
from cyberdiag.i18n import Lang, current, plural, tr
from cyberdiag.journey.demo import DemoResult, run_demo
from cyberdiag.journey.steps import Answered, Journey, Observer, Outcome, prepare
from cyberdiag.models import CheckResult, Diagnostic, Profile, Status
from cyberdiag.models import Text as Bilingual

FILE_LABELS = {
    "answers": ("réponses", "answers"),
    "checks": ("vérifications", "checks"),
    "scan": ("scan", "scan"),
    "diagnostic": ("diagnostic", "diagnostic"),
    "report_html": ("rapport HTML", "HTML report"),
    "report_pdf": ("rapport PDF", "PDF report"),
}
FILE_NAMES = {"report_html": "rapport.html", "report_pdf": "rapport.pdf"}


def _heading(number: str, fr: str, en: str, lang: Lang) -> Text:
    """« 2. Vérifications » in bold, the start of a step's line."""
    return Text.assemble((f"{number}. " + tr(fr, en, lang), "bold"))


# --------------------------------------------------------------------------------------------
# The questionnaire dialogue (`cyberdiag run` and `cyberdiag questionnaire`)
# --------------------------------------------------------------------------------------------


def ask_questionnaire(
    console: Console,
    lang: Lang,
    profile: Profile,
    answers: Path,
    profile_path: Path,
    *,
    comments: bool = True,
) -> Answered:
    """The run's step 1 with the answers file checked writable and locked (answering.answering)
    for the whole dialogue."""
    with answering(answers):
        return _ask_questionnaire(console, lang, profile, answers, profile_path, comments=comments)


def _ask_questionnaire(
    console: Console,
    lang: Lang,
    profile: Profile,
    answers: Path,
    profile_path: Path,
    *,
    comments: bool = True,
) -> Answered:
    """The run's step 1: ask what is still to answer; Ctrl-C and the end of input stop it."""
    interview = profile_interview(profile, "complet", answers, console, lang, comments=comments)
    questions, saved = interview.questions, interview.answers
    todo = [q for q in questions if q.id not in saved.answers or q.id in saved.skipped]
    where = str(answers)
    if todo:
        console.print(
            _heading("1", "Questionnaire", "Questionnaire", lang)
            + outside(
                tr(
                    f" — {len(questions)} questions pour {profile.name}, "
                    f"{len(questions) - len(todo)} déjà répondues. Réponses enregistrées au fur "
                    f"et à mesure dans {where}.",
                    f" — {len(questions)} questions for {profile.name}, "
                    f"{len(questions) - len(todo)} already answered. Answers saved as you go in "
                    f"{where}.",
                    lang,
                ),
                2000,
            )
        )
    result = Answered(questions=len(questions), answered=0)
    try:
        if todo:
            interview.run()
    except StopInterview:
        result.stopped = True
    except EOFError:  # the input ended (a pipe, a closed terminal): saved, not complete
        result.stopped = result.end_of_input = True
    except KeyboardInterrupt:
        result.stopped = result.interrupted = True
    result.answered = _answered(interview)
    if not todo:
        review = f"cyberdiag questionnaire --profile {profile_path} --answers {where} --review"
        console.print(
            _heading("1", "Questionnaire", "Questionnaire", lang)
            + tr(
                f" : {result.answered}/{len(questions)} réponses déjà enregistrées dans {where}. "
                f"Pour les modifier : {review}",
                f": {result.answered}/{len(questions)} answers already saved in {where}. To "
                f"change them: {review}",
                lang,
            )
        )
    return result


# --------------------------------------------------------------------------------------------
# cyberdiag run
# --------------------------------------------------------------------------------------------


@dataclass
class RunOptions:
    """The options of `cyberdiag run`."""

    profile: Path
    answers: Path | None
    nameservers: list[str]
    scan: bool
    authorized: bool
    out: Path
    lang: Lang
    timeout: float = 5.0
    ports: str = "risky"
    json_out: bool = False
    comments: bool = True  # False: --no-comments


class RunView(Observer):
    """The steps of `cyberdiag run` as numbered headings, bars on a terminal, the confirmation."""

    def __init__(
        self, console: Console, lang: Lang, profile_path: Path, *, comments: bool = True
    ) -> None:
        self.console, self.lang, self.profile_path = console, lang, profile_path
        self.interactive = interactive()
        self.comments = comments

    def questionnaire(self, profile: Profile, answers: Path) -> Answered:
        return ask_questionnaire(
            self.console, self.lang, profile, answers, self.profile_path, comments=self.comments
        )

    def checks_started(self, domains: list[str], nameservers: list[str]) -> None:
        names, servers = ", ".join(domains), ", ".join(nameservers)
        self.console.print(
            _heading("2", "Vérifications", "Checks", self.lang)
            + outside(
                tr(
                    f" DNS, messagerie et web de {names} (via {servers})…",
                    f" DNS, e-mail and web of {names} (through {servers})…",
                    self.lang,
                )
            )
        )

    def scan_planned(self, plan: exposure.ScanPlan) -> None:
        addresses = [ip for t in plan.targets for ip in t.addresses]
        shown = ", ".join(addresses[:5]) + ("…" if len(addresses) > 5 else "")
        n, ports = len(addresses), len(plan.scope.ports)
        self.console.print(
            _heading("3", "Scan d'exposition", "Exposure scan", self.lang)
            + tr(
                f" : {plural(n, 'adresse', 'adresses', 'fr')} ({shown}), "
                f"{plural(ports, 'port', 'ports', 'fr')}.",
                f": {plural(n, 'address', 'addresses', 'en')} ({shown}), "
                f"{plural(ports, 'port', 'ports', 'en')}.",
                self.lang,
            )
        )

    def confirm(self, question: str) -> bool:
        return confirm(question)

    def scoring(self) -> None:
        self.console.print(_heading("4", "Calcul du diagnostic", "Scoring", self.lang))

    def reporting(self) -> None:
        self.console.print(
            _heading("5", "Rapport", "Report", self.lang)
            + tr(" PDF et HTML…", " PDF and HTML…", self.lang)
        )

    def progress(self, label: str, total: int) -> AbstractContextManager[Step | None]:
        return progress(label, total)


def run_command(opts: RunOptions) -> None:
    """`cyberdiag run`: the steps, then the summary; exit 1 if a step failed (after saving)."""
    lang = opts.lang
    console = err_console() if opts.json_out else out_console()
    settings = prepare(
        opts.profile,
        out=opts.out,
        answers=opts.answers,
        nameservers=opts.nameservers,
        lang=lang,
        timeout=opts.timeout,
        scan_ports=opts.ports if opts.scan else None,
        authorised=opts.authorized,
    )
    view = RunView(console, lang, opts.profile, comments=opts.comments)
    if opts.answers is None and settings.answers.exists():
        console.print(
            outside(
                tr(
                    f"Réponses reprises de {settings.answers} (pour repartir de zéro : "
                    "--answers NOUVEAU.yaml).",
                    f"Answers resumed from {settings.answers} (to start afresh: --answers "
                    "NEW.yaml).",
                    lang,
                ),
                2000,
            )
        )
    outcome = Journey(settings, view).run()
    if outcome.stopped:
        _stopped(outcome, lang)
    elif not opts.json_out:
        _print_run_summary(outcome, console, lang)
    if opts.json_out:
        print_json(json.dumps(_run_json(outcome), ensure_ascii=False, indent=2))
    if outcome.failures:
        raise UserError(
            "une étape n'a pas abouti (les précédentes sont enregistrées) :",
            "a step did not complete (the previous ones are saved):",
            lines=outcome.errors(lang),
        )
    if not opts.json_out and "report_pdf" in outcome.files:
        # The last line, never wrapped: the PDF to open.
        print(tr("Rapport PDF : ", "PDF report: ", lang) + str(outcome.files["report_pdf"]))


def _stopped(outcome: Outcome, lang: Lang) -> None:
    """The questionnaire was left: say what was saved; the end of input is an error, Ctrl-C 130."""
    saved = tr(
        f"{outcome.answered}/{outcome.questions} réponses enregistrées dans "
        f"{outcome.files.get('answers')}.",
        f"{outcome.answered}/{outcome.questions} answers saved in {outcome.files.get('answers')}.",
        lang,
    )
    if outcome.end_of_input:
        raise UserError(
            f"le questionnaire attend des réponses mais l'entrée est terminée. {saved} "
            "Lancez la commande dans un terminal pour répondre aux questions restantes.",
            f"the questionnaire expects answers but the input ended. {saved} Run the "
            "command in a terminal to answer the remaining questions.",
        )
    sys.stderr.write(
        "\n"
        + saved
        + tr(
            " Relancez la même commande pour reprendre.\n",
            " Run the same command again to resume.\n",
            lang,
        )
    )
    if outcome.interrupted:
        raise KeyboardInterrupt


def _run_json(outcome: Outcome) -> dict[str, Any]:
    d = outcome.diagnostic
    return {
        "answered": outcome.answered,
        "questions": outcome.questions,
        "stopped": outcome.stopped,
        "files": {k: str(v) for k, v in outcome.files.items()},
        "checks": {s: sum(1 for r in outcome.checks if r.status == s) for s in get_args(Status)},
        "overall": d.overall.model_dump(mode="json") if d else None,
        "notes": outcome.notes,
        "errors": outcome.errors(current()),
    }


def _print_run_summary(outcome: Outcome, console: Console, lang: Lang) -> None:
    """The diagnostic's summary, the check counts, the files written and the notes."""
    console.print()
    if outcome.diagnostic is not None:
        print_summary(outcome.diagnostic, None)
    if outcome.checks:
        counts = counts_line([r.status for r in outcome.checks], lang)
        console.print(tr("Vérifications : ", "Checks: ", lang) + counts, markup=False)
    if outcome.files:
        console.print(
            Text.assemble((tr("Fichiers écrits", "Files written", lang), "bold"))
            + tr(
                " (droits 0600 : ils décrivent les faiblesses de la commune) :",
                " (mode 0600: they map the municipality's weaknesses):",
                lang,
            )
        )
        for key, path in outcome.files.items():
            fr, en = FILE_LABELS.get(key, (key, key))
            console.print(Text(tr(f"  {fr} : ", f"  {en}: ", lang)) + outside(str(path), 4096))
    for note in outcome.notes:
        console.print(Text.assemble(("•", "yellow"), " ", outside(note, 2000)))


# --------------------------------------------------------------------------------------------
# cyberdiag demo
# --------------------------------------------------------------------------------------------


class DemoView(Observer):
    """The demo's steps as bullet points: what was copied, started, found, scored, stopped."""

    def __init__(self, console: Console, lang: Lang) -> None:
        self.console, self.lang = console, lang

    def say(self, text: str) -> None:
        self.console.print(Text("  • ") + outside(text, 2000))

    def checks_skipped(self, reason: Bilingual) -> None:
        self.say(
            tr(
                f"Vérifications non testées : {reason.fr}.",
                f"Checks not tested: {reason.en}.",
                self.lang,
            )
        )

    def checks_done(self, results: list[CheckResult]) -> None:
        self._counts(tr("Vérifications passives", "Passive checks", self.lang), results)

    def scan_done(self, results: list[CheckResult], plan: exposure.ScanPlan | None) -> None:
        label = tr("Scan d'exposition", "Exposure scan", self.lang)
        if plan is not None and plan.targets:
            label += f" ({plan.targets[0].label}, ports {exposure.port_spec(plan.scope.ports)})"
        self._counts(label, results)

    def scored(self, diagnostic: Diagnostic, path: Path) -> None:
        o = diagnostic.overall
        level = {lv.id: lv.name.get(self.lang) for lv in diagnostic.levels}.get(o.level, "")
        score = "—" if o.score is None else f"{o.score:.0f}/100"
        n = len(diagnostic.findings)
        self.say(
            tr(
                f"Diagnostic calculé : niveau {o.level} « {level} », score {score}, "
                f"{n} actions ({path}).",
                f"Diagnostic scored: level {o.level} “{level}”, score {score}, "
                f"{n} actions ({path}).",
                self.lang,
            )
        )

    def progress(self, label: str, total: int) -> AbstractContextManager[Step | None]:
        return progress(label, total)

    def _counts(self, label: str, results: list[CheckResult]) -> None:
        sep = " : " if self.lang == "fr" else ": "
        self.say(label + sep + counts_line([r.status for r in results], self.lang))


def demo_command(out: Path, lang: Lang, *, scan: bool, use_lab: bool, json_out: bool) -> None:
    """`cyberdiag demo`: steps on stderr with --json, the JSON or the PDF path on stdout."""
    console = err_console() if json_out else out_console()
    console.print(
        Text.assemble((tr("Démonstration de cyberdiag", "cyberdiag demonstration", lang), "bold"))
        + tr(
            " — commune fictive, rien n'est envoyé sur Internet.",
            " — fictional municipality, nothing is sent to the Internet.",
            lang,
        )
    )
    result = run_demo(out, lang, DemoView(console, lang), scan=scan, use_lab=use_lab)
    files = result.outcome.files
    if json_out:
        print_json(json.dumps(_demo_json(result, lang), ensure_ascii=False, indent=2))
    else:
        names = ["municipality.yaml"] + [FILE_NAMES.get(k, p.name) for k, p in files.items()]
        console.print(
            tr(
                f"\nTerminé en {result.duration:.0f} s. Fichiers dans {out} : "
                f"{', '.join(names)}.\nPour votre commune : cyberdiag init, puis cyberdiag run "
                "--profile municipality.yaml",
                f"\nDone in {result.duration:.0f} s. Files in {out}: "
                f"{', '.join(names)}.\nFor your municipality: cyberdiag init, then cyberdiag run "
                "--profile municipality.yaml",
                lang,
            ),
            markup=False,
        )
    _demo_failures(result)
    if not json_out and "report_pdf" in files:
        # The last line: the PDF to open.
        print(tr("Rapport PDF : ", "PDF report: ", lang) + str(files["report_pdf"].resolve()))


def _demo_failures(result: DemoResult) -> None:
    """UserError for a step that did not complete (the PDF alone: the HTML report remains)."""
    outcome = result.outcome
    if not outcome.failures:
        return
    html = outcome.files.get("report_html")
    if html is not None and all(f.step.en == "Report" for f in outcome.failures):
        errors = "; ".join(f.message.get(current()) for f in outcome.failures)
        raise UserError(
            f"rapport PDF impossible : {errors} (le rapport HTML est dans {html})",
            f"cannot write the PDF report: {errors} (the HTML report is in {html})",
        )
    raise UserError(
        "une étape n'a pas abouti (les précédentes sont enregistrées) :",
        "a step did not complete (the previous ones are saved):",
        lines=outcome.errors(current()),
    )


def _demo_json(result: DemoResult, lang: Lang) -> dict[str, Any]:
    files = result.outcome.files
    counts: dict[str, int] = {}
    for r in result.outcome.checks:
        counts[r.status] = counts.get(r.status, 0) + 1

    def path(key: str) -> str | None:
        return str(files[key]) if key in files else None

    return {
        "out": str(result.out),
        "profile": str(result.profile),
        "answers": path("answers"),
        "checks": path("checks"),
        "scan": path("scan"),
        "diagnostic": path("diagnostic"),
        "report_pdf": path("report_pdf"),
        "report_html": path("report_html"),
        "lab_used": result.lab_used,
        "lab_reason": result.lab_reason.get(lang) if result.lab_reason else None,
        "results": counts,
        "seconds": result.duration,
        "errors": [f.message.get(lang) for f in result.outcome.failures],
    }
