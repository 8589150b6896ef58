"""Server-rendered inline SVG charts: simple horizontal bars, no JavaScript, no outside asset.

A chart is a picture of the table printed beside it (the table is the source of truth): it is one
image (role="img") whose aria-label says what it shows; the figures stay readable in the table.
Only SVG presentation attributes are used (the Content-Security-Policy forbids inline styles).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from autocrea.reporting.formatting import fmt

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
        return SafeString("")
    kind = chart["kind"]
    scale_max = _scale_max(chart)
    parts: list[SafeString] = []
    y = 0
    if len(chart["series"]) > 1:  # a legend, as text and swatches
        parts.extend(_legend(chart["series"], y))
        y += 30
    for bar in chart["bars"]:
        parts.append(format_html('<text x="0" y="{}" font-size="18" fill="#0b0c0c">{}</text>', y + 18, bar["label"]))
        y += LABEL_HEIGHT
        for i, value in enumerate(bar["values"]):
            parts.append(_bar(value, i, y, bar.get("band"), scale_max, kind))
            if bar.get("band"):
                parts.append(_band(bar["band"], y, scale_max))
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


def _scale_max(chart: dict[str, Any]) -> float:
    """Return the value drawn as the full usable width: the largest value or band end (at least 100 % for rates)."""
    values = [v for bar in chart["bars"] for v in bar["values"] if v is not None]
    values += [bar["band"][1] for bar in chart["bars"] if bar.get("band")]
    if chart["kind"] == "rate":
        return max(1.0, *(values or [0]))
    return float(max(values or [1]) or 1)


def _legend(series: list[tuple[Any, str]], y: int) -> list[SafeString]:
    """Return one swatch and its label per series, side by side on one line starting at `y`."""
    parts = []
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
    return parts


def _x(value: float, scale_max: float) -> float:
    """Return the length drawn for `value` (`scale_max` is the full usable width)."""
    return value / scale_max * (WIDTH - VALUE_SPACE)


def _bar(value: Any, i: int, y: int, band: Any, scale_max: float, kind: str) -> SafeString:
    """Return the bar of series `i` at `y` and its value, written right of the bar (and of its band, if any)."""
    length = 0.0 if value is None else _x(max(0.0, float(value)), scale_max)
    return format_html(
        '<rect x="0" y="{}" width="{}" height="{}" fill="{}"/>'
        '<text x="{}" y="{}" font-size="16" fill="#0b0c0c">{}</text>',
        y,
        f"{length:.1f}",
        BAR_HEIGHT,
        COLOURS[i % len(COLOURS)],
        f"{max(length, _x(band[1], scale_max) if band else 0) + 6:.1f}",
        y + 15,
        fmt(value, kind),
    )


def _band(band: Any, y: int, scale_max: float) -> SafeString:
    """Return a range (low, high) drawn as a horizontal line with a tick at each end, across the bar at `y`."""
    low, high = (f"{_x(b, scale_max):.1f}" for b in band)
    mid = y + BAR_HEIGHT / 2
    top, bottom = y + 2, y + BAR_HEIGHT - 2
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#0b0c0c" stroke-width="2"/>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#0b0c0c" stroke-width="2"/>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#0b0c0c" stroke-width="2"/>',
        *(low, mid, high, mid),
        *(low, top, low, bottom),
        *(high, top, high, bottom),
    )
