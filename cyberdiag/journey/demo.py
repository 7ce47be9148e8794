"""The demo: the journey on the fictional municipality Ville-Exemple, against the local lab.

It adds three things to the journey's steps (cyberdiag/journey/steps.py):
1. copy the bundled profile and answers (examples/ville-exemple/) into the output folder;
2. start the local lab (real NSD, unbound, SMTP and nginx servers on 127.x addresses) when this
   machine can run it (root, nsd and unbound installed), and stop it once the checks and the scan
   are done; without it every check is recorded `not_tested` with the reason — the demo never
   contacts the Internet;
3. point the profile at the lab (its domain, DKIM selector, web address) and the checks at the
   lab's resolver; the scan only covers the ports the lab opened (80, 443).
Then score and report as any self-audit. Every file is written in the output folder with mode 0600
except the profile (0644): a real diagnostic maps a municipality's weaknesses.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from cyberdiag.checks import exposure
from cyberdiag.errors import UserError
from cyberdiag.fileio import ensure_folder, write_private
from cyberdiag.i18n import Lang, tr
from cyberdiag.journey.steps import Journey, Observer, Outcome, Settings
from cyberdiag.lab.manager import LabInfo, start_lab, stop_lab
from cyberdiag.loading import load_profile
from cyberdiag.models import Profile, Text
from cyberdiag.resources import data_dir

DEMO_DOMAIN = "ville-exemple.test"
# What the lab opens on a municipality's web address (nginx): the only ports the demo scans.
LAB_WEB_PORTS = "80,443"
CHECK_TIMEOUT = 2.0
LAB_DOWN = Text(fr="laboratoire local indisponible", en="local lab unavailable")
NO_LAB = Text(
    fr="démonstration lancée sans le laboratoire local (--no-lab)",
    en="demo run without the local lab (--no-lab)",
)

Say = Callable[[str], None]
LabContext = contextlib.AbstractContextManager[tuple[LabInfo | None, Text | None]]


@dataclass
class DemoResult:
    """What the demo wrote, and whether the lab ran."""

    out: Path
    profile: Path
    outcome: Outcome
    lab_used: bool
    lab_reason: Text | None
    duration: float = 0.0


def example_dir() -> Path:
    """The bundled example municipality (profile and answers)."""
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
    """Whether the lab can also serve the municipalities' web sites."""
    return shutil.which("nginx") is not None or Path("/usr/sbin/nginx").exists()


@contextlib.contextmanager
def running_lab(say: Say, lang: Lang) -> Iterator[tuple[LabInfo | None, Text | None]]:
    """Start the lab in a temporary folder (or say why not); always stopped on exit."""
    reason = lab_unavailable()
    if reason is not None:
        yield None, reason
        return
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
        with _trusting(lab.ca_file):
            yield lab, None
    finally:
        stopped = stop_lab(directory)
        shutil.rmtree(directory, ignore_errors=True)
        if stopped:
            say(tr("Laboratoire local arrêté.", "Local lab stopped.", lang))


@contextlib.contextmanager
def _trusting(ca_file: Path) -> Iterator[None]:
    """The lab's private CA trusted the way users trust one: the standard SSL_CERT_FILE."""
    old = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(ca_file)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SSL_CERT_FILE", None)
        else:
            os.environ["SSL_CERT_FILE"] = old


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
    """The demo's municipality.yaml (0644: a fictional municipality), with where it comes from."""
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


def run_demo(
    out: Path,
    lang: Lang,
    observer: Observer | None = None,
    *,
    scan: bool = True,
    use_lab: bool = True,
) -> DemoResult:
    """The whole journey on Ville-Exemple; returns what was written (see the module docstring)."""
    observer = observer or Observer()
    t0 = time.perf_counter()
    ensure_folder(out)
    src = example_dir()
    base = load_profile(src / "municipality.yaml")
    answers = out / "answers.yaml"
    write_private(answers, (src / "answers.yaml").read_text(encoding="utf-8"))
    observer.say(
        tr(
            f"Commune fictive {base.name} : profil et réponses copiés dans {out}.",
            f"Fictional municipality {base.name}: profile and answers copied to {out}.",
            lang,
        )
    )
    settings = Settings(profile=base, out=out, answers=answers, lang=lang, timeout=CHECK_TIMEOUT)
    journey = Journey(settings, observer)
    journey.questionnaire()  # the copied answers, as they are: nothing is asked
    lab_context: LabContext = (
        running_lab(observer.say, lang) if use_lab else contextlib.nullcontext((None, NO_LAB))
    )
    with lab_context as (lab, reason):
        profile = demo_profile(base, lab)
        write_profile(out / "municipality.yaml", profile, lab is not None)
        journey.settings = replace(
            settings,
            profile=profile,
            nameservers=[lab.nameserver] if lab is not None else [],
            offline=(reason or LAB_DOWN) if lab is None else None,
            scan=exposure.scan_scope(profile, LAB_WEB_PORTS) if lab is not None else None,
            authorised=True,  # the lab's own address, opened by the demo itself
        )
        journey.checks()
        if scan:
            journey.scan()
    # The lab is stopped: scoring and the report need no server.
    if journey.score():
        journey.report()
    return DemoResult(
        out=out,
        profile=out / "municipality.yaml",
        outcome=journey.outcome,
        lab_used=lab is not None,
        lab_reason=reason,
        duration=round(time.perf_counter() - t0, 1),
    )
