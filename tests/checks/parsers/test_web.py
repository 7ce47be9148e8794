"""Pure web parsers: literal headers/files, table-driven, plus random text (hypothesis)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberdiag.checks.parsers import web as wp

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

# ------------------------------------------------------------------------------------------
# HSTS
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "max_age", "subs", "preload"),
    [
        ("max-age=31536000; includeSubDomains; preload", 31536000, True, True),
        ("max-age=300", 300, False, False),
        ('max-age="600"; INCLUDESUBDOMAINS', 600, True, False),
        ("  max-age=0 ;", 0, False, False),
        ("includeSubDomains; max-age=15768000; unknown=1", 15768000, True, False),
    ],
)
def test_hsts_ok(value: str, max_age: int, subs: bool, preload: bool) -> None:
    assert wp.parse_hsts(value) == wp.Hsts(max_age, subs, preload)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "hsts_no_max_age"),
        ("includeSubDomains", "hsts_no_max_age"),
        ("max-age=abc", "hsts_bad_max_age"),
        ("max-age=-5", "hsts_bad_max_age"),
        ("max-age", "hsts_bad_max_age"),
        ("max-age=1; max-age=2", "hsts_duplicate"),
        ("max age=5", "hsts_syntax"),
        ("max-age=١٢", "hsts_bad_max_age"),  # non-ASCII digits
    ],
)
def test_hsts_bad(value: str, code: str) -> None:
    with pytest.raises(wp.ParseError) as exc:
        wp.parse_hsts(value)
    assert exc.value.code == code


# ------------------------------------------------------------------------------------------
# Security headers
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("csp", "verdict", "issues"),
    [
        ("default-src 'self'", "ok", ()),
        ("script-src 'self' 'nonce-abc' 'unsafe-inline'", "ok", ()),  # nonce cancels it
        ("default-src 'self'; script-src 'self' 'unsafe-inline'", "weak", ("csp_unsafe_inline",)),
        ("default-src *", "weak", ("csp_wildcard",)),
        ("default-src https:", "weak", ("csp_scheme_source",)),
        ("script-src 'strict-dynamic' 'nonce-x' https:", "ok", ()),
        ("img-src 'self'", "weak", ("csp_no_script_src",)),
        ("frame-ancestors 'none'", "weak", ("csp_no_script_src",)),
        (
            "default-src * 'unsafe-inline' 'unsafe-eval'",
            "weak",
            ("csp_unsafe_inline", "csp_unsafe_eval", "csp_wildcard"),
        ),
        # two policies in one header: both enforced, the strict one protects scripts
        ("default-src *, script-src 'self'", "ok", ()),
        (";;;", "weak", ("csp_empty",)),
    ],
)
def test_csp(csp: str, verdict: str, issues: tuple[str, ...]) -> None:
    v = wp.judge_csp([csp])
    assert (v.verdict, v.issues) == (verdict, issues)


def test_csp_first_directive_wins_and_case() -> None:
    assert wp.parse_csp("Script-Src 'self'; script-src *") == [{"script-src": ["'self'"]}]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            [
                ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"),
            ],
            {"csp": "ok", "xcto": "ok", "frame": "ok", "referrer": "ok"},
        ),
        ([], {"csp": "missing", "xcto": "missing", "frame": "missing", "referrer": "missing"}),
        (
            [
                ("x-frame-options", "DENY"),
                ("x-content-type-options", "NoSniff"),
                ("referrer-policy", "unsafe-url"),
            ],
            {"csp": "missing", "xcto": "ok", "frame": "ok", "referrer": "weak"},
        ),
        (
            [
                ("X-Frame-Options", "ALLOW-FROM https://a.test"),
                ("X-Content-Type-Options", "yes"),
                ("Referrer-Policy", "foo, strict-origin"),
            ],
            {"csp": "missing", "xcto": "weak", "frame": "weak", "referrer": "ok"},
        ),
        (
            # frame-ancestors takes precedence over X-Frame-Options
            [
                ("Content-Security-Policy", "default-src 'self'; frame-ancestors *"),
                ("X-Frame-Options", "DENY"),
                ("Referrer-Policy", "bogus"),
            ],
            {"csp": "ok", "xcto": "missing", "frame": "weak", "referrer": "weak"},
        ),
        (
            # last recognised Referrer-Policy token wins
            [("Referrer-Policy", "no-referrer, unsafe-url")],
            {"csp": "missing", "xcto": "missing", "frame": "missing", "referrer": "weak"},
        ),
    ],
)
def test_judge_headers(headers: list[tuple[str, str]], expected: dict[str, str]) -> None:
    assert {v.key: v.verdict for v in wp.judge_headers(headers)} == expected


# ------------------------------------------------------------------------------------------
# Cookies
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "name", "issues"),
    [
        ("sid=1; Path=/; Secure; HttpOnly; SameSite=Lax", "sid", []),
        (
            "sid=1; Path=/",
            "sid",
            ["cookie_no_secure", "cookie_no_httponly", "cookie_no_samesite"],
        ),
        ("a=b; secure; httponly; samesite=strict", "a", []),
        ("a=b; Secure; HttpOnly; SameSite=None", "a", []),
        (
            "a=b; HttpOnly; SameSite=None",
            "a",
            ["cookie_no_secure", "cookie_samesite_none_insecure"],
        ),
        ("a=b; Secure; HttpOnly; SameSite=Maybe", "a", ["cookie_bad_samesite"]),
        (
            "__Host-x=1; Secure; HttpOnly; SameSite=Lax; Path=/; Domain=a.test",
            "__Host-x",
            ["cookie_bad_prefix"],
        ),
        (
            "__Secure-x=1; HttpOnly; SameSite=Lax",
            "__Secure-x",
            [
                "cookie_no_secure",
                "cookie_bad_prefix",
            ],
        ),
        ("  x = y ;Secure;HttpOnly;SameSite=Lax", "x", []),
        ("empty=; Secure; HttpOnly; SameSite=Lax", "empty", []),
    ],
)
def test_cookies(header: str, name: str, issues: list[str]) -> None:
    c = wp.parse_set_cookie(header)
    assert c.name == name
    assert wp.cookie_issues(c) == issues


def test_cookie_over_http_needs_no_secure() -> None:
    c = wp.parse_set_cookie("a=b; HttpOnly; SameSite=Lax")
    assert wp.cookie_issues(c, https=False) == []


@pytest.mark.parametrize("header", ["", "novalue", "=x; Secure", "; Secure"])
def test_cookie_invalid(header: str) -> None:
    with pytest.raises(wp.ParseError):
        wp.parse_set_cookie(header)


# ------------------------------------------------------------------------------------------
# security.txt
# ------------------------------------------------------------------------------------------

GOOD_TXT = """# Mairie de Ville-A
Contact: mailto:securite@ville-a.test
Contact: https://ville-a.test/signaler
Expires: 2026-12-31T23:00:00.000Z
Preferred-Languages: fr, en
Canonical: https://www.ville-a.test/.well-known/security.txt
"""

SIGNED_TXT = """-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA256

