"""Information sessions: book a seat in my contact language, or cancel it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Step
from autocrea.coaching.models import SessionAttendance
from autocrea.pathways import selectors
from autocrea.pathways import sessions as services
from autocrea.pathways.models import Attendance, InformationAttendance, InformationSession
from autocrea.portal.views.base import jobseeker_required, my_trajectory


@jobseeker_required
def sessions(request: HttpRequest) -> HttpResponse:
    trajectory = my_trajectory(request)
    rows: list[InformationSession] = []
    booking = None
    appointments: list[SessionAttendance] = []
    if trajectory is not None:
        rows = list(selectors.sessions_with_seats(language=trajectory.jobseeker.contact_language))
        booking = (
            InformationAttendance.objects.filter(
                trajectory=trajectory, status=Attendance.REGISTERED, session__starts_at__gt=timezone.now()
            )
            .select_related("session")
            .first()
        )
        # My coaching appointments still to come, each with its "Add to my calendar" file.
        appointments = list(
            SessionAttendance.objects.filter(
                trajectory=trajectory,
                status="registered",
                session__starts_at__gt=timezone.now(),
                session__cancelled=False,
            )
            .select_related("session__partner")
            .order_by("session__starts_at")
        )
    for row in rows:
        row.free = max(row.capacity - row.taken, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "portal/sessions.html",
        {
            "trajectory": trajectory,
            "sessions": rows,
            "booking": booking,
            "appointments": appointments,
            "can_book": trajectory is not None and trajectory.current_step == Step.INTEREST and booking is None,
        },
    )


@require_POST
@jobseeker_required
def book(request: HttpRequest, pk: int) -> HttpResponse:
    trajectory = my_trajectory(request)
    session = InformationSession.objects.filter(pk=pk).first()
    if trajectory is None or session is None:
        raise Http404
    try:
        services.book_one(session=session, trajectory=trajectory, by=request.user)
    except PathwayError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your place is booked. We look forward to seeing you."))
    return redirect("portal:sessions")


@require_POST
@jobseeker_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    trajectory = my_trajectory(request)
    # Only my own booking: anybody else's answers 404.
    attendance = InformationAttendance.objects.filter(pk=pk, trajectory=trajectory).first() if trajectory else None
    if attendance is None:
        raise Http404
    try:
        services.cancel_booking(attendance=attendance, by=request.user)
    except PathwayError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your booking is cancelled. You can choose another date."))
    return redirect("portal:sessions")
