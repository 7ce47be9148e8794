"""The whole site: web.https, web.hsts and web.certificate judge www.<domain> and <domain> on
every address family, and say which host (and family) each finding is about.

Against the lab's real servers: apex-http.test (www fine, the apex without HTTPS whose HTTP
redirects to https://www.) in the usual lab; v6-casse.test (IPv6 broken), v6-seul.test (IPv4
broken) and bonneville.test (both fine) in the IPv6 lab, which runs in a network namespace of
its own and is checked through the CLI run inside it (tests/conftest.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Ipv6Lab

WHOLE_SITE = ("web.https", "web.hsts", "web.certificate")


def test_apex_without_https_while_www_is_fine(lab_results: dict[tuple[str, str], Any]) -> None:
    https = lab_results[("apex-http.test", "web.https")]
    assert https.status == "warn"
    assert https.message.en.startswith(
        "apex-http.test: https://apex-http.test/ does not answer (connection refused by ")
    assert ("http://apex-http.test/ does redirect to https://www.apex-http.test/, but whoever "
            "types https://apex-http.test/ gets an error.") in https.message.en
    assert https.message.en.endswith(
        " www.apex-http.test: HTTPS available and HTTP redirected to HTTPS.")
    assert https.message.fr.endswith(
        " www.apex-http.test : HTTPS disponible et HTTP redirigé vers HTTPS.")
    assert https.evidence["hosts"] == ["www.apex-http.test", "apex-http.test"]
    apex = https.evidence["views"][1]
    assert [r["location"] for r in apex["evidence"]["http"]] == [
        "https://www.apex-http.test/", None]  # the chain apex -> www, judged
    # HSTS and the certificate: the apex has no HTTPS (web.https says so); www is judged.
    for cid in ("web.hsts", "web.certificate"):
        res = lab_results[("apex-http.test", cid)]
        assert res.status == "pass" and res.message.en.startswith("www.apex-http.test: "), res


def test_both_hosts_judged_and_named(lab_results: dict[tuple[str, str], Any]) -> None:
    """Where www and the apex serve the same case, one finding names both hosts."""
    good = lab_results[("bonneville.test", "web.https")]
    assert good.message.en == ("www.bonneville.test and bonneville.test: HTTPS available and "
                               "HTTP redirected to HTTPS.")
    assert good.message.fr == ("www.bonneville.test et bonneville.test : HTTPS disponible et "
                               "HTTP redirigé vers HTTPS.")
    expired = lab_results[("spf-long.test", "web.certificate")]
    assert expired.status == "fail"
    assert expired.message.en.startswith("www.spf-long.test and spf-long.test: Invalid ")
    assert [v["host"] for v in expired.evidence["views"]] == ["www.spf-long.test",
                                                              "spf-long.test"]


def test_ipv6_broken_web_server(ipv6_lab: Ipv6Lab,
                                ipv6_results: dict[tuple[str, str], Any]) -> None:
    https = ipv6_results[("v6-casse.test", "web.https")]
    assert https.status == "warn"
    assert https.message.en.startswith("www.v6-casse.test (IPv4) and v6-casse.test (IPv4): "
                                       "HTTPS available and HTTP redirected to HTTPS.")
    for host, n in (("www.v6-casse.test", 3), ("v6-casse.test", 1)):
        ip = f"fd00:cd:{ipv6_lab.info.slot}:15::{n}"
        assert (f"Over IPv6, {host} does not answer (connection refused by {ip}:443) while it "
                "answers over IPv4: visitors on IPv6 cannot open the site.") in https.message.en
        assert f"En IPv6, {host} ne répond pas (connexion refusée par {ip}:443)" \
            in https.message.fr
    assert [v["family"] for v in https.evidence["views"]] == ["IPv4", "IPv6", "IPv4", "IPv6"]
    assert [v["status"] for v in https.evidence["views"]] == [
        "pass", "not_tested", "pass", "not_tested"]
    for cid in ("web.hsts", "web.certificate"):  # judged where HTTPS answers
        res = ipv6_results[("v6-casse.test", cid)]
        assert res.status == "pass" and res.message.en.startswith(
            "www.v6-casse.test and v6-casse.test: "), res


def test_ipv4_broken_web_server(ipv6_results: dict[tuple[str, str], Any]) -> None:
    https = ipv6_results[("v6-seul.test", "web.https")]
    assert https.status == "warn"
    assert https.message.en.startswith("www.v6-seul.test (IPv6) and v6-seul.test (IPv6): ")
    assert "Over IPv4, www.v6-seul.test does not answer (connection refused by " \
        in https.message.en
    assert "while it answers over IPv6: visitors on IPv4 cannot open the site." \
        in https.message.en
    # The single-host checks use the family that answers.
    assert ipv6_results[("v6-seul.test", "web.headers")].status == "pass"


def test_dual_stack_site_passes(ipv6_results: dict[tuple[str, str], Any]) -> None:
    for cid in WHOLE_SITE:
        res = ipv6_results[("bonneville.test", cid)]
        assert res.status == "pass", res.message.en
        assert res.message.en.startswith("www.bonneville.test and bonneville.test: ")
        assert [v["family"] for v in res.evidence["views"]] == ["IPv4", "IPv6", "IPv4", "IPv6"]
        assert all(v["status"] == "pass" for v in res.evidence["views"])
    apex = ipv6_results[("apex-http.test", "web.https")]
    assert apex.status == "warn"  # the same verdict inside the IPv6 lab (no AAAA for it)
