"""A partner's catalogue of activities, mapped onto the backbone, and what was delivered under it.

Partner managers list, add, change, deactivate and delete (when unused) their own partner's activities;
coaches of the partner read them; programme managers read every partner's catalogue. An activity of
another partner answers 404 on the edit pages, like one that does not exist. Writes go through
partners/activities.py, which audits them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from autocrea.accounts.access import (
    may_edit_activity_catalogue,
    may_read_activity_catalogues,
    may_read_every_activity_catalogue,
)
from autocrea.backbone.errors import PathwayError
from autocrea.partners import activities as catalogue
from autocrea.partners.models import ActivityStep, Partner, PartnerActivity
from autocrea.workspace.forms_activities import ActivityForm, PeriodForm


def _editable(user: Any, pk: int) -> PartnerActivity:
    activity = catalogue.editable_activities_for(user).filter(pk=pk).first()
    if activity is None:
        raise Http404
    return activity


def _grouped(activities: list[PartnerActivity]) -> list[dict[str, Any]]:
    """Group activities by backbone step, in the order of the backbone."""
    return [
        {"step": step, "label": step.label, "activities": [a for a in activities if a.step == step.value]}
        for step in ActivityStep
    ]


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    """The catalogue: the user's partner's, or every partner's for a programme manager (read-only)."""
    if not may_read_activity_catalogues(request.user):
        raise PermissionDenied
    rows = list(catalogue.with_uses(catalogue.activities_for(request.user)).order_by("partner__name_fr", "position"))
    if may_read_every_activity_catalogue(request.user):
        partners = list(Partner.objects.filter(active=True).order_by("name_fr"))
    else:
        partners = [request.user.partner]
    sections = [
        {"partner": partner, "groups": _grouped([a for a in rows if a.partner_id == partner.pk])}
        for partner in partners
    ]
    for section in sections:
        section["count"] = sum(len(group["activities"]) for group in section["groups"])
    context = {
        "sections": sections,
        "can_edit": may_edit_activity_catalogue(request.user),
        "all_partners": may_read_every_activity_catalogue(request.user),
    }
    return render(request, "workspace/activities/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_add(request: HttpRequest) -> HttpResponse:
    if not may_edit_activity_catalogue(request.user):
        raise PermissionDenied
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = catalogue.create_activity(by=request.user, values=form.values())
        except PathwayError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("The activity “%(name)s” is added to your catalogue.") % {"name": activity.name}
            )
            return redirect("workspace:activities")
    return render(
        request, "workspace/activities/form.html", {"form": form, "title": _("Add an activity"), "activity": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editable(request.user, pk)
    form = ActivityForm(request.POST or None, initial=ActivityForm.initial_for(activity))
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            activity = catalogue.update_activity(
                activity=activity, by=request.user, values=form.values(), version=version or 0
            )
        except PathwayError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The activity “%(name)s” is saved.") % {"name": activity.name})
            return redirect("workspace:activities")
    context = {
        "form": form,
        "title": _("Change an activity"),
        "activity": activity,
        "uses": catalogue.uses(activity),
    }
    return render(request, "workspace/activities/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then delete an activity that nothing is tagged with yet."""
    activity = _editable(request.user, pk)
    uses = catalogue.uses(activity)
    error = ""
    if request.method == "POST":
        name = activity.name
        try:
            catalogue.delete_activity(activity=activity, by=request.user)
        except PathwayError as exc:
            error = exc.message
        else:
            messages.success(request, _("The activity “%(name)s” is deleted.") % {"name": name})
            return redirect("workspace:activities")
    return render(request, "workspace/activities/delete.html", {"activity": activity, "uses": uses, "error": error})


@login_required
@require_GET
def activities_delivered(request: HttpRequest) -> HttpResponse:
    """Per backbone step, the sessions delivered under each kind of activity in a period (partner managers)."""
    if not may_edit_activity_catalogue(request.user):
        raise PermissionDenied
    bound = bool(request.GET.get("start") or request.GET.get("end"))
    form = PeriodForm(request.GET if bound else None)
    period = form.period()
    table = catalogue.delivered_counts(request.user.partner_id, *period) if period else None
    return render(request, "workspace/activities/delivered.html", {"form": form, "table": table})
