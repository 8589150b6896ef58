"""Staff screens (data-rights slice): correction requests as a task list, answers, requests on behalf, exports.

Every read starts from accounts.access: correction requests through datarights.corrections
(jobseekers_for: partner staff only see people oriented to their partner), a person's file through
get_trajectory_for. Scope first (a foreign object is a 404), then the role (403).
The programme manager sees a pseudonymised overview (reference, dates, status), never a name or the text.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from autocrea.accounts.access import (
    get_trajectory_for,
    may_answer_correction_requests,
    may_export_personal_data,
    may_oversee_correction_requests,
    trajectories_for,
)
from autocrea.datarights import subject_access
from autocrea.datarights.corrections import (
    CorrectionError,
    correction_request_answer,
    correction_request_create,
    correction_requests_for,
    get_correction_request_for,
)
from autocrea.datarights.models import CorrectionRequest, CorrectionStatus
from autocrea.lib.downloads import json_response
from autocrea.lib.pdf import pdf_response
from autocrea.pathways.models import Trajectory
from autocrea.workspace.forms_requests import AnswerForm, OnBehalfForm

# GDPR art. 12(3): an answer within one month.
ANSWER_WITHIN_DAYS = 30
LIST_LIMIT = 200


@never_cache
@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """List correction requests, open ones first and oldest first (the task list)."""
    show_all = request.GET.get("show") == "all"
    if may_oversee_correction_requests(request.user):
        # Oversight only: are requests answered in time? No name, no text (docs/trust.md: pseudonymised rows).
        rows = CorrectionRequest.objects.all()
        pseudonymised = True
    elif may_answer_correction_requests(request.user):
        rows = correction_requests_for(request.user).select_related("jobseeker")
        pseudonymised = False
    else:
        raise PermissionDenied
    open_count = rows.filter(status=CorrectionStatus.OPEN).count()
    if not show_all:
        rows = rows.filter(status=CorrectionStatus.OPEN)
    rows = rows.annotate(
        open_first=Case(
            When(status=CorrectionStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("open_first", "created_at", "id")
    today = timezone.localdate()
    items = []
    for row in rows[:LIST_LIMIT]:
        waited = (today - timezone.localdate(row.created_at)).days
        items.append({"request": row, "days": waited, "late": row.status == "open" and waited > ANSWER_WITHIN_DAYS})
    return render(
        request,
        "workspace/requests/list.html",
        {
            "items": items,
            "pseudonymised": pseudonymised,
            "show_all": show_all,
            "open_count": open_count,
            "within_days": ANSWER_WITHIN_DAYS,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one request with the person's file, and answer it: corrected, or not (with the reason)."""
    correction = get_correction_request_for(request.user, pk)
    if not may_answer_correction_requests(request.user):
        raise PermissionDenied
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and correction.status == CorrectionStatus.OPEN and form.is_valid():
        try:
            correction_request_answer(
                request=correction,
                status=form.cleaned_data["status"],
                answer=form.cleaned_data["answer"],
                by=request.user,
            )
        except CorrectionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Request %(reference)s is answered.") % {"reference": correction.reference})
        return redirect("workspace:requests")
    if request.method == "POST" and correction.status != CorrectionStatus.OPEN:
        messages.error(request, _("This request has already been answered."))
        return redirect("workspace:request_answer", pk=correction.pk)
    person = correction.jobseeker
    trajectory = get_trajectory_for_person(request, person.pk)
    return render(
        request,
        "workspace/requests/answer.html",
        {"correction": correction, "person": person, "trajectory": trajectory, "form": form},
    )


def get_trajectory_for_person(request: HttpRequest, jobseeker_id: int) -> Trajectory | None:
    """Return the person's latest trajectory that the user may open (for the link to the file), or None."""
    return trajectories_for(request.user).filter(jobseeker_id=jobseeker_id).order_by("-id").first()


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def request_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a correction request received at the counter, by phone or by post (on the person's behalf)."""
    trajectory = get_trajectory_for(request.user, pk)
    if not may_answer_correction_requests(request.user):
        raise PermissionDenied
    form = OnBehalfForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            correction, created = correction_request_create(
                jobseeker=trajectory.jobseeker,
                what_is_wrong=form.cleaned_data["what_is_wrong"],
                what_it_should_be=form.cleaned_data["what_it_should_be"],
                channel=form.cleaned_data["channel"],
                form_token=form.cleaned_data["form_token"],
                by=request.user,
            )
        except CorrectionError as exc:
            form.add_error(None, exc.message)
        else:
            if created:
                messages.success(request, _("Request %(reference)s is recorded.") % {"reference": correction.reference})
            return redirect("workspace:trajectory", pk=trajectory.pk)
    return render(request, "workspace/requests/add.html", {"trajectory": trajectory, "form": form})


@login_required
def data_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Print or download everything held about the person (?format=pdf or json), for a request by post.

    Counsellors only: Actiris answers subject-access requests; the export is in the person's
    contact language and audited like the person's own download.
    """
    trajectory = get_trajectory_for(request.user, pk)
    if not may_export_personal_data(request.user):
        raise PermissionDenied
    if request.method != "GET":
        # Scope and role first, so that a forbidden POST answers 404/403 like every other URL.
        return HttpResponseNotAllowed(["GET"])
    person = trajectory.jobseeker
    if request.GET.get("format") == "json":
        content, filename = subject_access.export_json(person, by=request.user)
        return json_response(content, filename)
    content, filename = subject_access.export_pdf(person, by=request.user)
    return pdf_response(content, filename)
