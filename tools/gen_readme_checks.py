#!/usr/bin/env python3
"""Generate the README's "what each check means and how to fix it" section from checks/*.yaml.

One section per language: French in README.md, English in README.en.md, each between the
markers `<!-- checks:begin -->` and `<!-- checks:end -->`; tests/test_readme_checks.py keeps
both in step with the catalogue. The language follows the file's name (README.en.md: English)
unless --lang is given.

    python tools/gen_readme_checks.py [--lang en]             # print the section
    python tools/gen_readme_checks.py --write section.md      # write it to a file
    python tools/gen_readme_checks.py --update README.md      # replace the marked section
    python tools/gen_readme_checks.py --update README.en.md   # (English)
    python tools/gen_readme_checks.py --check README.md       # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cyberdiag.models import CheckCatalogue, CheckMeta, PortCatalogue, References  # noqa: E402

BEGIN = "<!-- checks:begin -->"
END = "<!-- checks:end -->"

FAMILIES = {
    "dns": ("Nom de domaine (DNS)", "Domain name (DNS)"),
    "mail": ("Messagerie", "E-mail"),
    "web": ("Site web", "Website"),
    "exposure": ("Exposition sur Internet (scan, sur autorisation)",
                 "Internet exposure (scan, with authorisation)"),
}  # fmt: skip
SEVERITY = {
    "info": ("information", "information"),
    "low": ("faible", "low"),
    "medium": ("moyenne", "medium"),
    "high": ("élevée", "high"),
    "critical": ("critique", "critical"),
}
WHO = {
    "elected": ("élus", "elected officials"),
    "management": ("direction", "management"),
    "staff": ("agents", "staff"),
    "it": ("informatique ou prestataire", "IT staff or provider"),
}
EFFORT = {"quick_win": ("rapide", "quick win"), "project": ("projet", "project")}
REF_NAMES = {
    "anssi": "ANSSI",
    "cis": "CIS",
    "nis2": "NIS2",
    "csf": "NIST CSF",
    "recyf": "ReCyF",
    "amf": "AMF",
    "other": "",
}


def load_catalogues(checks_dir: Path) -> tuple[list[CheckMeta], PortCatalogue | None]:
    checks: list[CheckMeta] = []
    ports: PortCatalogue | None = None
    for path in sorted(checks_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        kind = data.get("kind") if isinstance(data, dict) else None
        if kind == "checks":
            checks.extend(CheckCatalogue.model_validate(data).checks)
        elif kind == "ports":
            ports = PortCatalogue.model_validate(data)
    order = list(FAMILIES)

    def key(c: CheckMeta) -> tuple[int, str]:
        family = c.id.split(".", 1)[0]
        return (order.index(family) if family in order else len(order), family)

    # Stable: within a family, the catalogue's own order.
    checks.sort(key=key)
    return checks, ports


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _refs(refs: References) -> str:
    parts = []
    for field, label in REF_NAMES.items():
        ids: list[str] = getattr(refs, field)
        if ids:
            parts.append((f"{label} " if label else "") + ", ".join(ids))
    return " · ".join(parts)


def _section(checks: list[CheckMeta], ports: PortCatalogue | None, lang: int) -> list[str]:
    fr = lang == 0
    out = [
        "### Ce que signifie chaque vérification et comment corriger"
        if fr
        else "### What each check means and how to fix it",
        "",
        (
            "Chaque résultat est « réussi », « à améliorer », « échec », « non applicable » ou "
            "« non testé » (avec la raison : un problème de réseau n'est jamais un échec). "
            "Le texte *Pour les élus* est celui du rapport ; *Comment corriger* s'adresse au "
            "service informatique ou au prestataire."
            if fr
            else "Each result is pass, warn, fail, not applicable or not tested (with the reason: "
            "network trouble is never a failure). The *For elected officials* text is the "
            "report's; *How to fix it* is for the IT staff or provider."
        ),
        "",
    ]
    family = None
    for c in checks:
        fam = c.id.split(".", 1)[0]
        if fam != family:
            family = fam
            names = FAMILIES.get(fam, (fam, fam))
            out += [f"#### {names[lang]}", ""]
        sev = SEVERITY[c.severity][lang]
        who = WHO[c.who][lang]
        effort = EFFORT[c.effort][lang]
        meta = (
            f"gravité : {sev} · qui : {who} · effort : {effort}"
            if fr
            else f"severity: {sev} · who: {who} · effort: {effort}"
        )
        out.append(f"**`{c.id}` — {_one_line(c.title.get('fr' if fr else 'en'))}** ({meta})")
        out.append("")
        label_elected = "Pour les élus :" if fr else "For elected officials:"
        label_fix = "Comment corriger :" if fr else "How to fix it:"
        out.append(f"- *{label_elected}* {_one_line(c.explanation.get('fr' if fr else 'en'))}")
        out.append(f"- *{label_fix}* {_one_line(c.remediation.get('fr' if fr else 'en'))}")
        refs = _refs(c.references)
        if refs:
            out.append(f"- *{'Références :' if fr else 'References:'}* {refs}")
        out.append("")
    risky = [p for p in ports.ports if p.risky] if ports else []
    if risky:
        out += [
            "#### "
            + (
                "Ports jugés risqués par le scan d'exposition"
                if fr
                else "Ports the exposure scan treats as risky"
            ),
            "",
            "| port | service | " + ("risque" if fr else "risk") + " |",
            "|---:|---|---|",
        ]
        for p in sorted(risky, key=lambda p: p.port):
            title = _one_line(p.title.get("fr" if fr else "en")).replace("|", "\\|")
            out.append(f"| {p.port} | {p.service} | {title} |")
        out.append("")
    return out


def generate(checks_dir: Path | None = None, lang: str = "fr") -> str:
    """The whole marked section in `lang` (fr or en), markers included, ending with a newline."""
    checks, ports = load_catalogues(checks_dir or ROOT / "checks")
    lines = [
        BEGIN,
        "<!-- Generated by tools/gen_readme_checks.py from checks/*.yaml: do not edit by hand. -->",
        "",
    ]
    lines += _section(checks, ports, 1 if lang == "en" else 0)
    while lines and lines[-1] == "":
        lines.pop()
    lines.append(END)
    return "\n".join(lines) + "\n"


def marked_section(text: str) -> str | None:
    """The section of `text` between the markers (inclusive), or None without markers."""
    start = text.find(BEGIN)
    end = text.find(END, start + 1) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    return text[start : end + len(END)] + "\n"


def replace_section(text: str, section: str) -> str:
    start = text.find(BEGIN)
    end = text.find(END, start + 1)
    if start < 0 or end < 0:
        raise SystemExit(f"markers {BEGIN} / {END} not found")
    rest = text[end + len(END) :]
    return text[:start] + section.rstrip("\n") + rest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", type=Path, help="write the section to this file")
    group.add_argument("--update", type=Path, help="replace the marked section of this file")
    group.add_argument("--check", type=Path, help="exit 1 if this file's section is stale")
    parser.add_argument("--lang", choices=("fr", "en"), default=None,
                        help="language (default: from the file's name, else fr)")
    args = parser.parse_args(argv)
    target = args.write or args.update or args.check
    lang = args.lang or ("en" if target is not None and ".en." in target.name else "fr")
    section = generate(lang=lang)
    if args.write:
        args.write.write_text(section, encoding="utf-8")
    elif args.update:
        text = args.update.read_text(encoding="utf-8")
        args.update.write_text(replace_section(text, section), encoding="utf-8")
    elif args.check:
        current = marked_section(args.check.read_text(encoding="utf-8"))
        if current != section:
            print(
                f"{args.check}: the checks section is out of date; run "
                f"python tools/gen_readme_checks.py --update {args.check}",
                file=sys.stderr,
            )
            return 1
    else:
        sys.stdout.write(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
