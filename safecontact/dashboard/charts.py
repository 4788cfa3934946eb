"""Bar charts drawn on the server as SVG that a screen reader can use.

Each chart has role="img" with a <title> and <desc> that state what it shows
and its totals; each series has its own fill pattern and a legend with the
same pattern, so colour is never needed. The numbers are also in a table
next to every chart (the template draws it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 240
LEFT, BOTTOM, TOP = 40, 40, 16

# (pattern id suffix, SVG pattern body): solid, hatched, dotted, crossed, lined.
PATTERNS = (
    ("solid", '<rect width="8" height="8" fill="#1d70b8"/>'),
    (
        "hatch",
        '<rect width="8" height="8" fill="#fff"/>'
        '<path d="M0 8L8 0" stroke="#0b0c0c" stroke-width="2"/>',
    ),
    (
        "dots",
        '<rect width="8" height="8" fill="#ffdd00"/>'
        '<circle cx="4" cy="4" r="1.6" fill="#0b0c0c"/>',
    ),
    (
        "cross",
        '<rect width="8" height="8" fill="#fff"/>'
        '<path d="M0 0L8 8M8 0L0 8" stroke="#d4351c" stroke-width="1.5"/>',
    ),
    (
        "lines",
        '<rect width="8" height="8" fill="#fff"/>'
        '<path d="M0 4H8" stroke="#00703c" stroke-width="2"/>',
    ),
)


def _defs(prefix: str) -> str:
    return "".join(
        f'<pattern id="{prefix}-{name}" width="8" height="8" '
        f'patternUnits="userSpaceOnUse">{body}</pattern>'
        for name, body in PATTERNS
    )


def bar_chart(
    title: str,
    labels: Sequence[str],
    weeks: Sequence[dt.date],
    rows: Sequence[Sequence[int]],
) -> SafeString:
    """Grouped bars: one group per week, one bar per series (``labels``)."""
    prefix = f"p{uuid.uuid4().hex[:8]}"
    top = max([1, *(n for row in rows for n in row)])
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(weeks), 1)
    bar = max(min((slot - 4) / max(len(labels), 1), 24), 1)
    bars = []
    for i, row in enumerate(rows):
        for j, n in enumerate(row):
            h = plot_h * n / top
            x = LEFT + i * slot + 2 + j * bar
            y = TOP + plot_h - h
            pattern = PATTERNS[j % len(PATTERNS)][0]
            bars.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="url(#{prefix}-{pattern})" stroke="#0b0c0c" stroke-width="0.5"/>'
            )
    ticks = [
        f'<text x="{LEFT + i * slot + slot / 2:.1f}" y="{HEIGHT - BOTTOM + 14}" '
        f'font-size="10" text-anchor="middle">{week:%d %b}</text>'
        for i, week in enumerate(weeks)
        if len(weeks) <= 14 or i % max(len(weeks) // 12, 1) == 0
    ]
    axis = (
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 8}" y2="{TOP + plot_h}" '
        f'stroke="#0b0c0c"/><text x="{LEFT - 4}" y="{TOP + 4}" font-size="10" '
        f'text-anchor="end">{top}</text><text x="{LEFT - 4}" y="{TOP + plot_h}" '
        f'font-size="10" text-anchor="end">0</text>'
    )
    legend = []
    for j, label in enumerate(labels):
        x = LEFT + j * 120
        pattern = PATTERNS[j % len(PATTERNS)][0]
        legend.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="url(#{}-{})" '
                'stroke="#0b0c0c"/><text x="{}" y="{}" font-size="10">{}</text>',
                x,
                HEIGHT - 16,
                prefix,
                pattern,
                x + 16,
                HEIGHT - 6,
                label,
            )
        )
    totals = ", ".join(
        f"{label}: {sum(row[j] for row in rows)}" for j, label in enumerate(labels)
    )
    span = f"{weeks[0]:%d %B %Y} to {weeks[-1]:%d %B %Y}" if weeks else "no weeks"
    desc = f"Bar chart by week from {span}. Totals: {totals}. The table below has every number."
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t" aria-describedby="{}-d" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}-t">{}</title>'
        '<desc id="{}-d">{}</desc><defs>{}</defs>{}{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        prefix,
        prefix,
        prefix,
        title,
        prefix,
        desc,
        mark_safe(_defs(prefix)),  # noqa: S308 - built from constants above
        mark_safe(axis),  # noqa: S308 - numbers only
        mark_safe("".join(bars)),  # noqa: S308 - numbers only
        mark_safe("".join(ticks)),  # noqa: S308 - dates only
        format_html_join("", "{}", ((item,) for item in legend)),
    )
