"""The self-audit journey: profile → answers → checks → scan → score → report, one step at a time.

- `steps`: the steps in order (`prepare`, `Journey`), each saving its file at once; what happens
  is told, and the scan authorisation asked, through an `Observer` (the terminal's is in
  cyberdiag/cli/journey_view.py); `score_answers` and `write_reports` for anyone who scores;
- `demo`: the same steps on the fictional Ville-Exemple against the local lab;
- `files`: the journey's files read back (profile, check and scan results) and scored.

Import the modules themselves: this package imports nothing, so that `cyberdiag score` does not
load the lab or the checks.
"""
