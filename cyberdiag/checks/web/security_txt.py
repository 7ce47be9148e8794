"""web.security_txt: /.well-known/security.txt (RFC 9116) is served over HTTPS, with a contact and
an expiry date not passed."""

from __future__ import annotations

from datetime import UTC, datetime

from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.parsers import web as wp
from cyberdiag.checks.web.site import (
    Site,
    base_evidence,
    homes,
    no_https_result,
    raise_unreachable,
    shown,
    time_left,
)
from cyberdiag.errors import ParseError
from cyberdiag.models import CheckResult, Status
from cyberdiag.net.http import HttpResponse, fetch_chain

SECURITY_TXT_MAX_BYTES = 32768

_STXT_TEXT: dict[str, tuple[str, str]] = {
    "no_contact": ("champ Contact absent", "no Contact field"),
    "no_expires": ("champ Expires absent", "no Expires field"),
    "expired": ("date d'expiration dépassée", "expiry date passed"),
    "expires_too_far": ("expiration à plus d'un an", "expires more than a year ahead"),
    "bad_expires": ("date Expires invalide", "invalid Expires date"),
    "multiple_expires": ("plusieurs champs Expires", "several Expires fields"),
    "multiple_preferred_languages": (
        "plusieurs champs Preferred-Languages",
        "several Preferred-Languages fields",
    ),
    "bad_contact": (
        "Contact n'est pas une adresse mailto:, https: ou tel:",
        "Contact is not a mailto:, https: or tel: URI",
    ),
    "invalid_line": ("lignes invalides", "invalid lines"),
    "canonical_mismatch": ("Canonical ne correspond pas à l'adresse", "Canonical does not match"),
    "content_type": ("type de contenu autre que text/plain", "content type other than text/plain"),
    "legacy_location": (
        "publié à la racine (/security.txt) au lieu de /.well-known/",
        "published at the root (/security.txt) instead of /.well-known/",
    ),
}
_STXT_FAIL = {"no_contact", "no_expires", "expired", "bad_expires"}


def _security_txt(ctx: CheckContext, site: Site) -> tuple[HttpResponse | None, bool]:
    """(response holding the file, found at the legacy location) or (None, False)."""
    timeout = time_left(ctx)

    def compute() -> tuple[HttpResponse | None, bool]:
        for path, legacy in (("/.well-known/security.txt", False), ("/security.txt", True)):
            hop = fetch_chain(
                site.host,
                site.ips,
                path,
                tls=True,
                resolve=site.resolve,
                timeout=timeout,
                max_bytes=SECURITY_TXT_MAX_BYTES,
            )
            final = hop.final
            if final.status == 200 and final.url.startswith("https://"):
                return final, legacy
        return None, False

    out: tuple[HttpResponse | None, bool] = ctx.remember(
        ("web", site.host, "security.txt"), compute
    )
    return out


def security_txt_core(ctx: CheckContext, site: Site) -> CheckResult:
    """/.well-known/security.txt (RFC 9116): present, Contact and Expires, not expired."""
    cid = "web.security_txt"
    https, http = homes(ctx, site)
    raise_unreachable(site, https, http)
    if https.error is not None:
        return no_https_result(cid, site, https, "fail")
    resp, legacy = _security_txt(ctx, site)
    ev = base_evidence(site)
    st: wp.SecurityTxt | None = None
    if resp is not None:
        ev |= {"url": resp.url, "content_type": resp.header("content-type")}
        try:
            st = wp.parse_security_txt(resp.text())
        except ParseError as exc:
            ev["error"] = exc.code
    if resp is None or st is None:
        return result(
            cid,
            site.host,
            "fail",
            f"Pas de fichier security.txt valide sur https://{site.host}/.well-known/security.txt "
            ": personne ne sait comment signaler une faille à la commune.",
            f"No valid security.txt at https://{site.host}/.well-known/security.txt: nobody "
            "knows how to report a vulnerability to the municipality.",
            ev,
        )
    now = datetime.now(UTC)
    issues = wp.security_txt_issues(st, now, resp.url)
    ctype = (resp.header("content-type") or "").split(";")[0].strip().lower()
    if ctype != "text/plain":
        issues.append("content_type")
    if legacy:
        issues.append("legacy_location")
    ev |= {
        "contact": st.contacts[:5],
        "expires": st.expires.isoformat() if st.expires else None,
        "signed": st.signed,
        "issues": issues,
    }
    if not issues:
        assert st.expires is not None
        return result(
            cid,
            site.host,
            "pass",
            f"security.txt valide (contact : {shown(st.contacts[0], 80)}, expire le "
            f"{st.expires:%d/%m/%Y}).",
            f"Valid security.txt (contact: {shown(st.contacts[0], 80)}, expires on "
            f"{st.expires:%Y-%m-%d}).",
            ev,
        )
    status: Status = "fail" if set(issues) & _STXT_FAIL else "warn"
    return result(
        cid,
        site.host,
        status,
        "security.txt à corriger : "
        + " ; ".join(_STXT_TEXT.get(i, (i, i))[0] for i in issues)
        + ".",
        "security.txt to fix: " + "; ".join(_STXT_TEXT.get(i, (i, i))[1] for i in issues) + ".",
        ev,
    )
