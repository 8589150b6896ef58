from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from autocrea.accounts.access import (
    may_view_caseload,
    may_view_follow_up_worklist,
    sees_activities_delivered_on_home,
    trajectories_for,
)
from autocrea.backbone.steps import Step
from autocrea.partners.activities import delivered_counts
from autocrea.pathways.followups import due_count


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"follow_ups_due": None}
    if may_view_caseload(request.user):
        # One grouped query over the partner's own scope: the number of people at each step.
        counts = dict(trajectories_for(request.user).values_list("current_step").annotate(n=Count("id")).order_by())
        context["step_counts"] = [
            {"step": step.value, "label": step.label, "count": counts[step.value]}
            for step in Step
            if counts.get(step.value)
        ]
    if sees_activities_delivered_on_home(request.user):
        # The partner's activities delivered this year, per backbone step and kind (one grouped query).
        today = timezone.localdate()
        start = today.replace(month=1, day=1)
        context["activities_delivered"] = delivered_counts(request.user.partner_id, start, today)
    if may_view_follow_up_worklist(request.user):
        # The +6-month follow-ups due now or overdue in the user's scope (one COUNT).
        context["follow_ups_due"] = due_count(request.user, today=timezone.localdate())
    return render(request, "workspace/home.html", context)
