"""Pure parsers and judgements for the web checks: no I/O, no network.

HSTS (RFC 6797), Content-Security-Policy and the other security headers, Set-Cookie flags
(RFC 6265 / 6265bis), security.txt (RFC 9116), version disclosure in Server / X-Powered-By /
generator meta tags. Every function takes strings (at most what the HTTP client kept: bounded)
and either returns a value or raises ParseError; nothing else may come out (property-tested).
Issue codes are short stable strings; the web checks (cyberdiag.checks.web) turn them into
French/English text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from cyberdiag.errors import ParseError

Verdict = Literal["ok", "weak", "missing"]

# Limits on what is looked at (the HTTP client already bounds sizes; these bound CPU).
MAX_VALUE = 8192
MAX_TEXT = 65536

HSTS_SIX_MONTHS = 15_768_000  # 182.5 days, the usual lower bound (Mozilla Observatory)
HSTS_ONE_YEAR = 31_536_000  # required for the preload list



def _clean(value: str) -> str:
    return value[:MAX_VALUE].strip()


# --------------------------------------------------------------------------------------------
# HSTS
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hsts:
    max_age: int
    include_subdomains: bool
    preload: bool


_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def parse_hsts(value: str) -> Hsts:
    """Parse a Strict-Transport-Security value. Raises ParseError (no max-age, bad value,
    duplicate directive)."""
    seen: dict[str, str | None] = {}
    for raw in _clean(value).split(";"):
        part = raw.strip()
        if not part:
            continue
        name, sep, val = part.partition("=")
        name = name.strip().lower()
        if not _TOKEN.match(name):
            raise ParseError(f"hsts_syntax: {part[:80]}", code="hsts_syntax")
        v: str | None = None
        if sep:
            v = val.strip()
            if len(v) >= 2 and v[0] == v[-1] == '"':
                v = v[1:-1]
        if name in seen:
            raise ParseError(f"hsts_duplicate: {name}", code="hsts_duplicate")
        seen[name] = v
    if "max-age" not in seen:
        raise ParseError("hsts_no_max_age", code="hsts_no_max_age")
    age = seen["max-age"]
    if age is None or not age.isdigit() or not age.isascii() or len(age) > 12:
        raise ParseError(f"hsts_bad_max_age: {str(age)[:40]}", code="hsts_bad_max_age")
    return Hsts(
        max_age=int(age),
        include_subdomains="includesubdomains" in seen,
        preload="preload" in seen,
    )


# --------------------------------------------------------------------------------------------
# Content-Security-Policy and the other security headers
# --------------------------------------------------------------------------------------------


def parse_csp(value: str) -> list[dict[str, list[str]]]:
    """A CSP header value -> list of policies (comma-separated), each {directive: sources}.
    Directive names are lower-cased; the first occurrence of a directive wins (CSP3)."""
    policies: list[dict[str, list[str]]] = []
    for policy_text in _clean(value).split(","):
        policy: dict[str, list[str]] = {}
        for raw in policy_text.split(";"):
            tokens = raw.split()
            if not tokens:
                continue
            name = tokens[0].lower()
            if not re.match(r"^[a-z0-9-]+$", name):
                continue
            policy.setdefault(name, tokens[1:])
        if policy:
            policies.append(policy)
    return policies


@dataclass(frozen=True)
class HeaderVerdict:
    """One security protection: key in {csp, xcto, frame, referrer}."""

    key: str
    verdict: Verdict
    value: str | None
    issues: tuple[str, ...] = ()


def _script_issues(policy: dict[str, list[str]]) -> list[str]:
    sources = policy.get("script-src", policy.get("default-src"))
    if sources is None:
        return ["csp_no_script_src"]
    low = [s.lower() for s in sources]
    issues: list[str] = []
    has_nonce_or_hash = any(
        s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for s in low
    )
    if "'unsafe-inline'" in low and not has_nonce_or_hash and "'strict-dynamic'" not in low:
        issues.append("csp_unsafe_inline")
    if "'unsafe-eval'" in low:
        issues.append("csp_unsafe_eval")
    if "'strict-dynamic'" not in low:
        if "*" in low:
            issues.append("csp_wildcard")
        if any(s in ("http:", "https:", "data:", "http://*", "https://*") for s in low):
            issues.append("csp_scheme_source")
    return issues


def judge_csp(values: list[str]) -> HeaderVerdict:
    """Content-Security-Policy (every header is enforced: the strictest policy counts)."""
    if not values:
        return HeaderVerdict("csp", "missing", None)
    policies = [p for v in values for p in parse_csp(v)]
    joined = ", ".join(v[:500] for v in values)
    if not policies:
        return HeaderVerdict("csp", "weak", joined, ("csp_empty",))
    # several policies are all enforced: the best one for scripts decides
    best = min((_script_issues(p) for p in policies), key=len)
    return HeaderVerdict("csp", "weak" if best else "ok", joined, tuple(best))


def frame_ancestors(values: list[str]) -> list[str] | None:
    """The frame-ancestors sources of the first policy that sets them, or None."""
    for v in values:
        for p in parse_csp(v):
            if "frame-ancestors" in p:
                return p["frame-ancestors"]
    return None


def judge_frame(csp_values: list[str], xfo_values: list[str]) -> HeaderVerdict:
    """Protection against framing (clickjacking): CSP frame-ancestors, else X-Frame-Options."""
    fa = frame_ancestors(csp_values)
    if fa is not None:
        value = "frame-ancestors " + " ".join(fa)
        low = [s.lower() for s in fa]
        if "*" in low or any(s in ("http:", "https:") for s in low):
            return HeaderVerdict("frame", "weak", value, ("frame_ancestors_wildcard",))
        return HeaderVerdict("frame", "ok", value)
    if not xfo_values:
        return HeaderVerdict("frame", "missing", None)
    xfo = _clean(xfo_values[0])
    first = xfo.split(",")[0].strip().lower()
    if first in ("deny", "sameorigin"):
        return HeaderVerdict("frame", "ok", xfo)
    if first.startswith("allow-from"):
        return HeaderVerdict("frame", "weak", xfo, ("xfo_allow_from",))
    return HeaderVerdict("frame", "weak", xfo, ("xfo_invalid",))


def judge_xcto(values: list[str]) -> HeaderVerdict:
    if not values:
        return HeaderVerdict("xcto", "missing", None)
    v = _clean(values[0])
    if v.split(",")[0].strip().lower() == "nosniff":
        return HeaderVerdict("xcto", "ok", v)
    return HeaderVerdict("xcto", "weak", v, ("xcto_invalid",))


REFERRER_GOOD = ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
REFERRER_LEAKY = ("origin", "origin-when-cross-origin", "no-referrer-when-downgrade", "unsafe-url")


def judge_referrer(values: list[str]) -> HeaderVerdict:
    """Referrer-Policy: the last recognised token of the last header wins (as in browsers)."""
    if not values:
        return HeaderVerdict("referrer", "missing", None)
    joined = ", ".join(_clean(v) for v in values)
    tokens = [t.strip().lower() for t in joined.split(",")]
    known = [t for t in tokens if t in REFERRER_GOOD + REFERRER_LEAKY]
    if not known:
        return HeaderVerdict("referrer", "weak", joined, ("referrer_invalid",))
    if known[-1] in REFERRER_LEAKY:
        return HeaderVerdict("referrer", "weak", joined, ("referrer_leaky",))
    return HeaderVerdict("referrer", "ok", joined)


def header_values(headers: list[tuple[str, str]], name: str) -> list[str]:
    low = name.lower()
    return [v for k, v in headers if k.lower() == low]


def judge_headers(headers: list[tuple[str, str]]) -> list[HeaderVerdict]:
    """The four protections judged on one response's headers, in a fixed order."""
    csp = header_values(headers, "content-security-policy")
    return [
        judge_csp(csp),
        judge_xcto(header_values(headers, "x-content-type-options")),
        judge_frame(csp, header_values(headers, "x-frame-options")),
        judge_referrer(header_values(headers, "referrer-policy")),
    ]


