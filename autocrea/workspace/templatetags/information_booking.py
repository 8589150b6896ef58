"""`{% information_booking trajectory %}`: book a person at the interest step on an information session."""

from __future__ import annotations

from typing import Any

from django import template

from autocrea.pathways.models import Trajectory
from autocrea.pathways.selectors import booking_offer

register = template.Library()


@register.inclusion_tag("workspace/_information_booking.html", takes_context=True)
def information_booking(context: template.Context, trajectory: Trajectory) -> dict[str, Any]:
    """Render the person's booking to come or the next sessions with free places; nothing for other users or steps."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    return {"offer": booking_offer(user, trajectory), "csrf_token": context.get("csrf_token"), "full_page": False}
