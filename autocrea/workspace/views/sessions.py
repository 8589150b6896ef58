"""Information sessions at the counter: the attendance register, registrations and the no-show list.

Counsellors only (everyone else 403, anonymous visitors to the login page). Every write is one call
to pathways.sessions (booking and cancelling one person's booking: book_one and cancel_booking, the
same functions as the portal's); people are read through accounts.access.trajectories_for.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from autocrea.accounts.access import get_trajectory_for, may_run_information_sessions, trajectories_for
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Step
from autocrea.lib.identifiers import search_key
from autocrea.pathways import sessions as session_services
from autocrea.pathways.models import Attendance, InformationAttendance, InformationSession, Trajectory
from autocrea.pathways.selectors import booking_offer
from autocrea.workspace.forms_sessions import (
    BookSessionForm,
    CancelBookingForm,
    RegistrationForm,
    RegistrationSearchForm,
)
from autocrea.workspace.views.registers import RegisterActions, register_page

SEARCH_LIMIT = 50
NO_SHOW_LIMIT = 200
# Sessions offered on the page "Book an information session" of one person (5 on the trajectory page).
BOOKING_PAGE_LIMIT = 30


def _require_counsellor(user: Any) -> None:
    if not may_run_information_sessions(user):
        raise PermissionDenied


def _session(pk: int) -> InformationSession:
    return get_object_or_404(InformationSession, pk=pk)


INFORMATION_REGISTER = RegisterActions(
    cancel=session_services.cancel_session,
    record=session_services.record_register,
    read_action="read:information_register",
)


@login_required
@require_http_methods(["GET", "POST"])
def session_register(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance register: everyone registered on one page, saved with one submit."""
    _require_counsellor(request.user)
    session = _session(pk)
    attendances = list(
        session.attendances.filter(trajectory__in=trajectories_for(request.user))
        .select_related("trajectory__jobseeker")
        .order_by("trajectory__jobseeker__search_name", "pk")
    )
    done, context = register_page(request, session, attendances, INFORMATION_REGISTER)
    if done is not None:
        return done
    context["counts"] = {s: sum(1 for a in attendances if a.status == s) for s in Attendance.values}
    return render(request, "workspace/session_register.html", context)


def _candidates(user: Any, session: InformationSession) -> Any:
    """People at the interest step, in the user's scope, not yet registered to this session."""
    return (
        trajectories_for(user)
        .filter(current_step=Step.INTEREST)
        .exclude(information_attendances__session=session)
        .select_related("jobseeker")
    )


def _int_list(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@login_required
@require_http_methods(["GET", "POST"])
def session_registrations(request: HttpRequest, pk: int) -> HttpResponse:
    """Register people at the interest step to a session: all those selected, or none."""
    _require_counsellor(request.user)
    session = _session(pk)
    candidates = _candidates(request.user, session)
    search = RegistrationSearchForm(request.GET or None)
    search.is_valid()
    key = search_key(getattr(search, "cleaned_data", {}).get("q") or "")
    form = RegistrationForm(request.POST or None, candidates=candidates, version=session.version)
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["trajectories"])
        try:
            session_services.register_to_session(
                session=session, trajectories=chosen, by=request.user, version=form.cleaned_data["version"]
            )
        except PathwayError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d person is registered to this session.",
                    "%(count)d people are registered to this session.",
                    len(chosen),
                )
                % {"count": len(chosen)},
            )
            return redirect("workspace:session_registrations", session.pk)
    # What to show: the search results, plus anyone already ticked or sent here from the no-show list.
    selected = set(_int_list(request.POST.getlist("trajectories"))) | set(_int_list(request.GET.getlist("trajectory")))
    shown: list[Trajectory] = []
    if key:
        upper = key[:-1] + chr(ord(key[-1]) + 1)
        shown = list(
            candidates.filter(jobseeker__search_name__gte=key, jobseeker__search_name__lt=upper).order_by(
                "jobseeker__search_name", "pk"
            )[:SEARCH_LIMIT]
        )
    extra = [t for t in candidates.filter(pk__in=selected) if t.pk not in {s.pk for s in shown}]
    options = [{"trajectory": t, "checked": t.pk in selected} for t in [*extra, *shown]]
    registered = list(
        session.attendances.filter(trajectory__in=trajectories_for(request.user))
        .select_related("trajectory__jobseeker")
        .order_by("trajectory__jobseeker__search_name", "pk")
    )
    taken = session_services.seats_taken(session)
    context = {
        "session": session,
        "search": search,
        "searched": bool(key),
        "form": form,
        "options": options,
        "registered": registered,
        "free": max(session.capacity - taken, 0),
        "locked": session_services.is_locked(session),
        "search_limit": SEARCH_LIMIT,
    }
    return render(request, "workspace/session_registrations.html", context)