# --------------------------------------------------------------------------------------------
# Set-Cookie
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cookie:
    name: str
    secure: bool
    httponly: bool
    samesite: str | None  # "strict" | "lax" | "none" | other text as given (lower-cased)
    domain: str | None = None
    path: str | None = None


def parse_set_cookie(value: str) -> Cookie:
    """One Set-Cookie header value -> its name and flags (the value itself is not kept).
    Raises ParseError when there is no name=value pair (browsers ignore such a header)."""
    parts = _clean(value).split(";")
    pair = parts[0]
    if "=" not in pair:
        raise ParseError(f"cookie_no_pair: {pair[:40]}", code="cookie_no_pair")
    name = pair.split("=", 1)[0].strip()
    if not name:
        raise ParseError("cookie_no_name", code="cookie_no_name")
    secure = httponly = False
    samesite: str | None = None
    domain: str | None = None
    path: str | None = None
    for attr in parts[1:]:
        key, _, val = attr.strip().partition("=")
        key = key.strip().lower()
        val = val.strip()
        if key == "secure":
            secure = True
        elif key == "httponly":
            httponly = True
        elif key == "samesite":
            samesite = val.lower()[:40]
        elif key == "domain":
            domain = val[:255] or None
        elif key == "path":
            path = val[:255] or None
    return Cookie(name[:200], secure, httponly, samesite, domain, path)


