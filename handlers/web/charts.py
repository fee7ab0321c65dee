"""A small inline SVG bar chart drawn on the server (no script, no network, fine on a phone)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from bot.services.dashboard import Week

WIDTH, HEIGHT, PAD = 640, 220, 28
NEW, DONE = "#3b7dd8", "#3aa76d"


def weekly_bars(weeks: Sequence[Week]) -> Markup:
    """Two bars per week: new tickets and tickets closed, with the counts written on them."""
    top = max([1, *(w.created for w in weeks), *(w.closed for w in weeks)])
    slot = (WIDTH - 2 * PAD) / max(len(weeks), 1)
    bar = slot * 0.34
    scale = (HEIGHT - 2 * PAD) / top
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-label="每周新受理和办结的事项">',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#999"/>',
    ]
    for i, week in enumerate(weeks):
        x = PAD + i * slot + slot * 0.14
        for offset, value, color, name in (
            (0.0, week.created, NEW, "新受理"),
            (bar, week.closed, DONE, "办结"),
        ):
            h = value * scale
            y = HEIGHT - PAD - h
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{color}"><title>{escape(week.label)} {name} {value}</title></rect>'
            )
            parts.append(
                f'<text x="{x + offset + bar / 2:.1f}" y="{y - 4:.1f}" font-size="12" '
                f'text-anchor="middle">{value}</text>'
            )
        parts.append(
            f'<text x="{x + bar:.1f}" y="{HEIGHT - PAD + 16}" font-size="12" '
            f'text-anchor="middle">{escape(week.label)}</text>'
        )
    parts.append(
        f'<rect x="{PAD}" y="6" width="12" height="12" fill="{NEW}"/>'
        f'<text x="{PAD + 16}" y="17" font-size="12">新受理</text>'
        f'<rect x="{PAD + 70}" y="6" width="12" height="12" fill="{DONE}"/>'
        f'<text x="{PAD + 86}" y="17" font-size="12">办结</text></svg>'
    )
    return Markup("".join(parts))
