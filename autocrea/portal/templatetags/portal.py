"""Template helpers for the job seeker's question pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField

register = template.Library()


@register.simple_tag
def radio_options(field: BoundField) -> list[dict[str, Any]]:
    """Return each radio option with its id, state, plain-words hint and language (when it names one)."""
    hints = getattr(field.form, "option_hints", {})
    own_language = getattr(field.form, "options_in_own_language", False)
    current = field.value()
    current_values = {str(current)} if current not in (None, "") else set()
    options = []
    for index, sub in enumerate(field.subwidgets):
        value = str(sub.data["value"])
        options.append(
            {
                "id": f"{field.auto_id}_{index}",
                "value": value,
                "label": sub.choice_label,
                "checked": value in current_values,
                "hint": hints.get(value, ""),
                "lang": value if own_language else "",
            }
        )
    return options