Contact: mailto:securite@ville-a.test
Expires: 2026-09-01T00:00:00+02:00
- Policy: https://ville-a.test/politique
-----BEGIN PGP SIGNATURE-----

iQIzBAEBCAAdFiEE
-----END PGP SIGNATURE-----
"""


def test_security_txt_good() -> None:
    st_ = wp.parse_security_txt(GOOD_TXT)
    assert st_.contacts == ["mailto:securite@ville-a.test", "https://ville-a.test/signaler"]
    assert st_.expires == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    url = "https://www.ville-a.test/.well-known/security.txt"
    assert wp.security_txt_issues(st_, NOW, url) == []
    assert wp.security_txt_issues(st_, NOW, "https://autre.test/.well-known/security.txt") == [
        "canonical_mismatch"
    ]


def test_security_txt_signed_crlf() -> None:
    st_ = wp.parse_security_txt(SIGNED_TXT.replace("\n", "\r\n"))
    assert st_.signed
    assert st_.fields["policy"] == ["https://ville-a.test/politique"]
    assert st_.expires == datetime(2026, 8, 31, 22, 0, tzinfo=UTC)
    assert wp.security_txt_issues(st_, NOW) == []


@pytest.mark.parametrize(
    ("text", "issues"),
    [
        ("Expires: 2026-12-31T23:00:00Z\n", ["no_contact"]),
        ("Contact: mailto:a@b.test\n", ["no_expires"]),
        ("Contact: mailto:a@b.test\nExpires: 2026-01-01T00:00:00Z\n", ["expired"]),
        ("Contact: mailto:a@b.test\nExpires: 2030-01-01T00:00:00Z\n", ["expires_too_far"]),
        ("Contact: mailto:a@b.test\nExpires: 31/12/2026\n", ["bad_expires"]),
        ("Contact: mailto:a@b.test\nExpires: 2026-12-31T23:00:00\n", ["bad_expires"]),  # no tz
        ("Contact: mailto:a@b.test\nExpires: 2026-13-01T00:00:00Z\n", ["bad_expires"]),
        (
            "Contact: mailto:a@b.test\nExpires: 2026-12-01T00:00:00Z\n"
            "Expires: 2026-11-01T00:00:00Z\n",
            ["multiple_expires"],
        ),
        ("Contact: a@b.test\nExpires: 2026-12-01T00:00:00Z\n", ["bad_contact"]),
        (
            "Contact: mailto:a@b.test\nExpires: 2026-12-01T00:00:00Z\nnot a field\n",
            ["invalid_line"],
        ),
    ],
)
def test_security_txt_issues(text: str, issues: list[str]) -> None:
    assert wp.security_txt_issues(wp.parse_security_txt(text), NOW) == issues


@pytest.mark.parametrize(
    "text",
    [
        "",
        "<!doctype html><html><body>Not found</body></html>",
        "# only comments\n\n",
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:a@b.test\n",
    ],
)
def test_security_txt_not_a_file(text: str) -> None:
    with pytest.raises(wp.ParseError):
        wp.parse_security_txt(text)


def test_expires_fraction_beyond_microseconds() -> None:
    assert wp.parse_rfc3339("2026-12-31T23:00:00.123456789Z") == datetime(
        2026, 12, 31, 23, 0, 0, 123456, tzinfo=UTC
    )


def test_expires_far_boundary() -> None:
    text = f"Contact: mailto:a@b.test\nExpires: {(NOW + timedelta(days=365)):%Y-%m-%dT%H:%M:%SZ}\n"
    assert wp.security_txt_issues(wp.parse_security_txt(text), NOW) == []


# ------------------------------------------------------------------------------------------
# Versions
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "version"),
    [
        ("nginx/1.22.1", "1.22.1"),
        ("nginx", None),
        ("Apache/2.4.41 (Ubuntu)", "2.4.41"),
        ("Apache", None),
        ("Microsoft-IIS/10.0", "10.0"),
        ("PHP/7.4.3", "7.4.3"),
        ("WordPress 6.4.2", "6.4.2"),
        ("Joomla! - Open Source Content Management", None),
        ("cloudflare", None),
        ("Drupal 10 (https://www.drupal.org)", "10"),
        ("ASP.NET", None),
    ],
)
def test_find_version(value: str, version: str | None) -> None:
    assert wp.find_version(value) == version


def test_version_disclosures() -> None:
    headers = [
        ("Server", "nginx/1.22.1"),
        ("X-Powered-By", "PHP/7.4.3"),
        ("X-AspNet-Version", "4.0.30319"),
        ("Content-Type", "text/html"),
        ("X-Powered-By", "ASP.NET"),
    ]
    html = (
        "<html><head><META content='WordPress 6.4.2' NAME=generator>"
        '<meta name="description" content="Mairie 1.2">'
        "<meta name=generator content=Joomla!>"
    )
    got = [(d.source, d.value, d.version) for d in wp.version_disclosures(headers, html)]
    assert got == [
        ("Server", "nginx/1.22.1", "1.22.1"),
        ("X-Powered-By", "PHP/7.4.3", "7.4.3"),
        ("X-AspNet-Version", "4.0.30319", "4.0.30319"),
        ("X-Powered-By", "ASP.NET", None),
        ("meta generator", "WordPress 6.4.2", "6.4.2"),
        ("meta generator", "Joomla!", None),
    ]


# ------------------------------------------------------------------------------------------
# Random text: only ParseError (or nothing) may come out, quickly
# ------------------------------------------------------------------------------------------

TEXT = st.text(max_size=400)
HEADERISH = st.text(alphabet=st.sampled_from(list("abc=;, '\"*-:\t0123456789xX")), max_size=200)


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXT, HEADERISH))
def test_random_text_parsers(text: str) -> None:
    for fn in (wp.parse_hsts, wp.parse_set_cookie, wp.parse_security_txt, wp.parse_rfc3339):
        try:
            fn(text)
        except wp.ParseError:
            pass
    wp.parse_csp(text)
    wp.judge_headers([("Content-Security-Policy", text), ("Referrer-Policy", text)])
    wp.judge_frame([text], [text])
    wp.judge_xcto([text])
    wp.find_version(text)
    wp.meta_generators(text)
    wp.version_disclosures([("Server", text)], text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Contact: ",
                "Expires: ",
                "#",
                "\n",
                "mailto:x",
                "2026-01-01T",
                "00:00:00Z",
                "-----BEGIN PGP SIGNED MESSAGE-----",
                "\r\n",
                "-----BEGIN PGP SIGNATURE-----",
                "- ",
                "Hash: x",
            ]
        ),
        max_size=30,
    )
)
def test_random_security_txt(parts: list[str]) -> None:
    text = "".join(parts)
    try:
        parsed = wp.parse_security_txt(text)
    except wp.ParseError:
        return
    wp.security_txt_issues(parsed, NOW, "https://x.test/.well-known/security.txt")


def test_huge_inputs_are_bounded() -> None:
    t0 = time.monotonic()
    wp.meta_generators("<meta " + "a" * 5_000_000)
    wp.meta_generators("<meta name=generator " * 200_000)
    wp.judge_headers([("Content-Security-Policy", "default-src " + "x " * 1_000_000)])
    try:
        wp.parse_security_txt("Contact: x\n" * 1_000_000)
    except wp.ParseError:
        pass
    assert time.monotonic() - t0 < 3
