"""cyberdiag — cybersecurity self-diagnostic for French municipalities."""

__version__ = "0.1.0"
