"""The explicit registry of passive checks: id -> function (no import magic).

Ids are part of the interface; their texts live in checks/*.yaml under the same ids
(tests/checks/test_catalogue.py keeps code and catalogue in step). The order here is the order
of the results. To add a check: write its function (checks/dns.py, checks/mail/<name>.py,
checks/web/<name>.py), register it below, and describe it in checks/<family>.yaml.
The exposure scan (exposure.*) is not a passive check and is not registered here.
"""

from __future__ import annotations

from cyberdiag.checks import dns
from cyberdiag.checks.base import CheckFn
from cyberdiag.checks.mail.dane import check_dane
from cyberdiag.checks.mail.dkim import check_dkim
from cyberdiag.checks.mail.dmarc import check_dmarc
from cyberdiag.checks.mail.free_provider import check_free_provider
from cyberdiag.checks.mail.mta_sts import check_mta_sts
from cyberdiag.checks.mail.mx import check_mx
from cyberdiag.checks.mail.spf import check_spf
from cyberdiag.checks.mail.starttls import check_starttls
from cyberdiag.checks.mail.tls_rpt import check_tls_rpt
from cyberdiag.checks.web.certificate import certificate_core
from cyberdiag.checks.web.cookies import cookies_core
from cyberdiag.checks.web.headers import headers_core
from cyberdiag.checks.web.hsts import hsts_core
from cyberdiag.checks.web.https import https_core
from cyberdiag.checks.web.security_txt import security_txt_core
from cyberdiag.checks.web.site import Core, with_site
from cyberdiag.checks.web.tls_legacy import tls_legacy_core
from cyberdiag.checks.web.versions import versions_core
from cyberdiag.checks.web.views import with_sites

DNS_CHECKS: dict[str, CheckFn] = {
    "dns.ns": dns.check_ns,
    "dns.soa_consistency": dns.check_soa_consistency,
    "dns.axfr": dns.check_axfr,
    "dns.dnssec": dns.check_dnssec,
    "dns.caa": dns.check_caa,
}

MAIL_CHECKS: dict[str, CheckFn] = {
    "mail.mx": check_mx,
    "mail.spf": check_spf,
    "mail.dmarc": check_dmarc,
    "mail.dkim": check_dkim,
    "mail.mta_sts": check_mta_sts,
    "mail.tls_rpt": check_tls_rpt,
    "mail.starttls": check_starttls,
    "mail.dane": check_dane,
    "mail.free_provider": check_free_provider,
}

PROFILE_CHECKS = ("mail.free_provider",)
"""Checks that judge the profile rather than a domain: run once per run, on official_email."""

# The web checks judge the web host of the domain (www.<domain>, else <domain>): each core takes
# the Site, with_site finds it (cyberdiag.checks.web.site). HTTPS, HSTS and the certificate are
# judged on every host (www.<domain> and <domain>) and address family: with_sites
# (cyberdiag.checks.web.views).
WEB_CORES: dict[str, Core] = {
    "web.https": https_core,
    "web.hsts": hsts_core,
    "web.certificate": certificate_core,
    "web.tls_legacy": tls_legacy_core,
    "web.headers": headers_core,
    "web.cookies": cookies_core,
    "web.security_txt": security_txt_core,
    "web.versions": versions_core,
}
WHOLE_SITE = ("web.https", "web.hsts", "web.certificate")
WEB_CHECKS: dict[str, CheckFn] = {
    cid: (with_sites(core, cid, reachability=cid == "web.https") if cid in WHOLE_SITE
          else with_site(core, cid))
    for cid, core in WEB_CORES.items()
}

CHECKS: dict[str, CheckFn] = {**DNS_CHECKS, **MAIL_CHECKS, **WEB_CHECKS}
