"""Merge a duplicate record into the person of a trajectory: pick the duplicate, choose the values, confirm."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from autocrea.accounts.access import can, get_trajectory_for, jobseekers_for
from autocrea.backbone.errors import PathwayError
from autocrea.jobseekers.merge import MERGEABLE_FIELDS, merge_jobseekers
from autocrea.jobseekers.models import Jobseeker
from autocrea.jobseekers.services import find_duplicates
from autocrea.workspace.views.funnel import require_case_staff


def _display(person: Jobseeker, name: str) -> str:
    value = getattr(person, name)
    if name == "national_number":
        return person.masked_national_number or "–"
    display = getattr(person, f"get_{name}_display", None)
    if display is not None and value not in (None, ""):
        return str(display())
    if value is None or value == "":
        return "–"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def _differences(keep: Jobseeker, duplicate: Jobseeker) -> list[dict[str, Any]]:
    rows = []
    for name in MERGEABLE_FIELDS:
        if getattr(keep, name) == getattr(duplicate, name):
            continue
        rows.append(
            {
                "name": name,
                "label": Jobseeker._meta.get_field(name).verbose_name,
                "keep": _display(keep, name),
                "duplicate": _display(duplicate, name),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """List the possible duplicates of this trajectory's person, then merge the chosen one into them."""
    trajectory = get_trajectory_for(request.user, pk)
    require_case_staff(request.user)
    if not can(request.user, "merge_jobseekers"):
        raise PermissionDenied
    keep = trajectory.jobseeker
    candidates = [p for p in find_duplicates(jobseeker=keep) if p.merged_into_id is None]
    chosen = None
    raw = request.POST.get("duplicate") or request.GET.get("duplicate") or ""
    if raw.isdigit():
        # Only a person in the user's scope, and never the kept person: otherwise nothing is chosen.
        chosen = jobseekers_for(request.user).exclude(pk=keep.pk).filter(pk=int(raw)).first()
    errors: list[str] = []
    if request.method == "POST":
        if chosen is None:
            errors.append(_("Choose the duplicate record to merge."))
        else:
            names = {row["name"] for row in _differences(keep, chosen)}
            take = {n for n in names if request.POST.get(n) == "duplicate"}
            try:
                merge_jobseekers(duplicate=chosen, keep=keep, by=request.user, take_from_duplicate=take)
            except PathwayError as exc:
                errors.append(exc.message)
            else:
                messages.success(request, _("The two records are merged. The duplicate is kept in the history."))
                return redirect("workspace:trajectory", trajectory.pk)
    context = {
        "trajectory": trajectory,
        "keep": keep,
        "candidates": candidates,
        "chosen": chosen,
        "differences": _differences(keep, chosen) if chosen is not None else [],
        "chosen_trajectories": list(chosen.trajectories.all()) if chosen is not None else [],
        "errors": errors,
    }
    return render(request, "workspace/merge.html", context)
