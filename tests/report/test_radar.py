"""The radar chart: labels escaped, every series drawn."""

from __future__ import annotations

import re

from cyberdiag.report.radar import Axis, radar_svg


def test_radar_escapes_labels_and_draws_every_series() -> None:
    axes = [
        Axis(label=f"<b>D{i}</b> & co", score=10.0 * i, target=50, median=40, note=f"{i}")
        for i in range(10)
    ]
    svg = str(radar_svg(axes, 'Titre "<x>"'))
    assert "<b>" not in svg and "&lt;b&gt;D3&lt;/b&gt; &amp; co" in svg
    assert 'class="municipality"' in svg and 'class="target"' in svg
    assert 'class="median"' in svg
    assert len(re.findall(r"<circle", svg)) == 10
    no_median = str(radar_svg([Axis(label="a", score=None)] * 5, "t"))
    assert 'class="median"' not in no_median
