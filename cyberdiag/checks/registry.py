"""The explicit registry of passive checks: id -> function (no import magic).

Ids are part of the interface; their texts live in checks/*.yaml under the same ids
(tests/test_catalogue.py keeps code and catalogue in step). The exposure scan (exposure.*) is
not a passive check and is not registered here.
"""

from __future__ import annotations

from cyberdiag.checks.base import CheckFn
from cyberdiag.checks.dns import DNS_CHECKS
from cyberdiag.checks.mail import MAIL_CHECKS, PROFILE_CHECKS

try:  # written by the web work; optional until it lands
    from cyberdiag.checks.web import WEB_CHECKS
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the checkout
    if exc.name != "cyberdiag.checks.web":
        raise
    WEB_CHECKS = {}

CHECKS: dict[str, CheckFn] = {**DNS_CHECKS, **MAIL_CHECKS, **WEB_CHECKS}

__all__ = ["CHECKS", "PROFILE_CHECKS"]