def cookie_issues(cookie: Cookie, https: bool = True) -> list[str]:
    """Issue codes for a cookie set by a site (https: the site is served over HTTPS)."""
    issues: list[str] = []
    if https and not cookie.secure:
        issues.append("cookie_no_secure")
    if not cookie.httponly:
        issues.append("cookie_no_httponly")
    if cookie.samesite is None:
        issues.append("cookie_no_samesite")
    elif cookie.samesite not in ("strict", "lax", "none"):
        issues.append("cookie_bad_samesite")
    elif cookie.samesite == "none" and not cookie.secure:
        issues.append("cookie_samesite_none_insecure")
    if cookie.name.startswith("__Secure-") and not cookie.secure:
        issues.append("cookie_bad_prefix")
    if cookie.name.startswith("__Host-") and (
        not cookie.secure or cookie.domain is not None or cookie.path != "/"
    ):
        issues.append("cookie_bad_prefix")
    return issues


# --------------------------------------------------------------------------------------------
# security.txt (RFC 9116)
# --------------------------------------------------------------------------------------------

SECURITY_TXT_FIELDS = (
    "acknowledgments",
    "canonical",
    "contact",
    "encryption",
    "expires",
    "hiring",
    "policy",
    "preferred-languages",
    "csaf",
)
_FIELD_LINE = re.compile(r"^([A-Za-z0-9-]{1,64}):[ \t]*(.*?)[ \t]*$")
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)


@dataclass(frozen=True)
class SecurityTxt:
    """A parsed security.txt. fields: lower-cased name -> values, in order. errors: codes of
    RFC 9116 violations found while parsing (missing Contact/Expires are judged separately)."""

    fields: dict[str, list[str]]
    expires: datetime | None
    signed: bool
    errors: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()

    @property
    def contacts(self) -> list[str]:
        return self.fields.get("contact", [])


def parse_rfc3339(text: str) -> datetime:
    t = text.strip()
    if not _RFC3339.match(t):
        raise ParseError(f"bad_datetime: {t[:60]}", code="bad_datetime")
    t = t.upper().replace(" ", "T").replace("Z", "+00:00")
    frac = re.search(r"\.(\d+)", t)
    if frac and len(frac.group(1)) > 6:  # Python keeps microseconds at most
        t = t.replace(frac.group(0), "." + frac.group(1)[:6])
    try:
        return datetime.fromisoformat(t).astimezone(UTC)
    except ValueError as exc:  # e.g. month 13
        raise ParseError(f"bad_datetime: {text[:60]}", code="bad_datetime") from exc


def _strip_signature(lines: list[str]) -> tuple[list[str], bool]:
    if not lines or lines[0].strip() != "-----BEGIN PGP SIGNED MESSAGE-----":
        return lines, False
    body: list[str] = []
    i = 1
    while i < len(lines) and lines[i].strip():  # armor headers ("Hash: SHA256")
        i += 1
    for line in lines[i + 1 :]:
        if line.strip() == "-----BEGIN PGP SIGNATURE-----":
            return body, True
        body.append(line[2:] if line.startswith("- ") else line)
    raise ParseError("bad_signature: no signature block", code="bad_signature")


