"""The self-audit steps in order: answers → checks → scan → score → report, each saved at once.

Every step writes its file as soon as it is done (answers.yaml after each answer, checks.json,
scan.json, diagnostic.json, rapport.html / rapport.pdf, all mode 0600), so a step that fails never
loses the previous ones: the failure is recorded and the journey goes on. Everything a user can
get wrong is validated by `prepare` before the first question. The journey tells what happens and
asks for the scan authorisation through an `Observer` (the terminal's is in cyberdiag/cli/).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cyberdiag.checks import exposure
from cyberdiag.checks.base import not_tested_all
from cyberdiag.checks.registry import CHECKS
from cyberdiag.checks.runner import make_check_run, run_checks, write_check_run
from cyberdiag.diagnostic import score_and_save
from cyberdiag.errors import UserError
from cyberdiag.fileio import ensure_folder
from cyberdiag.i18n import Lang, one_or_many, tr
from cyberdiag.journey.files import load_profile_file
from cyberdiag.loading import load_answers, load_questionnaire
from cyberdiag.models import CheckResult, CheckRun, Diagnostic, Profile, Text
from cyberdiag.net.dnsclient import (
    SOURCE_SYSTEM,
    choose_nameservers,
    nameservers_or_env,
    parse_nameserver,
    resolver_label,
)
from cyberdiag.report import write_report

Step = Callable[[str, int], None]
"""A progress callback: (label of what was just done, number of steps it stands for)."""

NO_NAMESERVER = Text(
    fr="aucun serveur DNS : ce poste n'a pas de résolveur configuré (--nameserver IP)",
    en="no DNS server: this computer has no resolver configured (--nameserver IP)",
)


@dataclass
class Answered:
    """What the questionnaire step left in the answers file."""

    questions: int
    answered: int
    stopped: bool = False  # "q", the end of the input or Ctrl-C: saved, not complete
    end_of_input: bool = False
    interrupted: bool = False


class Observer:
    """What the journey tells and asks on the way (pip-audit's AuditState); silent by default.

    `interactive` says whether `confirm` can ask someone; without it, a scan needs the written
    authorisation given beforehand (`Settings.authorised`).
    """

    interactive: bool = False

    def questionnaire(self, profile: Profile, answers: Path) -> Answered | None:
        """Ask the questions still to answer; None: the answers file is used as it is."""
        return None

    def checks_started(self, domains: list[str], nameservers: list[str]) -> None:
        """The passive checks start (through these nameservers)."""

    def checks_skipped(self, reason: Text) -> None:
        """The checks cannot be run: they are recorded `not_tested` with this reason."""

    def checks_done(self, results: list[CheckResult]) -> None:
        """checks.json is written."""

    def scan_planned(self, plan: exposure.ScanPlan) -> None:
        """The addresses and ports about to be scanned (before the authorisation is asked)."""

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question; only an explicit yes counts."""
        return False

    def scan_done(self, results: list[CheckResult], plan: exposure.ScanPlan | None) -> None:
        """scan.json is written (`plan` is None when the scan could not be run at all)."""

    def scoring(self) -> None:
        """The diagnostic is being computed."""

    def scored(self, diagnostic: Diagnostic, path: Path) -> None:
        """diagnostic.json is written."""

    def reporting(self) -> None:
        """The reports are being written."""

    def say(self, text: str) -> None:
        """A line of news that needs no action (the demo's lab started or stopped)."""

    def progress(self, label: str, total: int) -> contextlib.AbstractContextManager[Step | None]:
        """A progress display for `total` steps; yields the callback to advance it, or None."""
        return contextlib.nullcontext(None)


@dataclass
class Settings:
    """What one journey needs, validated (see `prepare`)."""

    profile: Profile
    out: Path
    answers: Path
    lang: Lang
    nameservers: list[str] = field(default_factory=list)
    timeout: float = 5.0
    scan: exposure.ScanScope | None = None  # None: no scan asked
    # Where the nameservers come from ("option", "env", "system": the computer's resolver).
    nameserver_source: str = ""
    authorised: bool = False  # the municipality's written authorisation for the scan is held
    offline: Text | None = None  # why nothing may be sent: checks and scan are `not_tested`
    questionnaire: str = "complet"


@dataclass
class Failure:
    """A step that did not complete: its name and the error, both languages."""

    step: Text
    message: Text
    lines: list[str] = field(default_factory=list)

    def line(self, lang: Lang) -> str:
        return tr(f"{self.step.fr} : ", f"{self.step.en}: ", lang) + self.message.get(lang)


@dataclass
class Outcome:
    """What the journey produced so far (reported at the end, also after a failure)."""

    files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    diagnostic: Diagnostic | None = None
    answered: int = 0
    questions: int = 0
    stopped: bool = False
    end_of_input: bool = False
    interrupted: bool = False

    def errors(self, lang: Lang) -> list[str]:
        """The failures as lines: the step and the error, then at most 5 details, indented."""
        out: list[str] = []
        for f in self.failures:
            out.append(f.line(lang))
            out.extend("  " + line for line in f.lines[:5])
        return out


def nameservers_from(options: list[str]) -> list[str]:
    """The nameservers given (or CYBERDIAG_NAMESERVER), each checked: UserError otherwise."""
    servers = nameservers_or_env(options)
    for s in servers:
        parse_nameserver(s)  # UserError with the expected format
    return servers


def choose_servers(options: list[str]) -> tuple[list[str], str]:
    """(nameservers, source): those given, else CYBERDIAG_NAMESERVER, else the computer's own
    resolver; each checked (UserError otherwise)."""
    servers, source = choose_nameservers(options)
    for s in servers:
        parse_nameserver(s)  # UserError with the expected format
    return servers, source


def default_answers(profile_path: Path, out: Path) -> Path:
    """Where the run's answers go when --answers is not given: answers.yaml in the results
    folder if it exists, else the answers.yaml beside the profile if that one exists (a
    questionnaire already started with `cyberdiag questionnaire` is resumed, not restarted),
    else a new answers.yaml in the results folder."""
    in_out, beside = out / "answers.yaml", profile_path.parent / "answers.yaml"
    if not in_out.exists() and beside.is_file():
        return beside
    return in_out


def prepare(
    profile_path: Path,
    *,
    out: Path,
    answers: Path | None,
    nameservers: list[str],
    lang: Lang,
    timeout: float = 5.0,
    scan_ports: str | None = None,
    authorised: bool = False,
) -> Settings:
    """Check everything a user can get wrong, before the first question; create `out`."""
    profile = load_profile_file(profile_path)
    servers, source = choose_servers(nameservers)
    scope = exposure.scan_scope(profile, scan_ports) if scan_ports is not None else None
    ensure_folder(out)
    return Settings(
        profile=profile,
        out=out,
        answers=answers or default_answers(profile_path, out),
        lang=lang,
        nameservers=servers,
        nameserver_source=source,
        timeout=timeout,
        scan=scope,
        authorised=authorised,
    )


class Journey:
    """One self-audit: call `run()` for every step in order, or the steps one by one."""

    def __init__(self, settings: Settings, observer: Observer | None = None) -> None:
        self.settings = settings
        self.observer = observer or Observer()
        self.outcome = Outcome()

    def run(self) -> Outcome:
        """Every step in order; stops after the questionnaire if it was not finished."""
        if not self.questionnaire():
            return self.outcome
        self.checks()
        if self.settings.scan is not None:
            self.scan()
        if self.score():
            self.report()
        return self.outcome

    # ---- the steps: each returns whether it completed ---------------------------------------

    def questionnaire(self) -> bool:
        """Ask the questions still to answer (answers saved one by one); False if stopped."""
        s, out = self.settings, self.outcome
        answered = self.observer.questionnaire(s.profile, s.answers)
        out.files["answers"] = s.answers
        if answered is None:
            return True
        out.questions, out.answered = answered.questions, answered.answered
        out.stopped, out.end_of_input = answered.stopped, answered.end_of_input
        out.interrupted = answered.interrupted
        if answered.answered < answered.questions and not answered.stopped:
            n = answered.questions - answered.answered
            self._note(
                one_or_many(n, "1 question passée : elle compte comme « non répondue » ; ",
                            f"{n} questions passées : elles comptent comme « non répondues » ; ")
                + "relancez la même commande pour y répondre.",
                one_or_many(n, "1 skipped question: it counts as unanswered; run the same "
                            "command again to answer it.",
                            f"{n} skipped questions: they count as unanswered; run the same "
                            "command again to answer them."),
            )
        return not answered.stopped

    def checks(self) -> bool:
        """DNS, e-mail and web checks of the profile's domains → checks.json."""
        return self._guarded(Text(fr="Vérifications", en="Checks"), self._checks)

    def scan(self) -> bool:
        """The exposure scan of the declared public addresses, if authorised → scan.json."""
        return self._guarded(Text(fr="Scan", en="Scan"), self._scan)

    def score(self) -> bool:
        """Answers and results against the grid → diagnostic.json."""
        self.observer.scoring()
        return self._guarded(Text(fr="Calcul", en="Scoring"), self._score)

    def report(self) -> bool:
        """The diagnostic's report → rapport.html, then rapport.pdf."""
        if self.outcome.diagnostic is None:
            return False
        self.observer.reporting()
        return self._guarded(Text(fr="Rapport", en="Report"), self._report)

    # ---- how ---------------------------------------------------------------------------------

    def _guarded(self, step: Text, fn: Callable[[], None]) -> bool:
        """Run one step; a user error or a crash is recorded and the journey goes on."""
        try:
            fn()
        except UserError as exc:
            details = [line for line in exc.lines if line not in (exc.fr, exc.en)]
            self.outcome.failures.append(Failure(step, Text(fr=exc.fr, en=exc.en), details))
            return False
        except (OSError, RuntimeError, ValueError) as exc:
            text = f"{type(exc).__name__}: {exc}"
            self.outcome.failures.append(Failure(step, Text(fr=text, en=text)))
            return False
        return True

    def _note(self, fr: str, en: str) -> None:
        self.outcome.notes.append(tr(fr, en, self.settings.lang))

    def _checks(self) -> None:
        s, profile = self.settings, self.settings.profile
        if not profile.domains and not profile.official_email:
            self._note(
                "Aucun domaine dans le profil : pas de vérification DNS, messagerie ni web.",
                "No domain in the profile: no DNS, e-mail or web check.",
            )
            return
        started = datetime.now(UTC)
        reason = s.offline or (None if s.nameservers else NO_NAMESERVER)
        if reason is not None:
            self.observer.checks_skipped(reason)
            results = not_tested_all(list(CHECKS), profile.domains, reason)
            if s.offline is None:
                self._note(
                    "Vérifications non faites : indiquez le résolveur DNS à utiliser avec "
                    "--nameserver IP (par exemple celui de votre fournisseur d'accès).",
                    "Checks not run: give the DNS resolver to use with --nameserver IP (for "
                    "example your Internet provider's).",
                )
        else:
            results = self._run_checks()
        path = s.out / "checks.json"
        run = make_check_run(results, nameservers=s.nameservers, started_at=started,
                             nameserver_source=s.nameserver_source)
        write_check_run(path, run)
        self.outcome.files["checks"] = path
        self.outcome.checks.extend(results)
        self.observer.checks_done(results)
        if reason is None and results and all(r.status == "not_tested" for r in results):
            self._note(
                "Aucune vérification n'a pu être faite (réseau ?) : elles sont notées « non "
                "testé », jamais « échec ». Vérifiez l'accès à Internet et le serveur DNS, puis "
                "relancez.",
                "No check could be carried out (network?): they are recorded as 'not tested', "
                "never 'fail'. Check the Internet access and the DNS server, then run again.",
            )

    def _run_checks(self) -> list[CheckResult]:
        s, profile = self.settings, self.settings.profile
        self.observer.checks_started(profile.domains, s.nameservers)
        if s.nameserver_source == SOURCE_SYSTEM:
            label = resolver_label(s.nameservers, s.nameserver_source, s.lang)
            self._note(
                f"Avec le {label} (pour un audit reproductible : --nameserver IP).",
                f"Through the {label} (for a reproducible audit: --nameserver IP).",
            )
        total = len(CHECKS) * max(1, len(profile.domains))
        with self.observer.progress(tr("Vérifications", "Checks", s.lang), total) as step:
            return run_checks(
                profile.domains,
                nameservers=s.nameservers,
                timeout=s.timeout,
                profile=profile,
                progress=None if step is None else _each_result(step),
            )

    def _scan(self) -> None:
        s = self.settings
        if s.offline is not None:
            self._save_scan(exposure.not_tested_run(s.profile.public_addresses, s.offline), None)
            return
        plan = self._plan()
        if plan is None:
            return
        with self.observer.progress(tr("Scan", "Scan", s.lang), len(plan.addresses)) as step:
            run, outcome = exposure.execute(plan, authorised=True, on_progress=step)
        self._save_scan(run, plan)
        if outcome.nmap_problem is not None:
            self._note(
                f"Scan impossible : {outcome.nmap_problem.fr}. Résultats notés « non testé ».",
                f"Cannot scan: {outcome.nmap_problem.en}. Results recorded as 'not tested'.",
            )

    def _plan(self) -> exposure.ScanPlan | None:
        """The scan plan once authorised, or None with a note saying why nothing was sent."""
        s = self.settings
        if not s.profile.public_addresses:
            self._note(
                "Scan non fait : le profil ne déclare aucune adresse publique (public_addresses).",
                "Scan not run: the profile declares no public address (public_addresses).",
            )
            return None
        scope = s.scan or exposure.scan_scope(s.profile)
        if scope.names and not s.nameservers:
            self._note(
                "Scan non fait : le profil contient des noms ; indiquez --nameserver.",
                "Scan not run: the profile contains names; give --nameserver.",
            )
            return None
        if not s.authorised and not self.observer.interactive:
            self._note(
                "Scan non fait : il exige l'autorisation écrite de la commune. Avec cette "
                "autorisation, relancez avec --scan --authorized. Rien n'a été envoyé.",
                "Scan not run: it requires the municipality's written authorisation. With it, "
                "run again with --scan --authorized. Nothing was sent.",
            )
            return None
        plan = exposure.plan_scan(scope, s.nameservers, s.timeout)
        self.observer.scan_planned(plan)
        question = tr(
            "Je confirme que la commune m'autorise à scanner ces adresses [o/N]",
            "I confirm that the municipality authorises me to scan these addresses [y/N]",
            s.lang,
        )
        if not s.authorised and not self.observer.confirm(question):
            self._note("Scan annulé : rien n'a été envoyé.", "Scan cancelled: nothing was sent.")
            return None
        return plan

    def _save_scan(self, run: CheckRun, plan: exposure.ScanPlan | None) -> None:
        path = self.settings.out / "scan.json"
        write_check_run(path, run)
        self.outcome.files["scan"] = path
        self.outcome.checks.extend(run.results)
        self.observer.scan_done(list(run.results), plan)

    def _score(self) -> None:
        s = self.settings
        path = s.out / "diagnostic.json"
        self.outcome.diagnostic = score_answers(
            path,
            s.profile,
            s.answers,
            self.outcome.checks,
            s.questionnaire,
            nameservers=s.nameservers if s.offline is None else [],
            nameserver_source=s.nameserver_source,
        )
        self.outcome.files["diagnostic"] = path
        self.observer.scored(self.outcome.diagnostic, path)

    def _report(self) -> None:
        s, diagnostic = self.settings, self.outcome.diagnostic
        assert diagnostic is not None
        for key, path in write_reports(diagnostic, s.out, s.lang):
            self.outcome.files[key] = path


def _each_result(step: Step) -> Callable[[CheckResult], None]:
    def advance(result: CheckResult) -> None:
        step(f"{result.id} {result.target}", 1)

    return advance


def score_answers(
    path: Path,
    profile: Profile,
    answers: Path,
    checks: list[CheckResult],
    questionnaire: str = "complet",
    *,
    nameservers: list[str] | None = None,
    nameserver_source: str = "",
) -> Diagnostic:
    """Score a profile, its answers file (missing: nothing answered) and results; save (0600)."""
    q = load_questionnaire(questionnaire)
    return score_and_save(
        path,
        questionnaire=q,
        profile=profile,
        answers=load_answers(answers, q, missing_ok=True),
        checks=checks,
        nameservers=nameservers,
        nameserver_source=nameserver_source,
    )


def write_reports(diagnostic: Diagnostic, out: Path, lang: Lang) -> Iterator[tuple[str, Path]]:
    """Write rapport.html then rapport.pdf in `out`; yields each file once written."""
    html = out / "rapport.html"
    write_report(diagnostic, html, fmt="html", lang=lang)
    yield "report_html", html
    pdf = out / "rapport.pdf"
    write_report(diagnostic, pdf, fmt="pdf", lang=lang)
    yield "report_pdf", pdf
