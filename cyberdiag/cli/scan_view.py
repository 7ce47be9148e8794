"""`cyberdiag scan` on the terminal: the plan shown, the authorisation asked, the results shown.

The scan itself is planned and executed in one place, cyberdiag/checks/exposure/plan.py (also used
by the journey); this module only talks to the person.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cyberdiag.checks import exposure
from cyberdiag.cli.terminal import (
    err_console,
    out_console,
    outside,
    print_json,
    progress,
    status_text,
)
from cyberdiag.errors import UserError
from cyberdiag.fileio import OUTPUT_HINT, check_writable, write_private
from cyberdiag.i18n import current, tr
from cyberdiag.journey.files import load_profile_file
from cyberdiag.models import CheckRun, PortCatalogue

CHECK_NAMES = {
    "exposure.risky_services": ("Services à risque", "Risky services"),
    "exposure.open_ports": ("Autres ports ouverts", "Other open ports"),
}


@dataclass
class ScanOptions:
    """The options of `cyberdiag scan`."""

    profile: Path
    ports: str
    service_versions: bool
    authorized: bool
    targets: list[str]
    nameservers: list[str]
    json_out: bool
    output: Path | None
    host_timeout: float | None = None


def interactive() -> bool:
    """Can we ask the user a question? (stdin is a terminal)"""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def confirm(question: str) -> bool:
    """Ask on the terminal; only an explicit yes (o, oui, y, yes) counts. Default: no."""
    answer = typer.prompt(
        question, default="", show_default=False, err=True, prompt_suffix=tr(" : ", ": ")
    )
    return str(answer).strip().lower() in ("o", "oui", "y", "yes")


def scan_command(opts: ScanOptions) -> None:
    """Validate, plan, ask, scan, save and show; UserError (exit 1) or Abort (exit 130) last."""
    err = err_console()
    if opts.output is not None:  # before anything is sent: the results will have a place
        check_writable(opts.output, hint=OUTPUT_HINT)
    plan = _authorised_plan(opts, err)
    with progress(tr("Scan", "Scan"), len(plan.addresses), console=err) as step:
        run, outcome = exposure.execute(
            plan, authorised=True, on_progress=step, host_timeout=opts.host_timeout
        )
    if opts.output is not None:
        try:
            write_private(opts.output, run.model_dump_json(indent=2) + "\n")
        except OSError as exc:
            raise UserError(
                f"Impossible d'écrire {opts.output} : {exc.strerror or exc}",
                f"Cannot write {opts.output}: {exc.strerror or exc}",
            ) from None
    if opts.json_out:
        print_json(run.model_dump_json(indent=2))
    else:
        show_results(out_console(), run, plan.scope.catalogue)
    # What went wrong, if anything, and the exit code (UserError -> 1, Abort -> 130, both
    # handled by cyberdiag.cli.main, after the results were saved and shown).
    if outcome.nmap_problem is not None:
        problem = outcome.nmap_problem
        raise UserError(
            f"scan impossible, {problem.fr}. Les résultats sont enregistrés comme « non testé ».",
            f"cannot scan, {problem.en}. The results are recorded as 'not tested'.",
        )
    if outcome.interrupted:
        saved = tr(
            f" Résultats partiels enregistrés dans {opts.output}.",
            f" Partial results saved to {opts.output}.",
        )
        err.print(
            tr(
                "Scan interrompu : les adresses non scannées sont marquées « non testé ».",
                "Scan interrupted: the addresses not scanned are marked 'not tested'.",
            )
            + (saved if opts.output else ""),
            markup=False,
        )
        raise typer.Abort()
    if opts.output is not None:
        err.print(
            tr(
                f"Résultats enregistrés dans {opts.output} (cyberdiag score --checks "
                f"{opts.output}).",
                f"Results saved to {opts.output} (cyberdiag score --checks {opts.output}).",
            ),
            markup=False,
        )


def _authorised_plan(opts: ScanOptions, err: Console) -> exposure.ScanPlan:
    """Everything validated before anything is sent (not even a DNS query), then the names
    resolved, the plan shown and the authorisation asked: the plan to execute, or UserError."""
    scope = exposure.scan_scope(
        load_profile_file(opts.profile),
        opts.ports,
        only=opts.targets,
        service_versions=opts.service_versions,
    )
    scope.check_nameservers(opts.nameservers)
    if not opts.authorized and not interactive():
        raise UserError(
            "Scan refusé : scanner des adresses exige l'autorisation de leur propriétaire (la "
            "commune). Avec cette autorisation, relancez avec --authorized, ou lancez la "
            "commande dans un terminal pour confirmer. Rien n'a été envoyé.",
            "Scan refused: scanning addresses requires their owner's authorisation (the "
            "municipality). With that authorisation, run again with --authorized, or run the "
            "command in a terminal to confirm. Nothing was sent.",
        )
    plan = exposure.plan_scan(scope, opts.nameservers)
    show_plan(err, plan)
    question = tr(
        "Je confirme que la commune m'autorise à scanner ces adresses [o/N]",
        "I confirm that the municipality authorises me to scan these addresses [y/N]",
    )
    if not opts.authorized and not confirm(question):
        raise UserError(
            "Scan annulé : sans l'autorisation du propriétaire des adresses, rien n'est "
            "envoyé. Rien n'a été envoyé.",
            "Scan cancelled: without the owner's authorisation nothing is sent. Nothing was sent.",
        )
    return plan


def show_plan(err: Console, plan: exposure.ScanPlan) -> None:
    """The targets and their addresses, the ports, the kind of scan (before the confirmation)."""
    table = Table(title=tr("Cibles du scan", "Scan targets"), title_justify="left")
    table.add_column(tr("Déclarée", "Declared"))
    table.add_column(tr("Adresses scannées", "Addresses scanned"))
    for t in plan.targets:
        if t.problem is not None:
            shown = tr(f"aucune ({t.problem.fr})", f"none ({t.problem.en})")
        elif len(t.addresses) > 4:
            shown = tr(
                f"{len(t.addresses)} adresses ({t.addresses[0]} … {t.addresses[-1]})",
                f"{len(t.addresses)} addresses ({t.addresses[0]} … {t.addresses[-1]})",
            )
        else:
            shown = ", ".join(t.addresses)
        table.add_row(outside(t.label), outside(shown))
    err.print(table)
    ports = plan.scope.ports
    spec = exposure.port_spec(ports)
    err.print(
        tr(f"Ports TCP ({len(ports)}) : ", f"TCP ports ({len(ports)}): ")
        + (spec if len(spec) <= 160 else spec[:157] + "…"),
        markup=False,
    )
    mode = tr("scan TCP connect (nmap -sT -n -Pn)", "TCP connect scan (nmap -sT -n -Pn)")
    if plan.scope.service_versions:
        mode += tr(" avec identification des versions (-sV)", " with version detection (-sV)")
    err.print(mode, markup=False)
    if plan.scope.names:
        err.print(
            tr(
                "Attention : un nom peut pointer vers le serveur d'un hébergeur partagé avec "
                "d'autres clients ; l'autorisation doit couvrir les adresses ci-dessus.",
                "Warning: a name may point to a hosting provider's server shared with other "
                "customers; the authorisation must cover the addresses above.",
            )
        )


def show_results(out: Console, run: CheckRun, catalogue: PortCatalogue) -> None:
    """One row per target and check, then what each risky service found means and what to do."""
    lang = current()
    table = Table(
        title=tr("Résultats du scan d'exposition", "Exposure scan results"),
        title_justify="left",
        show_lines=True,
    )
    table.add_column(tr("Cible", "Target"))
    table.add_column(tr("Vérification", "Check"))
    table.add_column(tr("Statut", "Status"))
    table.add_column(tr("Détail", "Detail"), overflow="fold")
    for r in run.results:
        fr, en = CHECK_NAMES.get(r.id, (r.id, r.id))
        table.add_row(
            outside(r.target), tr(fr, en), status_text(r.status, lang), outside(r.message.get(lang))
        )
    out.print(table)
    by_port = {p.port: p for p in catalogue.ports}
    seen: set[int] = set()
    for r in run.results:
        for svc in r.evidence.get("services", []):
            port = svc.get("port")
            info = by_port.get(port) if isinstance(port, int) else None
            if info is None or port in seen:
                continue
            seen.add(info.port)
            out.print(
                Text.assemble(
                    (f"• {info.title.get(lang)}", "bold"),
                    f" ({info.port}/tcp) — {info.explanation.get(lang)}",
                )
            )
            out.print(Text("  " + tr("À faire : ", "To do: ") + info.remediation.get(lang)))
    if run.interrupted:
        out.print(
            Text(
                tr("Scan interrompu : résultats partiels.", "Scan interrupted: partial results."),
                style="yellow",
            )
        )
