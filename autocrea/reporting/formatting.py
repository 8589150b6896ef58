"""How the figures are written: on the page in the reader's language, in exports as plain numbers.

Shared by the dashboards, the PDF report, the survival comparison and the chart template tags (which
must not import a view).
"""

from __future__ import annotations

from typing import Any

from django.utils import formats


def _num(value: float | int, decimals: int = 0) -> str:
    # number_format truncates floats: round first (1/6 is 16,7 %, not 16,6 %).
    return formats.number_format(round(value, decimals), decimals, use_l10n=True, force_grouping=True)


def fmt(value: Any, kind: str) -> str:
    """Return a value formatted for the page in the active language (decimal comma in fr/nl)."""
    if value is None:
        return "–"
    if kind == "rate":
        return f"{_num(value * 100, 1)}\u00a0%"
    if kind == "days":
        return _num(value, 0 if float(value).is_integer() else 1)
    if kind == "int":
        return _num(value)
    return str(value)


def export_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "rate":
        return round(value * 100, 1)
    return value
