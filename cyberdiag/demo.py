"""`cyberdiag demo`: the whole journey on the fictional municipality Ville-Exemple, in one command.

1. copy the bundled profile and answers (examples/ville-exemple/) into the output folder;
2. start the local lab (real NSD, unbound, SMTP and nginx servers on 127.x addresses) when this
   machine can run it (root, nsd and unbound installed); otherwise every check is recorded as
   `not_tested` with the reason — the demo never contacts the Internet;
3. run the passive checks against the lab's resolver (the demo profile's domain, DKIM selector
   and public address are the lab's own), then the exposure scan of the lab's web address on
   the ports the lab itself opened (80, 443);
4. score, write diagnostic.json and the report (PDF and HTML), stop the lab, print the PDF path.

Every file is written in the output folder with mode 0600 except the profile (0644): a real
diagnostic maps a municipality's weaknesses.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from cyberdiag.fileio import write_private
from cyberdiag.i18n import Lang, tr
from cyberdiag.models import CheckResult, CheckRun, Profile, Text
from cyberdiag.resources import data_dir

if TYPE_CHECKING:
    from cyberdiag.lab.manager import LabInfo

DEMO_DOMAIN = "ville-exemple.test"
# What the lab opens on a municipality's web address (nginx): the only ports the demo scans.
LAB_WEB_PORTS = "80,443"
CHECK_TIMEOUT = 2.0
LAB_DOWN = Text(fr="laboratoire local indisponible", en="local lab unavailable")

Say = Callable[[str], None]


@dataclass
class DemoResult:
    out: Path
    profile: Path
    answers: Path
    checks: Path
    scan: Path | None
    diagnostic: Path
    report_pdf: Path | None
    report_html: Path | None
    lab_used: bool
    lab_reason: Text | None
    counts: dict[str, int] = field(default_factory=dict)
    duration: float = 0.0
    errors: list[str] = field(default_factory=list)


def example_dir() -> Path:
    return data_dir("examples") / "ville-exemple"


def lab_unavailable() -> Text | None:
    """Why the local lab cannot run on this machine, or None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return Text(
            fr="le laboratoire local doit être lancé en root (ports 53, 25, 80 et 443 sur "
            "127.x) : relancer la démonstration avec sudo pour des vérifications réelles",
            en="the local lab must run as root (ports 53, 25, 80 and 443 on 127.x): run the "
            "demo again with sudo for real checks",
        )
    for tool in ("nsd", "unbound"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            return Text(
                fr=f"le laboratoire local a besoin de {tool}, qui n'est pas installé "
                "(make demo l'installe)",
                en=f"the local lab needs {tool}, which is not installed (make demo installs it)",
            )
    return None


def nginx_installed() -> bool:
    return shutil.which("nginx") is not None or Path("/usr/sbin/nginx").exists()


@contextlib.contextmanager
def running_lab(say: Say, lang: Lang) -> Iterator[tuple[LabInfo | None, Text | None]]:
    """Start the lab in a temporary folder (or say why not); always stopped on exit."""
    reason = lab_unavailable()
    if reason is not None:
        yield None, reason
        return
    from cyberdiag.errors import UserError
    from cyberdiag.lab.manager import start_lab, stop_lab

    directory = Path(tempfile.mkdtemp(prefix="cyberdiag-demo-lab-"))
    t0 = time.perf_counter()
    try:
        try:
            lab = start_lab(directory, web=nginx_installed())
        except UserError as exc:
            yield None, Text(fr=exc.fr, en=exc.en)
            return
        servers = "NSD, unbound, SMTP" + (", nginx" if nginx_installed() else "")
        secs = f"{time.perf_counter() - t0:.1f}"
        say(
            tr(
                f"Laboratoire local démarré ({servers}) en {secs.replace('.', ',')} s.",
                f"Local lab started ({servers}) in {secs} s.",
                lang,
            )
        )
        old = os.environ.get("SSL_CERT_FILE")
        # The lab's private CA is trusted the way users trust one: the standard variable.
        os.environ["SSL_CERT_FILE"] = str(lab.ca_file)
        try:
            yield lab, None
        finally:
            if old is None:
                os.environ.pop("SSL_CERT_FILE", None)
            else:
                os.environ["SSL_CERT_FILE"] = old
    finally:
        stopped = stop_lab(directory)
        shutil.rmtree(directory, ignore_errors=True)
        if stopped:
            say(tr("Laboratoire local arrêté.", "Local lab stopped.", lang))


def demo_profile(profile: Profile, lab: LabInfo | None) -> Profile:
    """The example profile, pointed at the lab's servers when the lab runs."""
    if lab is None or DEMO_DOMAIN not in lab.domains:
        return profile
    m = lab.municipality(DEMO_DOMAIN)
    return profile.model_copy(
        update={
            "domains": [DEMO_DOMAIN],
            "dkim_selectors": list(m.dkim) or profile.dkim_selectors,
            "public_addresses": [lab.ip(DEMO_DOMAIN, 1)],
            "official_email": m.official_email or profile.official_email,
        }
    )


def write_profile(path: Path, profile: Profile, lab_used: bool) -> None:
    header = (
        "# Profil de démonstration de cyberdiag (commune fictive), copié de "
        "examples/ville-exemple/municipality.yaml.\n"
        "# Demo profile of cyberdiag (fictional municipality).\n"
    )
    if lab_used:
        header += (
            "# Domaine, sélecteur DKIM et adresse publique : ceux du laboratoire local.\n"
            "# Domain, DKIM selector and public address: the local lab's.\n"
        )
    body = yaml.safe_dump(
        profile.model_dump(mode="json", exclude_defaults=True),
        allow_unicode=True,
        sort_keys=False,
    )
    write_private(path, header + body, mode=0o644)


def passive_check_ids() -> list[str]:
    from cyberdiag.checks.registry import CHECKS

    return list(CHECKS)


def run_passive_checks(
    profile: Profile, lab: LabInfo | None, reason: Text | None
) -> tuple[list[CheckResult], list[str]]:
    """The checks against the lab's resolver; without the lab, `not_tested` with the reason."""
    from cyberdiag.checks.base import not_tested_all
    from cyberdiag.checks.runner import run_checks

    if lab is None:
        why = reason or LAB_DOWN
        return not_tested_all(passive_check_ids(), profile.domains, why), []
    nameservers = [lab.nameserver]
    return (
        run_checks(
            profile.domains, nameservers=nameservers, timeout=CHECK_TIMEOUT, profile=profile
        ),
        nameservers,
    )


def run_lab_scan(profile: Profile, lab: LabInfo | None, reason: Text | None) -> CheckRun:
    """The exposure scan of the lab's web address, ports 80 and 443 only (what the lab opened)."""
    from datetime import UTC, datetime

    from cyberdiag.checks import exposure
    from cyberdiag.checks.base import not_tested_all

    if lab is None:
        why = reason or LAB_DOWN
        results = not_tested_all(list(exposure.CHECK_IDS), profile.public_addresses or ["-"], why)
        return CheckRun(
            kind="scan",
            tool_version=_version(),
            started_at=datetime.now(UTC),
            results=results,
        )
    run, _ = exposure.scan_profile(profile, LAB_WEB_PORTS)
    result: CheckRun = run
    return result


def _version() -> str:
    from cyberdiag import __version__

    return __version__


def run_demo(
    out: Path, lang: Lang, *, scan: bool = True, use_lab: bool = True, say: Say | None = None
) -> DemoResult:
    """The whole journey; returns what was written (see the module docstring)."""
    from cyberdiag.checks.runner import make_check_run, write_check_run
    from cyberdiag.diagnostic import score_and_save
    from cyberdiag.loading import load_answers, load_profile, load_questionnaire

    emit: Say = say or (lambda _text: None)
    t0 = time.perf_counter()
    from cyberdiag.workshop.session import ensure_folder

    ensure_folder(out)
    src = example_dir()
    base_profile = load_profile(src / "municipality.yaml")
    questionnaire = load_questionnaire("complet")
    answers = load_answers(src / "answers.yaml", questionnaire)
    answers_path = out / "answers.yaml"
    write_private(answers_path, (src / "answers.yaml").read_text(encoding="utf-8"))
    emit(
        tr(
            f"Commune fictive {base_profile.name} : profil et réponses copiés dans {out}.",
            f"Fictional municipality {base_profile.name}: profile and answers copied to {out}.",
            lang,
        )
    )
    lab_context: contextlib.AbstractContextManager[tuple[LabInfo | None, Text | None]]
    if use_lab:
        lab_context = running_lab(emit, lang)
    else:
        lab_context = contextlib.nullcontext(
            (
                None,
                Text(
                    fr="démonstration lancée sans le laboratoire local (--no-lab)",
                    en="demo run without the local lab (--no-lab)",
                ),
            )
        )
    result: DemoResult
    with lab_context as (lab, reason):
        profile = demo_profile(base_profile, lab)
        profile_path = out / "municipality.yaml"
        write_profile(profile_path, profile, lab is not None)
        if reason is not None:
            emit(
                tr(
                    f"Vérifications non testées : {reason.fr}.",
                    f"Checks not tested: {reason.en}.",
                    lang,
                )
            )
        from datetime import UTC, datetime

        started = datetime.now(UTC)
        results, nameservers = run_passive_checks(profile, lab, reason)
        checks_path = out / "checks.json"
        write_check_run(
            checks_path, make_check_run(results, nameservers=nameservers, started_at=started)
        )
        emit(_counts_line(results, tr("Vérifications passives", "Passive checks", lang), lang))
        scan_path: Path | None = None
        scan_results: list[CheckResult] = []
        if scan:
            scan_run = run_lab_scan(profile, lab, reason)
            scan_path = out / "scan.json"
            write_check_run(scan_path, scan_run)
            scan_results = list(scan_run.results)
            label = (
                tr(
                    f"Scan d'exposition ({profile.public_addresses[0]}, ports {LAB_WEB_PORTS})",
                    f"Exposure scan ({profile.public_addresses[0]}, ports {LAB_WEB_PORTS})",
                    lang,
                )
                if lab is not None
                else tr("Scan d'exposition", "Exposure scan", lang)
            )
            emit(_counts_line(scan_results, label, lang))
        result = DemoResult(
            out=out,
            profile=profile_path,
            answers=answers_path,
            checks=checks_path,
            scan=scan_path,
            diagnostic=out / "diagnostic.json",
            report_pdf=None,
            report_html=None,
            lab_used=lab is not None,
            lab_reason=reason,
        )
        all_results = results + scan_results
        result.counts = _counts(all_results)
    # The lab is stopped: scoring and the report need no server.
    diag = score_and_save(
        result.diagnostic,
        questionnaire=questionnaire,
        profile=profile,
        answers=answers,
        checks=all_results,
    )
    level = {lv.id: lv.name.get(lang) for lv in diag.levels}.get(diag.overall.level, "")
    score = "—" if diag.overall.score is None else f"{diag.overall.score:.0f}/100"
    emit(
        tr(
            f"Diagnostic calculé : niveau {diag.overall.level} « {level} », score {score}, "
            f"{len(diag.findings)} actions ({result.diagnostic}).",
            f"Diagnostic scored: level {diag.overall.level} “{level}”, score {score}, "
            f"{len(diag.findings)} actions ({result.diagnostic}).",
            lang,
        )
    )
    from cyberdiag.errors import UserError
    from cyberdiag.report import write_report

    html = out / "rapport.html"
    write_report(diag, html, fmt="html", lang=lang)
    result.report_html = html
    pdf = out / "rapport.pdf"
    try:
        write_report(diag, pdf, fmt="pdf", lang=lang)
        result.report_pdf = pdf
    except UserError as exc:  # e.g. WeasyPrint's Pango missing: the HTML report remains
        result.errors.append(exc.message(lang))
    result.duration = round(time.perf_counter() - t0, 1)
    return result


def _counts(results: list[CheckResult]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in results:
        out[r.status] = out.get(r.status, 0) + 1
    return out


STATUS_WORDS = {
    "pass": ("réussie", "passed"),
    "warn": ("à améliorer", "to improve"),
    "fail": ("en échec", "failed"),
    "not_tested": ("non testée", "not tested"),
    "not_applicable": ("sans objet", "not applicable"),
}


def _counts_line(results: list[CheckResult], label: str, lang: Lang) -> str:
    counts = _counts(results)
    parts = []
    for status, (fr, en) in STATUS_WORDS.items():
        n = counts.get(status, 0)
        if n:
            plural = "s" if n > 1 and fr.endswith("e") else ""
            parts.append(f"{n} {tr(fr + plural, en, lang)}")
    return f"{label} : " + ", ".join(parts) if lang == "fr" else f"{label}: " + ", ".join(parts)


# --------------------------------------------------------------------------------------------
# The command's presentation
# --------------------------------------------------------------------------------------------


def demo_command(out: Path, lang: Lang, *, scan: bool, use_lab: bool, json_out: bool) -> None:
    """`cyberdiag demo`: steps on stderr with --json, the JSON or the PDF path on stdout."""
    import json
    import sys

    from rich.console import Console
    from rich.markup import escape

    from cyberdiag.errors import UserError

    console = Console(highlight=False, stderr=json_out)
    console.print(
        tr(
            "[bold]Démonstration de cyberdiag[/] — commune fictive, rien n'est envoyé sur "
            "Internet.",
            "[bold]cyberdiag demonstration[/] — fictional municipality, nothing is sent to the "
            "Internet.",
            lang,
        )
    )

    def say(text: str) -> None:
        console.print("  • " + escape(text))

    result = run_demo(out, lang, scan=scan, use_lab=use_lab, say=say)
    if json_out:
        sys.stdout.write(
            json.dumps(
                {
                    "out": str(result.out),
                    "profile": str(result.profile),
                    "answers": str(result.answers),
                    "checks": str(result.checks),
                    "scan": str(result.scan) if result.scan else None,
                    "diagnostic": str(result.diagnostic),
                    "report_pdf": str(result.report_pdf) if result.report_pdf else None,
                    "report_html": str(result.report_html) if result.report_html else None,
                    "lab_used": result.lab_used,
                    "lab_reason": result.lab_reason.get(lang) if result.lab_reason else None,
                    "results": result.counts,
                    "seconds": result.duration,
                    "errors": result.errors,
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    else:
        files = (
            "municipality.yaml, answers.yaml, checks.json"
            + (", scan.json" if result.scan else "")
            + ", diagnostic.json, rapport.html"
            + (", rapport.pdf" if result.report_pdf else "")
        )
        console.print(
            tr(
                f"\nTerminé en {result.duration:.0f} s. Fichiers dans {escape(str(out))} : "
                f"{files}.\nPour votre commune : cyberdiag init, puis cyberdiag run --profile "
                "municipality.yaml",
                f"\nDone in {result.duration:.0f} s. Files in {escape(str(out))}: "
                f"{files}.\nFor your municipality: cyberdiag init, then cyberdiag run --profile "
                "municipality.yaml",
                lang,
            )
        )
    if result.errors:
        raise UserError(
            "rapport PDF impossible : "
            + "; ".join(result.errors)
            + f" (le rapport HTML est dans {result.report_html})",
            "cannot write the PDF report: "
            + "; ".join(result.errors)
            + f" (the HTML report is in {result.report_html})",
        )
    if not json_out and result.report_pdf is not None:
        # The last line: the PDF to open.
        print(tr("Rapport PDF : ", "PDF report: ", lang) + str(result.report_pdf.resolve()))
