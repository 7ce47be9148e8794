"""The self-audit steps the CLI wires: run the questionnaire, score files, print a summary."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import ValidationError

from cyberdiag.errors import UserError
from cyberdiag.i18n import current, tr
from cyberdiag.models import CheckResult, CheckRun, Diagnostic, Profile, Question


def load_profile_file(path: Path) -> Profile:
    from cyberdiag.loading import load_profile

    if not path.exists():
        raise UserError(
            f"Profil introuvable : {path}. Créez-le avec : cyberdiag init -o {path}",
            f"Profile not found: {path}. Create it with: cyberdiag init -o {path}",
        )
    return load_profile(path)


def run_questionnaire(
    profile_path: Path, answers_path: Path, questionnaire_name: str, *, review: bool
) -> int:
    """Ask the questions; return how many answers were given in this run."""
    from rich.console import Console

    from cyberdiag.interview import StopInterview, profile_interview

    profile = load_profile_file(profile_path)
    console = Console(highlight=False)
    interview = profile_interview(
        profile, questionnaire_name, answers_path, console, current(), review=review
    )
    questionnaire, questions = interview.questionnaire, interview.questions
    console.print(
        tr(
            f"[bold]{questionnaire.title.fr}[/] — {profile.name} : {len(questions)} questions. "
            f"Réponses enregistrées au fur et à mesure dans {answers_path}.",
            f"[bold]{questionnaire.title.en}[/] — {profile.name}: {len(questions)} questions. "
            f"Answers saved as you go in {answers_path}.",
        )
    )
    try:
        interview.run()
    except StopInterview:
        _saved_message(interview.answers.answers, questions, answers_path)
        return interview.given
    except (KeyboardInterrupt, EOFError):
        _saved_message(interview.answers.answers, questions, answers_path)
        raise KeyboardInterrupt from None
    answered = sum(1 for q in questions if q.id in interview.answers.answers)
    console.print(
        tr(
            f"\n[green]Terminé[/] : {answered}/{len(questions)} réponses dans {answers_path}.",
            f"\n[green]Done[/]: {answered}/{len(questions)} answers in {answers_path}.",
        )
    )
    if answered < len(questions):
        console.print(
            tr(
                "Relancez la même commande pour répondre aux questions passées.",
                "Run the same command again to answer the skipped questions.",
            )
        )
    console.print(
        tr(
            f"Étape suivante : cyberdiag score --profile {profile_path} --answers {answers_path}",
            f"Next step: cyberdiag score --profile {profile_path} --answers {answers_path}",
        )
    )
    return interview.given


def _saved_message(
    answers: Mapping[str, object], questions: Sequence[Question], path: Path
) -> None:
    import sys

    n = sum(1 for q in questions if q.id in answers)
    sys.stderr.write(
        tr(
            f"\n{n}/{len(questions)} réponses enregistrées dans {path}. Relancez la même "
            "commande pour reprendre.\n",
            f"\n{n}/{len(questions)} answers saved in {path}. Run the same command again to "
            "resume.\n",
        )
    )


def load_check_runs(paths: list[Path]) -> list[CheckResult]:
    """Results of `cyberdiag check -o` / `cyberdiag scan -o` files, merged."""
    results: list[CheckResult] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UserError(f"{path} : fichier introuvable.", f"{path}: file not found.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(
                f"{path} : lecture impossible ({exc}).", f"{path}: cannot read it ({exc})."
            ) from None
        try:
            run = CheckRun.model_validate(json.loads(text))
        except (json.JSONDecodeError, ValidationError) as exc:
            detail = (
                f"JSON invalide ligne {exc.lineno}"
                if isinstance(exc, json.JSONDecodeError)
                else f"{exc.error_count()} erreur(s) de format"
            )
            detail_en = (
                f"invalid JSON at line {exc.lineno}"
                if isinstance(exc, json.JSONDecodeError)
                else f"{exc.error_count()} format error(s)"
            )
            raise UserError(
                f"{path} : ce n'est pas un résultat de cyberdiag check/scan ({detail}).",
                f"{path}: not a result of cyberdiag check/scan ({detail_en}).",
            ) from None
        results.extend(run.results)
    return results


def score_files(
    profile_path: Path, answers_path: Path, check_paths: list[Path], output: Path
) -> Diagnostic:
    from cyberdiag.diagnostic import score_and_save
    from cyberdiag.loading import load_answers, load_questionnaire, read_yaml

    profile = load_profile_file(profile_path)
    if not answers_path.exists():
        raise UserError(
            f"Fichier de réponses introuvable : {answers_path}. Répondez d'abord : cyberdiag "
            f"questionnaire --profile {profile_path} --answers {answers_path}",
            f"Answers file not found: {answers_path}. Answer first: cyberdiag questionnaire "
            f"--profile {profile_path} --answers {answers_path}",
        )
    raw = read_yaml(answers_path)
    qname = raw.data.get("questionnaire") if isinstance(raw.data, dict) else None
    questionnaire = load_questionnaire(qname if isinstance(qname, str) else "complet")
    return score_and_save(
        output,
        questionnaire=questionnaire,
        profile=profile,
        answers=load_answers(answers_path, questionnaire),
        checks=load_check_runs(check_paths),
    )


def print_summary(diag: Diagnostic, output: Path | None) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    lang = current()
    console = Console(highlight=False)
    level_name = {lv.id: lv.name.get(lang) for lv in diag.levels}
    table = Table(title=tr("Diagnostic par domaine", "Diagnostic by domain"))
    table.add_column(tr("Domaine", "Domain"))
    table.add_column("Score", justify="right")
    table.add_column(tr("Niveau", "Level"))
    table.add_column(tr("Cible", "Target"), justify="right")
    table.add_column(tr("Couverture", "Coverage"), justify="right")
    for d in diag.domains:
        if not d.applicable:
            continue
        c = d.coverage
        table.add_row(
            d.name.get(lang),
            "—" if d.score is None else f"{d.score:.0f}",
            f"{d.level} {level_name.get(d.level, '')}",
            str(d.target_level),
            f"{c.questions_answered}/{c.questions_applicable}"
            + (f" +{c.checks_tested}✓" if c.checks_tested else "")
            + (
                f" ({c.checks_not_tested} " + tr("non testés", "not tested") + ")"
                if c.checks_not_tested
                else ""
            ),
        )
    console.print(table)
    o = diag.overall
    score_txt = "—" if o.score is None else f"{o.score:.0f}/100"
    console.print(
        tr(
            f"[bold]Niveau global : {o.level} — {level_name.get(o.level, '')}[/] "
            f"(score {score_txt}, strate {diag.tier}, niveau visé {o.target_level})",
            f"[bold]Overall level: {o.level} — {level_name.get(o.level, '')}[/] "
            f"(score {score_txt}, tier {diag.tier}, target level {o.target_level})",
        )
    )
    if o.capped_by:
        console.print(tr("[red]Plafonné par :[/]", "[red]Capped by:[/]"))
        for cap in o.capped_by:
            console.print(
                f"  • {escape(cap.label.get(lang))} → "
                + tr("niveau", "level")
                + f" {cap.level} ({level_name.get(cap.level, '')})"
            )
    if diag.findings:
        console.print(tr("[bold]Actions prioritaires :[/]", "[bold]Priority actions:[/]"))
        for f in diag.findings[:6]:
            crit = tr("[red]critique[/] ", "[red]critical[/] ") if f.critical else ""
            console.print(
                f"  {f.rank}. {crit}[bold]{escape(f.title.get(lang))}[/] — "
                f"{escape(f.recommendation.action.get(lang))}"
            )
    if output is not None:
        console.print(
            tr(
                f"Diagnostic écrit : {output} (droits 0600 : il décrit les faiblesses de la "
                "commune).",
                f"Diagnostic written: {output} (mode 0600: it maps the municipality's weaknesses).",
            )
        )
