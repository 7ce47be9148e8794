"""mail.tls_rpt: a TLS-RPT record, so that encryption failures of incoming mail are reported."""

from __future__ import annotations

from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.mail.common import mail_kind, na_no_mail, single_txt
from cyberdiag.checks.parsers.tlsrpt import is_tlsrpt, parse_tlsrpt
from cyberdiag.errors import ParseError
from cyberdiag.models import CheckResult


def check_tls_rpt(ctx: CheckContext, domain: str) -> CheckResult:
    cid = "mail.tls_rpt"
    kind, _ = mail_kind(ctx, domain)
    if kind != "ok":
        return na_no_mail(cid, domain, kind)
    found = single_txt(ctx, cid, domain, f"_smtp._tls.{domain}", is_tlsrpt, "records",
                       "TLS-RPT",
                       "Pas de TLS-RPT : aucun rapport sur les échecs de chiffrement des "
                       "courriels reçus.",
                       "No TLS-RPT: no reports on encryption failures of incoming mail.")
    if isinstance(found, CheckResult):
        return found
    record, ev = found
    try:
        rec = parse_tlsrpt(record)
    except ParseError as exc:
        return result(cid, domain, "fail", f"TLS-RPT invalide : {exc.fr}.",
                      f"Invalid TLS-RPT: {exc.en}.", ev)
    ev["rua"] = list(rec.rua)
    return result(cid, domain, "pass", "TLS-RPT en place : " + ", ".join(rec.rua)[:200] + ".",
                  "TLS-RPT in place: " + ", ".join(rec.rua)[:200] + ".", ev)
