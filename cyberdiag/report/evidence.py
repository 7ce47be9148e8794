"""Evidence of a check result, shown pretty and bounded.

Evidence can be huge (a whole certificate chain, a 4 KB DKIM key, every HTTP header): it is
dumped as indented JSON and truncated with a visible marker. The output is plain text: the
template escapes it.
"""

from __future__ import annotations

import json
from typing import Any

from cyberdiag.i18n import Lang, tr
from cyberdiag.report.frtypo import format_number

MAX_CHARS = 2500
MAX_LINES = 40
KEY_VALUE_CHARS = 140
KEY_ITEMS = 3


def _marker(extra: int, lang: Lang) -> str:
    n = format_number(extra, lang)
    return tr(
        f"… [tronqué : {n} caractères de plus]",
        f"… [truncated: {n} more characters]",
        lang,
    )


def pretty(evidence: dict[str, Any], lang: Lang, max_chars: int = MAX_CHARS) -> str:
    """Indented JSON of the evidence, cut at `max_chars` / MAX_LINES with a visible marker."""
    if not evidence:
        return ""
    text = json.dumps(evidence, indent=2, ensure_ascii=False, default=str)
    lines = text.splitlines()
    cut = text
    if len(lines) > MAX_LINES:
        cut = "\n".join(lines[:MAX_LINES])
    if len(cut) > max_chars:
        cut = cut[:max_chars]
    if len(cut) < len(text):
        return cut + "\n" + _marker(len(text) - len(cut), lang)
    return text


def _short(value: Any, lang: Lang) -> str:
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > KEY_VALUE_CHARS:
        return text[:KEY_VALUE_CHARS] + " " + _marker(len(text) - KEY_VALUE_CHARS, lang)
    return text


def key_items(evidence: dict[str, Any], lang: Lang) -> list[tuple[str, str]]:
    """A few (key, short value) pairs for the domain pages; scalars first."""
    items = sorted(evidence.items(), key=lambda kv: not isinstance(kv[1], str | int | float | bool))
    return [(str(k)[:60], _short(v, lang)) for k, v in items[:KEY_ITEMS]]


# --------------------------------------------------------------------------------------------
# Key facts for the technical annex: what was looked at, and what was found there
# --------------------------------------------------------------------------------------------

FACT_CHARS = 180
# Evidence keys naming what was looked at (a DNS name, a URL, a host), most precise first.
_RECORD_KEYS = ("name", "url", "host", "checked", "zone", "official_email")
# Evidence keys holding what was found there, most telling first.
_VALUE_KEYS = (
    "records",
    "record",
    "txt",
    "hsts",
    "tlsa",
    "headers",
    "cookies",
    "disclosures",
    "policy",
    "mx",
    "legacy_offered",
    "servers",
    "open_ports",
    "ports",
)


def _none(lang: Lang) -> str:
    return tr("aucun", "none", lang)


def readable(value: Any, lang: Lang) -> str:
    """A value of the evidence as a short plain sentence fragment (no JSON punctuation)."""
    if value is None or value == "" or value == [] or value == {}:
        return _none(lang)
    if isinstance(value, bool):
        return tr("oui", "yes", lang) if value else tr("non", "no", lang)
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list):
        return " ; ".join(_item(v, lang) for v in value)
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            if isinstance(v, dict) and "verdict" in v:
                v = v["verdict"]
            shown = _item(v, lang) if isinstance(v, dict) else readable(v, lang)
            parts.append(f"{k} : {shown}")
        return " ; ".join(parts)
    return str(value)


def _item(value: Any, lang: Lang) -> str:
    """One element of a list: a dict is named by its most telling field."""
    if isinstance(value, dict):
        for key in ("value", "name", "host", "url", "port", "id"):
            if value.get(key) not in (None, ""):
                return str(value[key])
        scalars = [f"{k}={v}" for k, v in value.items() if isinstance(v, str | int | float)]
        return ", ".join(scalars[:4]) or _none(lang)
    return readable(value, lang)


def _bounded(text: str, lang: Lang) -> str:
    text = " ".join(text.split())
    if len(text) > FACT_CHARS:
        return text[:FACT_CHARS] + " " + _marker(len(text) - FACT_CHARS, lang)
    return text


# What a provider would look up, by check (DNS record type and name, URL, header).
_RECORDS = {
    "dns.caa": "CAA {target}",
    "dns.dnssec": "DS / DNSKEY {target}",
    "dns.ns": "NS {target}",
    "mail.mx": "MX {target}",
    "mail.spf": "TXT {target}",
    "mail.dmarc": "TXT {name}",
    "mail.dkim": "TXT *._domainkey.{target}",
    "mail.mta_sts": "TXT _mta-sts.{target}",
    "mail.tls_rpt": "TXT _smtp._tls.{target}",
    "mail.dane": "TLSA _25._tcp.<MX>",
    "web.hsts": "Strict-Transport-Security {url}",
    "web.security_txt": "https://{host}/.well-known/security.txt",
    "web.versions": "Server, X-Powered-By {host}",
}


class _Fields(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return self.get("target", "")


def facts(
    evidence: dict[str, Any], target: str, lang: Lang, check_id: str = ""
) -> tuple[str, str]:
    """(what was looked at, what was found there) for the annex's table, both short."""
    record = next((str(evidence[k]) for k in _RECORD_KEYS if evidence.get(k)), target)
    pattern = _RECORDS.get(check_id)
    if pattern is not None:
        fields = _Fields({k: str(v) for k, v in evidence.items() if isinstance(v, str)})
        fields["target"] = target
        record = pattern.format_map(fields)
    key = next((k for k in _VALUE_KEYS if k in evidence), None)
    if key is None:
        rest = {
            k: v
            for k, v in evidence.items()
            if k not in _RECORD_KEYS and k != "ips" and not isinstance(v, dict | list)
        }
        value = readable(rest, lang) if rest else _none(lang)
    else:
        value = readable(evidence[key], lang)
    return _bounded(record, lang), _bounded(value, lang)
