"""`{% trajectory_data_rights trajectory %}`: the person's data rights on a trajectory page.

Correction requests of the person (scoped like every request list), a link to record one received at
the counter, by phone or by post, and, for counsellors, the person's full data export (PDF, JSON).
"""

from __future__ import annotations

from typing import Any

from django import template

from autocrea.accounts.access import may_answer_correction_requests, may_export_personal_data
from autocrea.datarights.corrections import correction_requests_for
from autocrea.pathways.models import Trajectory

register = template.Library()


@register.inclusion_tag("workspace/_data_rights.html", takes_context=True)
def trajectory_data_rights(context: template.Context, trajectory: Trajectory) -> dict[str, Any]:
    """Render the data-rights box, or nothing for a user who may not act on the person's requests."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    if not may_answer_correction_requests(user):
        return {"show": False}
    requests = correction_requests_for(user).filter(jobseeker_id=trajectory.jobseeker_id).order_by("-created_at")
    return {
        "show": True,
        "trajectory": trajectory,
        "requests": list(requests[:10]),
        "can_export": may_export_personal_data(user),
    }
