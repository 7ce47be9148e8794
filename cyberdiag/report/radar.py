"""Inline SVG spider chart of the domain scores (0..100) for the report.

Drawn: the municipality, its tier's target and, when given, the territory's median for the
same tier.

Pure string building: every text that comes from data is escaped with markupsafe; the result is
returned as Markup so the template inserts it as is. Vector graphics stay crisp in the PDF and
on a projector.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 680
HEIGHT = 500
CX = WIDTH / 2
CY = HEIGHT / 2 + 4
RADIUS = 158
RINGS = (20, 40, 60, 80, 100)
WRAP = 20

NAVY = "#1b2f5b"
TEAL = "#0f8b8d"
GREY = "#6b7280"
RED = "#b3261e"


@dataclass(frozen=True)
class Axis:
    label: str
    score: float | None
    target: float | None = None
    median: float | None = None
    # Second line under the label (e.g. "42 / 100" or "non évalué").
    note: str = ""
    below_target: bool = False


def _point(i: int, n: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * i / n
    r = RADIUS * max(0.0, min(100.0, value)) / 100
    return CX + r * math.cos(angle), CY + r * math.sin(angle)


def _poly(values: list[float], cls: str, attrs: str) -> str:
    n = len(values)
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(i, n, v) for i, v in enumerate(values)))
    return f'<polygon class="{cls}" points="{pts}" {attrs}/>'


def _wrap(text: str) -> list[str]:
    words = text.split()
    lines: list[str] = []
    cur = ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > WRAP:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        lines.append(cur)
    return lines[:3] or [""]


def _label(i: int, n: int, axis: Axis) -> str:
    angle = -math.pi / 2 + 2 * math.pi * i / n
    cos, sin = math.cos(angle), math.sin(angle)
    x = CX + (RADIUS + 16) * cos
    y = CY + (RADIUS + 16) * sin
    anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
    lines = _wrap(axis.label)
    total = len(lines) + (1 if axis.note else 0)
    line_h = 15
    # Labels above the chart grow upwards, below it downwards, at the sides centred.
    if sin < -0.3:
        y0 = y - (total - 1) * line_h
    elif sin > 0.3:
        y0 = y + 10
    else:
        y0 = y - (total - 1) * line_h / 2 + 4
    colour = RED if axis.below_target else NAVY
    out = [
        f'<text x="{x:.1f}" y="{y0:.1f}" text-anchor="{anchor}" fill="{colour}" '
        'font-size="13.5" font-weight="bold">'
    ]
    for k, line in enumerate(lines):
        dy = "0" if k == 0 else f"{line_h}"
        out.append(f'<tspan x="{x:.1f}" dy="{dy}">{escape(line)}</tspan>')
    if axis.note:
        out.append(
            f'<tspan x="{x:.1f}" dy="{line_h}" font-weight="normal" fill="#4a5568">'
            f"{escape(axis.note)}</tspan>"
        )
    out.append("</text>")
    return "".join(out)


def radar_svg(axes: list[Axis], title: str) -> Markup:
    """The chart as an <svg> element (no external reference, fonts from the page)."""
    n = len(axes)
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="radar" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if n < 3:
        parts.append("</svg>")
        return Markup("".join(parts))
    for ring in RINGS:
        parts.append(
            _poly(
                [float(ring)] * n,
                "ring",
                f'fill="none" stroke="#d5dbe5" stroke-width="{1.2 if ring == 100 else 0.8}"',
            )
        )
        _, y = _point(0, n, ring)
        parts.append(
            f'<text x="{CX + 4:.1f}" y="{y + 11:.1f}" font-size="9" fill="#8a94a6">{ring}</text>'
        )
    for i in range(n):
        x, y = _point(i, n, 100)
        parts.append(
            f'<line x1="{CX}" y1="{CY}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d5dbe5" '
            'stroke-width="0.8"/>'
        )
    targets = [a.target for a in axes]
    if all(t is not None for t in targets):
        parts.append(
            _poly(
                [float(t or 0) for t in targets],
                "target",
                f'fill="none" stroke="{TEAL}" stroke-width="2.2" stroke-dasharray="7 4"',
            )
        )
    medians = [a.median for a in axes]
    if any(m is not None for m in medians):
        parts.append(
            _poly(
                [float(m or 0) for m in medians],
                "median",
                f'fill="none" stroke="{GREY}" stroke-width="2" stroke-dasharray="2 3"',
            )
        )
    scores = [float(a.score or 0) for a in axes]
    parts.append(
        _poly(
            scores,
            "municipality",
            f'fill="{NAVY}" fill-opacity="0.18" stroke="{NAVY}" stroke-width="2.4" '
            'stroke-linejoin="round"',
        )
    )
    for i, a in enumerate(axes):
        x, y = _point(i, n, float(a.score or 0))
        fill = "#ffffff" if a.score is None else NAVY
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.6" fill="{fill}" '
            f'stroke="{NAVY}" stroke-width="1.5"/>'
        )
    parts.extend(_label(i, n, a) for i, a in enumerate(axes))
    parts.append("</svg>")
    return Markup("".join(parts))
