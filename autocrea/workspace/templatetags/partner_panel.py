"""`{% partner_panel trajectory %}`: the partner's part of a trajectory page, with its coaching notes."""

from __future__ import annotations

from typing import Any

from django import template

from autocrea.accounts.access import may_see_coaching_records
from autocrea.coaching.selectors import partner_panel_context
from autocrea.lib.identifiers import format_enterprise_number
from autocrea.pathways.models import Trajectory

register = template.Library()


@register.inclusion_tag("workspace/partner_panel_content.html", takes_context=True)
def partner_panel(context: template.Context, trajectory: Trajectory) -> dict[str, Any]:
    """Render the panel for the staff of the trajectory's partner only; anyone else gets nothing."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    # Checked here too, so that a page including the panel by mistake still never shows the notes.
    if not may_see_coaching_records(user, trajectory):
        return {"show": False}
    return {"show": True, **partner_panel_context(trajectory, user=user)}


@register.filter
def enterprise_number(digits: str) -> str:
    """Show a BCE/KBO number as 0xxx.xxx.xxx."""
    return format_enterprise_number(digits or "")
