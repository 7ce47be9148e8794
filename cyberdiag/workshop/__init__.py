"""Awareness workshops for trainers: the plain-language interview, the personal action sheet,
and the group's anonymous summary.

- session.py: the workshop interview (after each answer: why it matters and the good reflex),
  one answers file per participant, saved as it goes, resumable.
- sheet.py: the one-page personal action sheet (the three things to do on Monday).
- summary.py: the room's anonymous results over a directory of answers files.
- render.py: Jinja2 (autoescape) and PDF rendering shared by the sheet and the summary.

Everything works offline: nothing here touches the network.
"""
