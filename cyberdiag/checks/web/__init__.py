"""Web checks (web.*): one module per check, named after its id; site.py finds the web host of a
domain and fetches what several checks share, once per run.

Each check has a core `fn(ctx, Site) -> CheckResult` (testable on IP addresses directly);
site.with_site turns it into the registered `fn(ctx, domain)`. The registry of check ids is
cyberdiag.checks.registry; the header, cookie and security.txt parsers are in
cyberdiag.checks.parsers.web; HTTP and TLS themselves in cyberdiag.net.
"""
