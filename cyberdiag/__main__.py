"""`python -m cyberdiag` runs the command line."""

from cyberdiag.cli import entry

entry()