@login_required
@require_GET
def no_shows(request: HttpRequest) -> HttpResponse:
    """People absent (not excused) at their last session and still at interest, to invite again."""
    _require_counsellor(request.user)
    rows = list(
        session_services.no_shows(trajectories_for(request.user))
        .select_related("jobseeker")
        .order_by("-last_session_at", "pk")[: NO_SHOW_LIMIT + 1]
    )
    truncated = len(rows) > NO_SHOW_LIMIT
    rows = rows[:NO_SHOW_LIMIT]
    upcoming = list(
        InformationSession.objects.filter(starts_at__gt=timezone.now(), cancelled=False)
        .annotate(taken=Count("attendances", filter=Q(attendances__status__in=session_services.SEAT_STATUSES)))
        .order_by("starts_at")[:100]
    )
    items = []
    for trajectory in rows:
        language = trajectory.jobseeker.contact_language
        next_session = next((s for s in upcoming if s.language == language and s.taken < s.capacity), None)
        register_url = (
            f"{reverse('workspace:session_registrations', args=[next_session.pk])}?trajectory={trajectory.pk}"
            if next_session
            else ""
        )
        items.append({"trajectory": trajectory, "next_session": next_session, "register_url": register_url})
    return render(request, "workspace/session_no_shows.html", {"items": items, "truncated": truncated})


# --- Book one person from their trajectory page -----------------------------------------------------


def _when(session: InformationSession) -> str:
    return formats.date_format(timezone.localtime(session.starts_at), "d/m/Y H:i")


@login_required
@require_http_methods(["GET", "POST"])
def book_session(request: HttpRequest, pk: int) -> HttpResponse:
    """Register one person at the interest step to an information session to come, from their page.

    GET lists every session to come with free places; POST books one, through register_to_session
    (capacity, lock, session version), and goes back to the trajectory page.
    """
    trajectory = get_trajectory_for(request.user, pk)  # 404 before 403
    _require_counsellor(request.user)
    form = BookSessionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            form.add_error(None, _("Choose a session in the list."))
        else:
            session = InformationSession.objects.filter(pk=form.cleaned_data["session"]).first()
            try:
                if session is None:
                    raise PathwayError(_("Choose a session in the list."))
                session_services.book_one(
                    session=session, trajectory=trajectory, by=request.user, version=form.cleaned_data["version"]
                )
            except PathwayError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("%(name)s is registered to the information session of %(date)s.")
                    % {"name": trajectory.jobseeker, "date": _when(session)},
                )
                return redirect("workspace:trajectory", trajectory.pk)
    return _book_page(request, trajectory, form)


def _book_page(request: HttpRequest, trajectory: Trajectory, form: Any) -> HttpResponse:
    context = {
        "trajectory": trajectory,
        "person": trajectory.jobseeker,
        "form": form,
        "offer": booking_offer(request.user, trajectory, limit=BOOKING_PAGE_LIMIT),
    }
    return render(request, "workspace/session_book.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cancel_booking(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel the person's booking to come on their behalf ("I can't come on Tuesday"), then offer the sessions again.

    GET shows the same page as book_session (the booking and its button); POST cancels through the
    portal's service, as when the person cancels themselves: same notification, session version checked,
    refused once the session has started, audited as done by the counsellor.
    """
    trajectory = get_trajectory_for(request.user, pk)  # 404 before 403
    _require_counsellor(request.user)
    form = CancelBookingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            form.add_error(None, _("This booking can no longer be cancelled."))
        else:
            booking = (
                InformationAttendance.objects.filter(pk=form.cleaned_data["booking"], trajectory=trajectory)
                .select_related("session")
                .first()
            )
            try:
                if booking is None or booking.session is None:
                    raise PathwayError(_("This booking can no longer be cancelled."))
                session_services.cancel_booking(
                    attendance=booking, by=request.user, version=form.cleaned_data["version"]
                )
            except PathwayError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("The booking of %(name)s for the information session of %(date)s is cancelled.")
                    % {"name": trajectory.jobseeker, "date": _when(booking.session)},
                )
                return redirect(f"{reverse('workspace:trajectory', args=[trajectory.pk])}#information-booking")
    return _book_page(request, trajectory, form)
