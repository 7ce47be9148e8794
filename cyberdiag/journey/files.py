"""The journey's files read back: the profile, check and scan results, and scoring them.

What `cyberdiag score` (and anyone holding the files of a past self-audit) needs: every mistake
is a UserError that names the file and says how to make it.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from cyberdiag.diagnostic import score_and_save
from cyberdiag.errors import UserError
from cyberdiag.fileio import OUTPUT_HINT, check_writable
from cyberdiag.i18n import plural
from cyberdiag.loading import load_answers, load_profile, load_questionnaire, read_raw
from cyberdiag.loading.jsonread import loads, read_text
from cyberdiag.loading.parse_messages import json_problem
from cyberdiag.models import CheckResult, CheckRun, Diagnostic, Profile

MAX_CHECK_RUN_BYTES = 20_000_000  # a scan of a /16 with its evidence is about 2 MB


def load_profile_file(path: Path) -> Profile:
    """The municipality's profile, or a UserError saying how to create it."""
    if not path.exists():
        raise UserError(
            f"Profil introuvable : {path}. Créez-le avec : cyberdiag init -o {path}",
            f"Profile not found: {path}. Create it with: cyberdiag init -o {path}",
        )
    return load_profile(path)


def load_check_runs(paths: list[Path]) -> list[CheckResult]:
    """Results of `cyberdiag check -o` / `cyberdiag scan -o` files, merged."""
    results: list[CheckResult] = []
    for path in paths:
        results.extend(_check_run(path).results)
    return results


def _check_run(path: Path) -> CheckRun:
    text = read_text(path, MAX_CHECK_RUN_BYTES)  # bounded; UserError naming the file
    try:
        return CheckRun.model_validate(loads(text, str(path)))
    except json.JSONDecodeError as exc:
        detail = f"JSON invalide {json_problem(exc, 'fr')}"
        detail_en = f"invalid JSON at {json_problem(exc, 'en')}"
    except ValidationError as exc:
        n = exc.error_count()
        detail = plural(n, "erreur de format", "erreurs de format", "fr")
        detail_en = plural(n, "format error", "format errors", "en")
    except ValueError:
        detail, detail_en = "JSON invalide", "invalid JSON"
    raise UserError(
        f"{path} : ce n'est pas un résultat de cyberdiag check/scan ({detail}).",
        f"{path}: not a result of cyberdiag check/scan ({detail_en}).",
    )


def score_files(
    profile_path: Path, answers_path: Path, check_paths: list[Path], output: Path
) -> Diagnostic:
    """Score a profile, its answers and check/scan result files; save the diagnostic (0600).
    `output` is checked writable before anything is read."""
    check_writable(output, need=2_000_000, hint=OUTPUT_HINT)
    profile = load_profile_file(profile_path)
    if not answers_path.exists():
        raise UserError(
            f"Fichier de réponses introuvable : {answers_path}. Répondez d'abord : cyberdiag "
            f"questionnaire --profile {profile_path} --answers {answers_path}",
            f"Answers file not found: {answers_path}. Answer first: cyberdiag questionnaire "
            f"--profile {profile_path} --answers {answers_path}",
        )
    raw = read_raw(answers_path)
    qname = raw.data.get("questionnaire") if isinstance(raw.data, dict) else None
    questionnaire = load_questionnaire(qname if isinstance(qname, str) else "complet")
    runs = [_check_run(p) for p in check_paths]
    dns = next((r for r in runs if r.kind == "checks" and r.nameservers), None)
    return score_and_save(
        output,
        questionnaire=questionnaire,
        profile=profile,
        answers=load_answers(answers_path, questionnaire, raw=raw),
        checks=[result for run in runs for result in run.results],
        nameservers=dns.nameservers if dns else None,
        nameserver_source=dns.nameserver_source if dns else "",
    )
