"""mail.free_provider: the official address of the profile is not a consumer mailbox.

Profile-scoped: judged once per run, on the profile's official_email (registry.PROFILE_CHECKS).
"""

from __future__ import annotations

from cyberdiag.checks.base import CheckContext, result
from cyberdiag.checks.parsers.psl import org_domain
from cyberdiag.models import CheckResult, Text

FREE_PROVIDERS = (
    "orange.fr", "wanadoo.fr", "gmail.com", "googlemail.com", "free.fr", "laposte.net",
    "sfr.fr", "neuf.fr", "club-internet.fr", "hotmail.com", "hotmail.fr", "outlook.com",
    "outlook.fr", "live.com", "live.fr", "msn.com", "yahoo.com", "yahoo.fr", "aol.com",
    "aol.fr", "gmx.fr", "gmx.com", "gmx.net", "icloud.com", "me.com", "bbox.fr", "numericable.fr",
    "protonmail.com", "proton.me", "mail.com", "yandex.com", "yandex.ru", "ymail.com",
)


def is_free_webmail(address: str) -> bool:
    """True when an e-mail address (or a domain) belongs to a consumer mailbox provider."""
    dom = address.rsplit("@", 1)[-1].strip().lower().rstrip(".")
    if dom in FREE_PROVIDERS:
        return True
    # The organisational domain is made of the last labels of `dom`: only a name ending with a
    # provider's domain can have one as such. The public suffix list (~15 ms to read, before
    # the first question of `cyberdiag questionnaire`) is read for those names only.
    name = ".".join(label for label in dom.split(".") if label)
    if not any(name == p or name.endswith("." + p) for p in FREE_PROVIDERS):
        return False
    return (org_domain(dom) or dom) in FREE_PROVIDERS


def check_free_provider(ctx: CheckContext, target: str) -> CheckResult:
    cid = "mail.free_provider"
    email = ctx.profile.official_email if ctx.profile else None
    if not email:
        fr = "Sans objet : pas d'adresse officielle dans le profil (official_email)."
        en = "Not applicable: no official address in the profile (official_email)."
        return result(cid, target, "not_applicable", fr, en, reason=Text(fr=fr, en=en))
    dom = email.rsplit("@", 1)[-1].strip().lower().rstrip(".")
    org = org_domain(dom) or dom
    ev = {"official_email": email, "domain": dom}
    if dom in FREE_PROVIDERS or org in FREE_PROVIDERS:
        return result(cid, target, "fail",
                      f"L'adresse officielle {email} est une messagerie grand public : pas de "
                      "maîtrise des comptes, pas de DMARC à votre nom, usurpation facile.",
                      f"The official address {email} is a consumer mailbox: no control over "
                      "accounts, no DMARC in your name, easy to impersonate.", ev)
    return result(cid, target, "pass",
                  f"L'adresse officielle {email} utilise un domaine propre ({dom}).",
                  f"The official address {email} uses the municipality's own domain ({dom}).",
                  ev)
