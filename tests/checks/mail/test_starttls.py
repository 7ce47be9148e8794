"""mail.starttls against the lab's real mail servers (aiosmtpd on loopback): valid, expired,
wrong-name, self-signed and soon-expiring certificates, TLS 1.0 only, no STARTTLS, a server that
hangs up and one that never speaks (not_tested, never fail); and in the IPv6 lab, each address
family of the MX."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mail_fixtures import assert_statuses

if TYPE_CHECKING:
    from conftest import Ipv6Lab


def test_statuses(lab_results: dict[tuple[str, str], Any]) -> None:
    assert_statuses(lab_results, "mail.starttls")


def test_starttls_evidence(lab_results: dict[tuple[str, str], Any]) -> None:
    good = lab_results[("bonneville.test", "mail.starttls")]
    server = good.evidence["servers"][0]
    assert server["tls"]["version"] in ("TLSv1.2", "TLSv1.3")
    assert server["tls"]["certificate"]["not_after"]
    expired = lab_results[("spf-long.test", "mail.starttls")]
    assert "expired" in expired.evidence["servers"][0]["tls"]["verify_error"]
    legacy = lab_results[("double-spf.test", "mail.starttls")]
    assert legacy.evidence["servers"][0]["legacy"]
    silent = lab_results[("smtp-muet.test", "mail.starttls")]
    assert silent.reason is not None and "did not answer in time" in silent.reason.en


def test_every_address_family_is_probed(ipv6_lab: Ipv6Lab,
                                        ipv6_results: dict[tuple[str, str], Any]) -> None:
    """In the IPv6 lab (its own network namespace): the MX is probed on IPv4 and IPv6; one
    family that does not answer while the other does is a warning that names it."""
    slot = ipv6_lab.info.slot
    both = ipv6_results[("bonneville.test", "mail.starttls")]
    assert both.status == "pass"
    assert [s["ip"] for s in both.evidence["servers"]] == [f"127.{slot}.2.25",
                                                           f"fd00:cd:{slot}:2::25"]
    assert ipv6_results[("bonneville.test", "mail.dane")].status == "pass"  # both certificates
    broken6 = ipv6_results[("v6-casse.test", "mail.starttls")]
    assert broken6.status == "warn"
    assert (f"over IPv6, mail.v6-casse.test does not answer (connection refused by "
            f"fd00:cd:{slot}:15::25:25) while it answers over IPv4: servers delivering over "
            "IPv6 cannot reach it") in broken6.message.en
    assert "en IPv6, mail.v6-casse.test ne répond pas" in broken6.message.fr
    broken4 = ipv6_results[("v6-seul.test", "mail.starttls")]
    assert broken4.status == "warn"
    assert ("over IPv4, mail.v6-seul.test does not answer (connection refused by "
            f"127.{slot}.16.25:25) while it answers over IPv6") in broken4.message.en
