"""Correct plurals everywhere (issue 14): no « serveur(s) » left in what users read, and real
messages with one and with several items, in French (0 and 1 singular) and in English."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment

from cyberdiag.cli import main
from cyberdiag.loading import read_yaml

ROOT = Path(__file__).resolve().parent.parent
# A word glued to a plural mark: « serveur(s) », « adresse(s) », « municipality(ies) ».
PLURAL_MARK = re.compile(r"\w\((?:s|es|ies|x)\)")


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings (module, class, function)."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def python_marks(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal (f-string parts included, docstrings and comments
    left out) holding a plural mark."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and PLURAL_MARK.search(node.value)
    ]


def template_marks(source: str) -> list[tuple[int, str]]:
    """(line, text) of the template's text and string literals holding a plural mark (Jinja
    code such as `counts.get(s)` is not text)."""
    return [
        (line, value)
        for line, kind, value in Environment().lex(source)
        if kind in ("data", "string") and PLURAL_MARK.search(value)
    ]


def _yaml_strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _yaml_strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _yaml_strings(v)]
    return []


def test_the_finders_see_literals_not_docstrings_comments_or_code() -> None:
    source = (
        '"""Module of the server(s)."""\n'
        "def f(s, n):\n"
        '    """The key(s)."""\n'
        "    # the file(s)\n"
        "    g(s)\n"
        '    return f"{n} serveur(s) muet(s)", "ok"\n'
    )
    assert python_marks(source) == [(6, " serveur(s) muet(s)")]
    template = '{% if c.get(s) %}<p>{{ t("question(s) sans objet", "x") }}</p>{% endif %} file(s)'
    marks = [text.strip() for _, text in template_marks(template)]
    assert marks == ['"question(s) sans objet"', "file(s)"]


def test_no_plural_mark_in_the_package() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in sorted((ROOT / "cyberdiag").rglob("*.py"))
        for line, text in python_marks(path.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)


def test_no_plural_mark_in_the_templates() -> None:
    templates = sorted((ROOT / "report_templates").rglob("*.j2"))
    assert templates
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text.strip()[:80]!r}"
        for path in templates
        for line, text in template_marks(path.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)


def test_no_plural_mark_in_the_shipped_texts() -> None:
    files = [
        *sorted((ROOT / "questionnaires").glob("*.yaml")),
        *sorted((ROOT / "checks").glob("*.yaml")),
        *sorted((ROOT / "report_templates").rglob("*.yaml")),
    ]
    assert len(files) > 5
    found = [
        f"{path.relative_to(ROOT)}: {text[:80]!r}"
        for path in files
        for text in _yaml_strings(read_yaml(path))
        if PLURAL_MARK.search(text)
    ]
    assert not found, "\n".join(found)


# --- Real messages with one and several items ---------------------------------------------


@pytest.mark.parametrize(
    ("only", "lang", "expected"),
    [
        ("mail.nope", "fr", "Erreur : Vérification inconnue : mail.nope. Connues : dns.ns,"),
        ("mail.nope", "en", "Error: Unknown check: mail.nope. Known: dns.ns,"),
        ("mail.nope,web.zut", "fr", "Erreur : Vérifications inconnues : mail.nope, web.zut."),
        ("mail.nope,web.zut", "en", "Error: Unknown checks: mail.nope, web.zut. Known:"),
    ],
)
def test_unknown_checks(
    only: str, lang: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", "x.test", "-n", "127.0.0.1", "--only", only, "--lang", lang]
    assert main(args) == 1
    assert expected in capsys.readouterr().err


@pytest.mark.parametrize(
    ("header", "lang", "expected"),
    [
        ("insee,name,domains", "fr", "c.csv : colonne manquante : population (attendu"),
        ("insee,name,domains", "en", "c.csv: missing column: population (expected"),
        ("insee,nom", "fr", "c.csv : colonnes manquantes : domains, population (attendu"),
        ("insee,nom", "en", "c.csv: missing columns: domains, population (expected"),
    ],
)
def test_missing_roster_columns(
    header: str, lang: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "c.csv"
    roster.write_text(f"{header}\n59001,A,a.test\n", encoding="utf-8")
    store = tmp_path / "t.sqlite"
    assert main(["territory", "status", "--store", str(store), "-m", str(roster),
                 "--lang", lang]) == 1  # fmt: skip
    assert expected in capsys.readouterr().err


# Checks against the lab's real DNS and mail servers (tests/conftest.py): (domain, check id)
# → (French, English), one item then several (and 0 for SPF: singular in French only).
LAB_MESSAGES = {
    ("apex-http.test", "mail.dkim"): (
        "Clé DKIM publiée : selector1 (rsa 2048).",
        "DKIM key published: selector1 (rsa 2048).",
    ),
    ("bonneville.test", "mail.dkim"): (
        "Clés DKIM publiées : selector1 (rsa 2048), selector2 (ed25519 256).",
        "DKIM keys published: selector1 (rsa 2048), selector2 (ed25519 256).",
    ),
    ("non-mail.test", "mail.spf"): (
        "SPF valide, se termine par « -all » (0 requête DNS).",
        "Valid SPF ending with '-all' (0 DNS lookups).",
    ),
    ("apex-http.test", "mail.spf"): (
        "SPF valide, se termine par « -all » (1 requête DNS).",
        "Valid SPF ending with '-all' (1 DNS lookup).",
    ),
    ("bonneville.test", "mail.spf"): (
        "SPF valide, se termine par « -all » (2 requêtes DNS).",
        "Valid SPF ending with '-all' (2 DNS lookups).",
    ),
    ("smtp-muet.test", "dns.soa_consistency"): (
        "Le seul serveur interrogé publie la zone (série 2026112301).",
        "The only server asked serves the zone (serial 2026112301).",
    ),
    ("bonneville.test", "dns.soa_consistency"): (
        "Les 2 serveurs interrogés publient la même version (série 2026112301).",
        "The 2 servers asked serve the same version (serial 2026112301).",
    ),
    ("bonneville.test", "mail.mx"): (
        "1 serveur de messagerie : mail.bonneville.test.",
        "1 mail server: mail.bonneville.test.",
    ),
    ("spf-vide.test", "mail.mta_sts"): (
        "La politique MTA-STS ne couvre pas le MX mail.spf-vide.test : en mode enforce, les "
        "courriels vers ce serveur seraient refusés.",
        "The MTA-STS policy does not cover MX mail.spf-vide.test: in enforce mode, mail to "
        "this server would be refused.",
    ),
    ("double-spf.test", "mail.dmarc"): (
        "DMARC : « pct=50 » : la politique ne s'applique qu'à 50 % des messages ; destinataire "
        "de rapports externe non autorisé : non-autorise.test.",
        "DMARC: 'pct=50': the policy applies to 50% of messages only; external report "
        "destination not authorised: non-autorise.test.",
    ),
}


@pytest.mark.parametrize("key", list(LAB_MESSAGES), ids="/".join)
def test_lab_check_messages(key: tuple[str, str], lab_results: dict[tuple[str, str], Any]) -> None:
    result = lab_results[key]
    assert (result.message.fr, result.message.en) == LAB_MESSAGES[key]
