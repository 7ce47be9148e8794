"""Awareness workshops for trainers: the plain-language interview, the personal action sheet,
and the group's anonymous summary.

- session.py: the workshop interview without the terminal (questionnaire, participants, one
  answers file each, saved as it goes, resumable; the feedback after each answer). Its dialogue
  is cyberdiag/cli/workshop_ui.py.
- sheet.py: the one-page personal action sheet (the three things to do on Monday).
- summary.py: the room's anonymous results over a directory of answers files.
- render.py: HTML and PDF rendering shared by the sheet and the summary.

Everything works offline: nothing here touches the network.
"""