def parse_security_txt(text: str) -> SecurityTxt:
    """Parse a security.txt file. Raises ParseError when the text holds no field at all (e.g.
    an HTML page served in its place) or a broken PGP envelope."""
    lines = text[:MAX_TEXT].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines, signed = _strip_signature(lines)
    fields: dict[str, list[str]] = {}
    errors: list[str] = []
    unknown: list[str] = []
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _FIELD_LINE.match(line)
        if not m:
            errors.append("invalid_line")
            continue
        name, value = m.group(1).lower(), m.group(2)
        if name not in SECURITY_TXT_FIELDS:
            unknown.append(name[:64])
        fields.setdefault(name, []).append(value[:2048])
    if not fields:
        raise ParseError("not_security_txt", code="not_security_txt")
    expires: datetime | None = None
    exp_values = fields.get("expires", [])
    if len(exp_values) > 1:
        errors.append("multiple_expires")
    if exp_values:
        try:
            expires = parse_rfc3339(exp_values[0])
        except ParseError:
            errors.append("bad_expires")
    if len(fields.get("preferred-languages", [])) > 1:
        errors.append("multiple_preferred_languages")
    for contact in fields.get("contact", []):
        if not re.match(r"^(mailto:|https://|tel:)\S+$", contact, re.IGNORECASE):
            errors.append("bad_contact")
            break
    return SecurityTxt(fields, expires, signed, tuple(dict.fromkeys(errors)), tuple(unknown))


def security_txt_issues(st: SecurityTxt, now: datetime, url: str | None = None) -> list[str]:
    """Issue codes: missing Contact/Expires, expired, Expires more than a year ahead, Canonical
    not matching the URL it was fetched from, and the parse errors."""
    issues: list[str] = []
    if not st.contacts:
        issues.append("no_contact")
    if not st.fields.get("expires"):
        issues.append("no_expires")
    elif st.expires is not None:
        if st.expires <= now:
            issues.append("expired")
        elif st.expires - now > timedelta(days=366):
            issues.append("expires_too_far")
    issues += list(st.errors)
    canon = st.fields.get("canonical", [])
    if url and canon and url not in canon:
        issues.append("canonical_mismatch")
    return list(dict.fromkeys(issues))


# --------------------------------------------------------------------------------------------
# Version disclosure
# --------------------------------------------------------------------------------------------

DISCLOSING_HEADERS = (
    "server",
    "x-powered-by",
    "x-aspnet-version",
    "x-aspnetmvc-version",
    "x-generator",
    "x-runtime-version",
    "liferay-portal",
    "x-owa-version",
)
_VERSION = re.compile(r"(?<![A-Za-z0-9])v?(\d+\.\d+(?:\.\d+)*[a-z0-9.+~-]*|\d+(?=$|[\s;()]))")
_SLASH_VERSION = re.compile(r"/v?(\d+(?:\.\d+)*)")
_META = re.compile(r"<meta\b([^<>]{0,2000})>", re.IGNORECASE)
_ATTR = re.compile(r"""([A-Za-z_:-]{1,40})\s*=\s*("([^"]*)"|'([^']*)'|([^\s"'>]+))""")


@dataclass(frozen=True)
class Disclosure:
    """Software named by a response: where (header name or "meta generator"), the text, and the
    version found in it (None: the software is named but not its version)."""

    source: str
    value: str
    version: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def find_version(value: str) -> str | None:
    m = _SLASH_VERSION.search(value)
    if m:
        return m.group(1)
    m = _VERSION.search(value)
    return m.group(1) if m else None


def meta_generators(html: str) -> list[str]:
    """Contents of <meta name="generator" content="..."> tags (bounded regex scan)."""
    out: list[str] = []
    for m in _META.finditer(html[:MAX_TEXT]):
        attrs: dict[str, str] = {}
        for a in _ATTR.finditer(m.group(1)):
            val = a.group(3) if a.group(3) is not None else a.group(4) or a.group(5) or ""
            attrs.setdefault(a.group(1).lower(), val)
        if attrs.get("name", "").strip().lower() == "generator" and attrs.get("content"):
            out.append(attrs["content"].strip()[:200])
        if len(out) >= 10:
            break
    return out


def version_disclosures(headers: list[tuple[str, str]], html: str = "") -> list[Disclosure]:
    """Software named in the disclosing headers and the generator meta tags."""
    out: list[Disclosure] = []
    for k, v in headers:
        name = k.lower()
        if name in DISCLOSING_HEADERS and v.strip():
            value = _clean(v)[:200]
            version = find_version(value)
            if name in ("x-aspnet-version", "x-aspnetmvc-version", "x-owa-version") and version:
                version = value
            out.append(Disclosure(k, value, version))
    out += [Disclosure("meta generator", g, find_version(g)) for g in meta_generators(html)]
    return out
