"""Server-rendered inline SVG charts: simple horizontal bars, no JavaScript, no outside asset.

A chart is a picture of the table printed beside it (the table is the source of truth): it is one
image (role="img") whose aria-label says what it shows; the figures stay readable in the table.
Only SVG presentation attributes are used (the Content-Security-Policy forbids inline styles).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from autocrea.reporting.views import fmt

register = template.Library()

WIDTH = 480
LABEL_HEIGHT = 26
BAR_HEIGHT = 20
BAR_GAP = 4
GROUP_GAP = 14
VALUE_SPACE = 90  # room right of the longest bar for its value
COLOURS = ("#0b4f6c", "#00703c", "#6f3c97")
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"


@register.simple_tag
def bar_chart(chart: dict[str, Any] | None) -> SafeString:
    """Return an inline SVG of horizontal bars for chart = {title, series, bars, kind}."""
    if not chart or not chart.get("bars"):
        return mark_safe("")
    kind = chart["kind"]
    series = chart["series"]
    values = [v for bar in chart["bars"] for v in bar["values"] if v is not None]
    values += [bar["band"][1] for bar in chart["bars"] if bar.get("band")]
    scale_max = 1.0 if kind == "rate" else float(max(values or [1]) or 1)
    if kind == "rate":
        scale_max = max(1.0, *(values or [0]))
    usable = WIDTH - VALUE_SPACE
    parts: list[SafeString] = []
    y = 0
    if len(series) > 1:  # a legend, as text and swatches
        x = 0
        for i, (label, _key) in enumerate(series):
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="16" height="16" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="16" fill="#0b0c0c">{}</text>',
                    x,
                    y + 2,
                    COLOURS[i % len(COLOURS)],
                    x + 22,
                    y + 16,
                    label,
                )
            )
            x += 40 + 9 * len(str(label))
        y += 30
    for bar in chart["bars"]:
        parts.append(format_html('<text x="0" y="{}" font-size="18" fill="#0b0c0c">{}</text>', y + 18, bar["label"]))
        y += LABEL_HEIGHT
        for i, value in enumerate(bar["values"]):
            length = 0.0 if value is None else max(0.0, float(value)) / scale_max * usable
            parts.append(
                format_html(
                    '<rect x="0" y="{}" width="{}" height="{}" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="16" fill="#0b0c0c">{}</text>',
                    y,
                    f"{length:.1f}",
                    BAR_HEIGHT,
                    COLOURS[i % len(COLOURS)],
                    f"{max(length, bar['band'][1] / scale_max * usable if bar.get('band') else 0) + 6:.1f}",
                    y + 15,
                    fmt(value, kind),
                )
            )
            band = bar.get("band")
            if band:
                low, high = (b / scale_max * usable for b in band)
                mid = y + BAR_HEIGHT / 2
                parts.append(
                    format_html(
                        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#0b0c0c" stroke-width="2"/>'
                        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#0b0c0c" stroke-width="2"/>'
                        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#0b0c0c" stroke-width="2"/>',
                        f"{low:.1f}",
                        mid,
                        f"{high:.1f}",
                        mid,
                        f"{low:.1f}",
                        y + 2,
                        f"{low:.1f}",
                        y + BAR_HEIGHT - 2,
                        f"{high:.1f}",
                        y + 2,
                        f"{high:.1f}",
                        y + BAR_HEIGHT - 2,
                    )
                )
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP
    body = format_html_join("", "{}", ((p,) for p in parts))
    return format_html(
        '<svg class="ac-chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" font-family="{}" focusable="false"><title>{}</title>{}</svg>',
        chart["title"],
        WIDTH,
        y,
        FONT,
        chart["title"],
        body,
    )
