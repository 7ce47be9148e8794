"""web.certificate: the HTTPS certificate is trusted, valid for the name and in date, with a strong
key and signature."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.web.site import (
    Site,
    base_evidence,
    shown,
    tls_session_or_result,
)
from cyberdiag.models import CheckResult
from cyberdiag.net.tls import CertInfo, TlsInfo

CERT_WARN_DAYS = 30
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256

# OpenSSL verification errors that the certificate check reports in its own words.
_VERIFY_ERRORS_JUDGED_APART = (
    "expired",
    "hostname mismatch",
    "ip address mismatch",
    "not yet valid",
    "too weak",
)


def name_matches(host: str, sans: list[str]) -> bool:
    """RFC 6125 matching of a host name against DNS SANs (one left-most wildcard label)."""
    h = host.lower().rstrip(".")
    for san in sans:
        s = san.lower().rstrip(".")
        if s == h:
            return True
        if s.startswith("*.") and "." in h:
            if h.split(".", 1)[1] == s[2:] and s.count(".") >= 2:
                return True
    return False


def certificate_core(ctx: CheckContext, site: Site) -> CheckResult:
    """Certificate of the HTTPS site: dates, name, chain of trust, key, signature."""
    cid = "web.certificate"
    info = tls_session_or_result(ctx, site, cid)
    if isinstance(info, CheckResult):
        return info
    ev = base_evidence(site) | {"tls": info.evidence()}
    why = shown(info.verify_error or "", 200)
    if info.cert is None:
        return result(
            cid,
            site.host,
            "fail",
            f"Impossible d'établir une session TLS avec {site.host} ({why}).",
            f"No TLS session could be set up with {site.host} ({why}).",
            ev,
        )
    cert = info.cert
    now = datetime.now(UTC)
    ev["days_left"] = int((cert.not_after - now).total_seconds() / 86400)
    fails_fr, fails_en, warns_fr, warns_en = _problems(site.host, info, cert, now)
    if fails_fr:
        return result(
            cid,
            site.host,
            "fail",
            "Certificat invalide : " + " ; ".join(fails_fr + warns_fr) + ".",
            "Invalid certificate: " + "; ".join(fails_en + warns_en) + ".",
            ev,
        )
    if warns_fr:
        return result(
            cid,
            site.host,
            "warn",
            "Certificat valide mais qui " + " ; ".join(warns_fr) + " : à renouveler.",
            "Valid certificate, but it " + "; ".join(warns_en) + ": renew it.",
            ev,
        )
    return result(
        cid,
        site.host,
        "pass",
        f"Certificat valide jusqu'au {cert.not_after:%d/%m/%Y} ({cert.key_type} "
        f"{cert.key_bits} bits, émis par {shown(cert.issuer, 120)}).",
        f"Valid certificate until {cert.not_after:%Y-%m-%d} ({cert.key_type} "
        f"{cert.key_bits} bits, issued by {shown(cert.issuer, 120)}).",
        ev,
    )


def _problems(
    host: str, info: TlsInfo, cert: CertInfo, now: datetime
) -> tuple[list[str], list[str], list[str], list[str]]:
    """What is wrong with the certificate: (fails_fr, fails_en, warns_fr, warns_en). Dates, name,
    chain of trust, key size and signature algorithm, in that order."""
    why = shown(info.verify_error or "", 200)
    fails_fr: list[str] = []
    fails_en: list[str] = []
    warns_fr: list[str] = []
    warns_en: list[str] = []
    days_left = (cert.not_after - now).total_seconds() / 86400
    if cert.not_after <= now:
        fails_fr.append(f"expiré depuis le {cert.not_after:%d/%m/%Y}")
        fails_en.append(f"expired on {cert.not_after:%Y-%m-%d}")
    elif cert.not_before > now:
        fails_fr.append(f"pas encore valide (à partir du {cert.not_before:%d/%m/%Y})")
        fails_en.append(f"not valid yet (from {cert.not_before:%Y-%m-%d})")
    elif now + timedelta(days=CERT_WARN_DAYS) >= cert.not_after:
        warns_fr.append(f"expire dans {int(days_left)} jours ({cert.not_after:%d/%m/%Y})")
        warns_en.append(f"expires in {int(days_left)} days ({cert.not_after:%Y-%m-%d})")
    if not name_matches(host, cert.sans):
        fails_fr.append(f"non valable pour le nom {host}")
        fails_en.append(f"not valid for the name {host}")
    err = (info.verify_error or "").lower()
    if cert.self_signed:
        fails_fr.append("auto-signé (aucune autorité de confiance)")
        fails_en.append("self-signed (no trusted authority)")
    elif not info.verified and not any(k in err for k in _VERIFY_ERRORS_JUDGED_APART):
        fails_fr.append(f"chaîne de confiance non vérifiable ({why})")
        fails_en.append(f"chain of trust cannot be verified ({why})")
    weak = (cert.key_type in ("RSA", "DSA") and cert.key_bits < MIN_RSA_BITS) or (
        cert.key_type == "EC" and cert.key_bits < MIN_EC_BITS
    )
    if weak:
        fails_fr.append(f"clé trop faible ({cert.key_type} {cert.key_bits} bits)")
        fails_en.append(f"key too weak ({cert.key_type} {cert.key_bits} bits)")
    sig = cert.sig_alg.lower()
    if "sha1" in sig.replace("-", "") or "md5" in sig:
        fails_fr.append(f"signature obsolète ({cert.sig_alg})")
        fails_en.append(f"obsolete signature ({cert.sig_alg})")
    return fails_fr, fails_en, warns_fr, warns_en
