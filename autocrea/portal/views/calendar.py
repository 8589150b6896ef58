"""Add to my calendar: the .ics of one of my own sessions, in my contact language.

Scope first: somebody else's booking answers 404 for everyone, exactly like one that does not
exist; then the role: staff download their own copy from the workspace, not from here (403).
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from autocrea.accounts.access import may_use_the_portal, trajectories_for
from autocrea.coaching.models import SessionAttendance
from autocrea.lib.downloads import ics_response
from autocrea.notifications.services import ics
from autocrea.pathways.models import InformationAttendance


def _person_ics(request: HttpRequest, attendance: InformationAttendance | SessionAttendance | None) -> HttpResponse:
    if attendance is None or attendance.session is None or not ics.describable(attendance.session):
        raise Http404
    if not may_use_the_portal(request.user):
        raise PermissionDenied
    session = attendance.session
    content = ics.person_ics(jobseeker=attendance.trajectory.jobseeker, session=session, method=ics.PUBLISH)
    return ics_response(content, ics.filename_for(session))


def information_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the .ics of my booking at an information session."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portal:login"))
    attendance = (
        InformationAttendance.objects.filter(pk=pk, trajectory__in=trajectories_for(request.user))
        .select_related("session", "trajectory__jobseeker")
        .first()
    )
    return _person_ics(request, attendance)


def coaching_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the .ics of my appointment at a coaching session."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portal:login"))
    attendance = (
        SessionAttendance.objects.filter(pk=pk, trajectory__in=trajectories_for(request.user))
        .select_related("session__partner", "trajectory__jobseeker")
        .first()
    )
    return _person_ics(request, attendance)
