"""E-mail checks (mail.*): one module per check, named after its id; what several share is in
common.py (does the domain receive mail) and smtp_probes.py (one SMTP probe per MX address).

The SMTP dialogue itself is in cyberdiag.net.smtp; the record parsers in cyberdiag.checks.parsers.
The registry of check ids is cyberdiag.checks.registry.
"""
