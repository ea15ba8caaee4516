"""A small inline SVG chart: flag counts per severity over time (one line per severity)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from web.i18n import translate

COLOURS = {"critical": "#b3261e", "warning": "#c77700", "info": "#2f6fb0"}
WIDTH, HEIGHT, PAD = 320, 120, 24


def flag_trend_svg(history: Sequence[Mapping[str, Any]], lang: str) -> Markup | None:
    """``history`` rows have ``computed_at`` (datetime) and ``flag_counts`` ({severity: n}),
    oldest first; None with fewer than two results (no trend yet)."""
    if len(history) < 2:
        return None
    times = [row["computed_at"].timestamp() for row in history]
    top = max(1, *(int(row["flag_counts"].get(s, 0)) for row in history for s in COLOURS))
    span = (times[-1] - times[0]) or 1.0

    def x(t: float) -> float:
        return PAD + (WIDTH - 2 * PAD) * (t - times[0]) / span

    def y(n: int) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * n / top

    lines = []
    for severity, colour in COLOURS.items():
        points = " ".join(
            f"{x(t):.1f},{y(int(row['flag_counts'].get(severity, 0))):.1f}"
            for t, row in zip(times, history, strict=True)
        )
        label = escape(translate(f"severity.{severity}", lang))
        lines.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}">'
            f"<title>{label}</title></polyline>"
        )
    first, last = (history[i]["computed_at"].strftime("%Y-%m-%d") for i in (0, -1))
    title = escape(translate("analysis.trend", lang))
    return Markup(
        f'<svg class="zm-trend" role="img" aria-label="{title}" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"><title>{title}</title>'
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        f'stroke="#888"/><text x="{PAD}" y="{PAD - 8}" font-size="10">{top}</text>'
        f'<text x="{PAD}" y="{HEIGHT - 6}" font-size="10">{first}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" font-size="10" text-anchor="end">{last}</text>'
        + "".join(lines)
        + "</svg>"
    )
