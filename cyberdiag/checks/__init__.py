"""Automated checks: passive DNS / e-mail / web checks and the opt-in exposure scan."""
