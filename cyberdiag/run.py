"""`cyberdiag run`: the real self-audit in one command.

questionnaire (resumed if started) → passive checks → optional exposure scan → score → report,
then a clear summary. Every step writes its file as soon as it is done (answers.yaml after each
answer, checks.json, scan.json, diagnostic.json, rapport.pdf / rapport.html, all mode 0600), so a
step that fails never loses the previous ones: the summary says what failed and how to redo only
that step. Everything is validated before the first question (profile, nameservers).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cyberdiag.errors import UserError
from cyberdiag.i18n import Lang, tr
from cyberdiag.models import CheckResult, Diagnostic, Profile, Text

if TYPE_CHECKING:
    from rich.console import Console

@dataclass
class RunOptions:
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


@dataclass
class RunState:
    """What the run produced so far (reported at the end, also after a failure)."""

    files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    diagnostic: Diagnostic | None = None
    answered: int = 0
    questions: int = 0
    stopped: bool = False
    end_of_input: bool = False
    interrupted: bool = False


def nameservers_from(options: list[str]) -> list[str]:
    from cyberdiag.net.dnsclient import nameservers_or_env, parse_nameserver

    servers = nameservers_or_env(options)
    for s in servers:
        parse_nameserver(s)  # UserError with the expected format
    return servers


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


# --------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------


def step_questionnaire(
    opts: RunOptions, profile: Profile, answers_path: Path, console: Console, st: RunState
) -> None:
    from rich.markup import escape

    from cyberdiag.interview import StopInterview, profile_interview

    lang = opts.lang
    interview = profile_interview(profile, "complet", answers_path, console, lang)
    questions, answers = interview.questions, interview.answers
    st.questions = len(questions)
    todo = [q for q in questions if q.id not in answers.answers or q.id in answers.skipped]
    name, where = escape(profile.name), escape(str(answers_path))
    review = escape(
        f"cyberdiag questionnaire --profile {opts.profile} --answers {answers_path} --review"
    )
    if todo:
        console.print(
            tr(
                f"[bold]1. Questionnaire[/] — {len(questions)} questions pour {name}, "
                f"{len(questions) - len(todo)} déjà répondues. Réponses enregistrées au fur et à "
                f"mesure dans {where}.",
                f"[bold]1. Questionnaire[/] — {len(questions)} questions for {name}, "
                f"{len(questions) - len(todo)} already answered. Answers saved as you go in "
                f"{where}.",
                lang,
            )
        )
    try:
        if todo:
            interview.run()
    except StopInterview:
        st.stopped = True
    except EOFError:  # the input ended (a pipe, a closed terminal): saved, not complete
        st.stopped = st.end_of_input = True
    except KeyboardInterrupt:
        st.stopped = st.interrupted = True
    st.files["answers"] = answers_path
    st.answered = sum(1 for q in questions if q.id in interview.answers.answers)
    if not todo:
        console.print(
            tr(
                f"[bold]1. Questionnaire[/] : {st.answered}/{len(questions)} réponses déjà "
                f"enregistrées dans {where}. Pour les modifier : {review}",
                f"[bold]1. Questionnaire[/]: {st.answered}/{len(questions)} answers already "
                f"saved in {where}. To change them: {review}",
                lang,
            )
        )
    elif st.answered < len(questions) and not st.stopped:
        st.notes.append(
            tr(
                f"{len(questions) - st.answered} question(s) passée(s) : elles comptent comme "
                "« non répondues » ; relancez la même commande pour y répondre.",
                f"{len(questions) - st.answered} skipped question(s): they count as "
                "unanswered; run the same command again to answer them.",
                lang,
            )
        )


def step_checks(
    opts: RunOptions, profile: Profile, servers: list[str], console: Console, st: RunState
) -> None:
    from cyberdiag.checks.base import not_tested_all
    from cyberdiag.checks.registry import CHECKS
    from cyberdiag.checks.runner import make_check_run, run_checks, write_check_run

    lang = opts.lang
    if not profile.domains and not profile.official_email:
        st.notes.append(
            tr(
                "Aucun domaine dans le profil : pas de vérification DNS, messagerie ni web.",
                "No domain in the profile: no DNS, e-mail or web check.",
                lang,
            )
        )
        return
    started = datetime.now(UTC)
    if not servers:
        reason = Text(
            fr="aucun serveur DNS indiqué (--nameserver IP)",
            en="no DNS server given (--nameserver IP)",
        )
        results = not_tested_all(list(CHECKS), profile.domains, reason)
        st.notes.append(
            tr(
                "Vérifications non faites : indiquez le résolveur DNS à utiliser avec "
                "--nameserver IP (par exemple celui de votre fournisseur d'accès).",
                "Checks not run: give the DNS resolver to use with --nameserver IP (for "
                "example your Internet provider's).",
                lang,
            )
        )
    else:
        console.print(
            tr(
                f"[bold]2. Vérifications[/] DNS, messagerie et web de "
                f"{', '.join(profile.domains)} (via {', '.join(servers)})…",
                f"[bold]2. Checks[/] DNS, e-mail and web of {', '.join(profile.domains)} "
                f"(through {', '.join(servers)})…",
                lang,
            )
        )
        results = _with_progress(
            lambda progress: run_checks(
                profile.domains,
                nameservers=servers,
                timeout=opts.timeout,
                profile=profile,
                progress=progress,
            ),
            len(CHECKS) * max(1, len(profile.domains)),
            tr("Vérifications", "Checks", lang),
        )
    path = opts.out / "checks.json"
    write_check_run(path, make_check_run(results, nameservers=servers, started_at=started))
    st.files["checks"] = path
    st.checks.extend(results)
    untested = [r for r in results if r.status == "not_tested"]
    if servers and results and len(untested) == len(results):
        st.notes.append(
            tr(
                "Aucune vérification n'a pu être faite (réseau ?) : elles sont notées « non "
                "testé », jamais « échec ». Vérifiez l'accès à Internet et le serveur DNS, puis "
                "relancez.",
                "No check could be carried out (network?): they are recorded as 'not tested', "
                "never 'fail'. Check the Internet access and the DNS server, then run again.",
                lang,
            )
        )


def _with_progress(fn: Any, total: int, label: str) -> list[CheckResult]:
    """Run fn(progress_callback) with a progress bar on a terminal only (stderr)."""
    if not sys.stderr.isatty():
        result: list[CheckResult] = fn(None)
        return result
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)

        def step(_res: CheckResult) -> None:
            bar.update(task, advance=1)

        result = fn(step)
        return result


def step_scan(
    opts: RunOptions, profile: Profile, servers: list[str], console: Console, st: RunState
) -> None:
    import typer

    from cyberdiag.checks import exposure
    from cyberdiag.checks.runner import write_check_run
    from cyberdiag.net.dnsclient import make_resolver

    lang = opts.lang
    if not profile.public_addresses:
        st.notes.append(
            tr(
                "Scan non fait : le profil ne déclare aucune adresse publique (public_addresses).",
                "Scan not run: the profile declares no public address (public_addresses).",
                lang,
            )
        )
        return
    catalogue = exposure.load_port_catalogue()
    ports = exposure.parse_ports(opts.ports, catalogue)
    entries = exposure.declared_scope(profile)
    names = [e.text for e in entries if e.kind == "hostname"]
    if names and not servers:
        st.notes.append(
            tr(
                "Scan non fait : le profil contient des noms ; indiquez --nameserver.",
                "Scan not run: the profile contains names; give --nameserver.",
                lang,
            )
        )
        return
    if not opts.authorized and not _interactive():
        st.notes.append(
            tr(
                "Scan non fait : il exige l'autorisation écrite de la commune. Avec cette "
                "autorisation, relancez avec --scan --authorized. Rien n'a été envoyé.",
                "Scan not run: it requires the municipality's written authorisation. With it, "
                "run again with --scan --authorized. Nothing was sent.",
                lang,
            )
        )
        return
    resolver = make_resolver(servers, opts.timeout) if names else None
    targets = exposure.expand_targets(entries, resolver)
    addresses = [ip for t in targets for ip in t.addresses]
    console.print(
        tr(
            f"[bold]3. Scan d'exposition[/] : {len(addresses)} adresse(s) "
            f"({', '.join(addresses[:5])}{'…' if len(addresses) > 5 else ''}), "
            f"{len(ports)} ports.",
            f"[bold]3. Exposure scan[/]: {len(addresses)} address(es) "
            f"({', '.join(addresses[:5])}{'…' if len(addresses) > 5 else ''}), "
            f"{len(ports)} ports.",
            lang,
        )
    )
    if not opts.authorized:
        answer = typer.prompt(
            tr(
                "Je confirme que la commune m'autorise à scanner ces adresses [o/N]",
                "I confirm that the municipality authorises me to scan these addresses [y/N]",
                lang,
            ),
            default="",
            show_default=False,
            err=True,
        )
        if str(answer).strip().lower() not in ("o", "oui", "y", "yes"):
            st.notes.append(
                tr("Scan annulé : rien n'a été envoyé.", "Scan cancelled: nothing was sent.", lang)
            )
            return
    started = datetime.now(UTC)
    outcome = exposure.run_scan(targets, ports)
    results = exposure.build_results(targets, outcome, catalogue, ports, False)
    run = exposure.make_run(results, outcome, started, servers)
    path = opts.out / "scan.json"
    write_check_run(path, run)
    st.files["scan"] = path
    st.checks.extend(results)
    if outcome.nmap_problem is not None:
        st.notes.append(
            tr(
                f"Scan impossible : {outcome.nmap_problem.fr}. Résultats notés « non testé ».",
                f"Cannot scan: {outcome.nmap_problem.en}. Results recorded as 'not tested'.",
                lang,
            )
        )


def step_score(opts: RunOptions, profile: Profile, answers_path: Path, st: RunState) -> None:
    from cyberdiag.diagnostic import score_and_save
    from cyberdiag.loading import load_answers, load_questionnaire

    questionnaire = load_questionnaire("complet")
    path = opts.out / "diagnostic.json"
    st.diagnostic = score_and_save(
        path,
        questionnaire=questionnaire,
        profile=profile,
        answers=load_answers(answers_path, questionnaire, missing_ok=True),
        checks=st.checks,
    )
    st.files["diagnostic"] = path


def step_report(opts: RunOptions, st: RunState) -> None:
    from cyberdiag.report import write_report

    assert st.diagnostic is not None
    html = opts.out / "rapport.html"
    write_report(st.diagnostic, html, fmt="html", lang=opts.lang)
    st.files["report_html"] = html
    pdf = opts.out / "rapport.pdf"
    write_report(st.diagnostic, pdf, fmt="pdf", lang=opts.lang)
    st.files["report_pdf"] = pdf


# --------------------------------------------------------------------------------------------
# The whole run
# --------------------------------------------------------------------------------------------


def _step(name_fr: str, name_en: str, lang: Lang, st: RunState, fn: Any) -> bool:
    """Run one step; a user error or a crash is recorded and the run goes on."""
    try:
        fn()
    except UserError as exc:
        st.errors.append(tr(f"{name_fr} : ", f"{name_en}: ", lang) + exc.message(lang))
        st.errors.extend("  " + line for line in exc.lines[:5])
        return False
    except (OSError, RuntimeError, ValueError) as exc:
        st.errors.append(tr(f"{name_fr} : ", f"{name_en}: ", lang) + f"{type(exc).__name__}: {exc}")
        return False
    return True


def run_audit(opts: RunOptions, console: Console) -> RunState:
    from cyberdiag.selfaudit import load_profile_file

    lang = opts.lang
    # Everything a user can get wrong is checked before the first question.
    profile = load_profile_file(opts.profile)
    servers = nameservers_from(opts.nameservers)
    if opts.scan:
        from cyberdiag.checks import exposure

        exposure.parse_ports(opts.ports, exposure.load_port_catalogue())
        exposure.declared_scope(profile)
    from cyberdiag.workshop.session import ensure_folder

    ensure_folder(opts.out)
    answers_path = opts.answers or opts.out / "answers.yaml"
    st = RunState()
    step_questionnaire(opts, profile, answers_path, console, st)
    if st.stopped:
        return st
    _step(
        "Vérifications",
        "Checks",
        lang,
        st,
        lambda: step_checks(opts, profile, servers, console, st),
    )
    if opts.scan:
        _step("Scan", "Scan", lang, st, lambda: step_scan(opts, profile, servers, console, st))
    console.print(tr("[bold]4. Calcul du diagnostic[/]", "[bold]4. Scoring[/]", lang))
    if _step("Calcul", "Scoring", lang, st, lambda: step_score(opts, profile, answers_path, st)):
        console.print(
            tr("[bold]5. Rapport[/] PDF et HTML…", "[bold]5. Report[/] PDF and HTML…", lang)
        )
        _step("Rapport", "Report", lang, st, lambda: step_report(opts, st))
    return st


def run_command(opts: RunOptions) -> None:
    """`cyberdiag run`: the steps, then the summary; exit 1 if a step failed (after saving)."""
    import json

    from rich.console import Console

    lang = opts.lang
    console = Console(highlight=False, stderr=opts.json_out)
    st = run_audit(opts, console)
    if st.stopped:
        saved = tr(
            f"{st.answered}/{st.questions} réponses enregistrées dans {st.files.get('answers')}.",
            f"{st.answered}/{st.questions} answers saved in {st.files.get('answers')}.",
            lang,
        )
        if st.end_of_input:
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
        if st.interrupted:
            raise KeyboardInterrupt
        if opts.json_out:
            sys.stdout.write(json.dumps(_json(st), ensure_ascii=False, indent=2) + "\n")
        return
    if opts.json_out:
        sys.stdout.write(json.dumps(_json(st), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_summary(st, console, lang)
    if st.errors:
        raise UserError(
            "une étape n'a pas abouti (les précédentes sont enregistrées) :",
            "a step did not complete (the previous ones are saved):",
            lines=st.errors,
        )
    if not opts.json_out and "report_pdf" in st.files:
        # The last line, never wrapped: the PDF to open.
        print(tr("Rapport PDF : ", "PDF report: ", lang) + str(st.files["report_pdf"]))


def _json(st: RunState) -> dict[str, Any]:
    d = st.diagnostic
    return {
        "answered": st.answered,
        "questions": st.questions,
        "stopped": st.stopped,
        "files": {k: str(v) for k, v in st.files.items()},
        "checks": {s: sum(1 for r in st.checks if r.status == s) for s in _STATUSES},
        "overall": d.overall.model_dump(mode="json") if d else None,
        "notes": st.notes,
        "errors": st.errors,
    }


_STATUSES = ("pass", "warn", "fail", "not_applicable", "not_tested")


def _print_summary(st: RunState, console: Console, lang: Lang) -> None:
    from rich.markup import escape

    from cyberdiag.selfaudit import print_summary

    console.print()
    if st.diagnostic is not None:
        print_summary(st.diagnostic, None)
    if st.checks:
        counts = {s: sum(1 for r in st.checks if r.status == s) for s in _STATUSES}
        words = {
            "pass": ("réussies", "passed"),
            "warn": ("à améliorer", "to improve"),
            "fail": ("en échec", "failed"),
            "not_applicable": ("sans objet", "not applicable"),
            "not_tested": ("non testées", "not tested"),
        }
        parts = [f"{n} {tr(words[s][0], words[s][1], lang)}" for s, n in counts.items() if n]
        console.print(tr("Vérifications : ", "Checks: ", lang) + ", ".join(parts))
    if st.files:
        console.print(
            tr(
                "[bold]Fichiers écrits[/] (droits 0600 : ils décrivent les faiblesses "
                "de la commune) :",
                "[bold]Files written[/] (mode 0600: they map the municipality's weaknesses):",
                lang,
            )
        )
        labels = {
            "answers": ("réponses", "answers"),
            "checks": ("vérifications", "checks"),
            "scan": ("scan", "scan"),
            "diagnostic": ("diagnostic", "diagnostic"),
            "report_html": ("rapport HTML", "HTML report"),
            "report_pdf": ("rapport PDF", "PDF report"),
        }
        for key, path in st.files.items():
            fr, en = labels.get(key, (key, key))
            console.print(tr(f"  {fr} : ", f"  {en}: ", lang) + escape(str(path)))
    for note in st.notes:
        console.print("[yellow]•[/] " + escape(note))
