"""`{% trajectory_documents trajectory %}`: the attestations a staff member can print from a trajectory page."""

from __future__ import annotations

from typing import Any

from django import template

from autocrea.pathways.models import Trajectory
from autocrea.workspace.actions import available_documents

register = template.Library()


@register.inclusion_tag("workspace/_documents.html", takes_context=True)
def trajectory_documents(context: template.Context, trajectory: Trajectory) -> dict[str, Any]:
    """Render the list of printable attestations, or nothing for a user who may print none."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    return {"documents": available_documents(user, trajectory), "person": trajectory.jobseeker}
