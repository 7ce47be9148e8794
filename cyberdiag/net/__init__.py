"""Everything that talks to the network for the checks: DNS through one resolver (dnsclient),
SMTP, TLS and HTTP to IP addresses, the time budget of a check, and text cleaning."""
