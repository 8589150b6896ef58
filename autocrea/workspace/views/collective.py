"""Collective sessions of a partner: plan a series, register people, the attendance register, the roster.

Partner coaches and managers only, and only for their own partner's sessions: a session of another
partner answers 404 to everyone, like one that does not exist. Every write is one call to
coaching/services/collective_sessions.py; people are read through accounts.access.trajectories_for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from autocrea.accounts import audit
from autocrea.accounts.access import may_manage_collective_sessions, trajectories_for
from autocrea.backbone.errors import PathwayError
from autocrea.coaching.models import CoachingSession, CollectiveSeries, SessionAttendance, SessionKind
from autocrea.coaching.services import collective_sessions as collective_services
from autocrea.pathways.models import Trajectory
from autocrea.workspace.forms_collective import (
    CaseloadRegisterForm,
    EnrolForm,
    OccurrenceCancelForm,
    SeriesEditForm,
    SeriesForm,
    VersionForm,
)
from autocrea.workspace.views.base import trajectory_action
from autocrea.workspace.views.registers import RegisterActions, register_page

PAST_LIMIT = 30
UPCOMING_LIMIT = 100


def _require_partner_staff(user: Any) -> None:
    if not may_manage_collective_sessions(user):
        raise PermissionDenied


def get_collective_session_for(user: Any, pk: int) -> CoachingSession:
    """Return a collective session of `user`'s partner, or raise Http404 (for everyone else too)."""
    if not may_manage_collective_sessions(user):
        raise Http404
    session = (
        CoachingSession.objects.filter(pk=pk, kind=SessionKind.COLLECTIVE, partner_id=user.partner_id)
        .select_related("partner", "series")
        .first()
    )
    if session is None:
        raise Http404
    return session


def _registered(user: Any, session: CoachingSession) -> list[Any]:
    """The people registered to `session` that `user` may see, by name (one query)."""
    return list(
        session.attendances.filter(trajectory__in=trajectories_for(user))
        .select_related("trajectory__jobseeker")
        .order_by("trajectory__jobseeker__search_name", "pk")
    )


COLLECTIVE_REGISTER = RegisterActions(
    cancel=collective_services.cancel_collective_session,
    record=collective_services.record_collective_register,
    read_action="read:collective_register",
)


@login_required
@require_GET
def collective_sessions(request: HttpRequest) -> HttpResponse:
    """List the partner's collective sessions to come and the recent ones, with places and attendance."""
    _require_partner_staff(request.user)
    now = timezone.now()
    sessions = CoachingSession.objects.filter(partner_id=request.user.partner_id, kind=SessionKind.COLLECTIVE).annotate(
        taken=Count("attendances", filter=Q(attendances__status__in=collective_services.SEAT_STATUSES)),
        present=Count("attendances", filter=Q(attendances__status="present")),
    )
    context = {
        "upcoming": list(sessions.filter(starts_at__gt=now).order_by("starts_at", "pk")[:UPCOMING_LIMIT]),
        "past": list(sessions.filter(starts_at__lte=now).order_by("-starts_at", "-pk")[:PAST_LIMIT]),
        "past_limit": PAST_LIMIT,
    }
    return render(request, "workspace/collective/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def collective_series_add(request: HttpRequest) -> HttpResponse:
    """Plan a series of collective sessions (one or more dates) for the user's partner."""
    _require_partner_staff(request.user)
    form = SeriesForm(request.POST or None, partner_id=request.user.partner_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = collective_services.plan_collective_series(
                by=request.user,
                topic=data["topic"],
                place=data["place"],
                mode=data["mode"],
                capacity=data["capacity"],
                duration_minutes=data["duration"],
                first_day=data["first_day"],
                start_time=data["time"],
                recurrence=data["recurrence"],
                count=data["count"] or 1,
                dates=data["extra_dates"],
                form_token=data["form_token"],
                activity=data.get("activity"),
            )
        except PathwayError as exc:
            form.add_error(None, exc.message)
        else:
            count = series.sessions.count()
            messages.success(
                request,
                ngettext(
                    "%(count)d collective session is planned.", "%(count)d collective sessions are planned.", count
                )
                % {"count": count},
            )
            return redirect("workspace:collective_sessions")
    return render(request, "workspace/collective/series_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def collective_register(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance register of a collective session: everyone on one page, saved with one submit."""
    session = get_collective_session_for(request.user, pk)
    attendances = _registered(request.user, session)
    done, context = register_page(request, session, attendances, COLLECTIVE_REGISTER)
    if done is not None:
        return done
    taken = sum(1 for a in attendances if a.status in collective_services.SEAT_STATUSES)
    context["free"] = max(session.capacity - taken, 0)
    return render(request, "workspace/collective/register.html", context)


@login_required
def collective_roster(request: HttpRequest, pk: int) -> HttpResponse:
    """The signature roster to print: the session, and a row per person registered with an empty box."""
    session = get_collective_session_for(request.user, pk)  # 404 first, whatever the method
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    attendances = [a for a in _registered(request.user, session) if a.status != "excused"]
    audit.record(user=request.user, action="read:collective_roster", obj=session)
    context = {"session": session, "attendances": attendances, "blank_rows": range(3)}
    return render(request, "workspace/collective/roster.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def collective_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Register one person, from their trajectory page, to a collective session of their partner."""

    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return collective_services.register_to_collective_session(
            session=data["session"], trajectories=[trajectory], by=request.user
        )

    return trajectory_action(
        request,
        pk,
        action="record_coaching",
        form_class=EnrolForm,
        title=_("Register to a collective session"),
        intro=_("The person receives an invitation if they have an e-mail address."),
        perform=perform,
        success=_("The person is registered to the collective session."),
    )


def register_from_caseload(request: HttpRequest, back: str) -> HttpResponse:
    """The caseload's bulk action: register the ticked files to one collective session, all or none."""
    form = CaseloadRegisterForm(request.POST, partner_id=request.user.partner_id)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    ids = set(form.cleaned_data["selected"])
    trajectories = list(trajectories_for(request.user).filter(pk__in=ids))
    if len(trajectories) != len(ids):
        # An id outside the user's scope refuses the whole batch, and says nothing about that id.
        messages.error(request, _("Some selected files are not open files of your organisation: nothing was changed."))
        return redirect(back)
    session = form.cleaned_data["register_to"]
    try:
        rows = collective_services.register_to_collective_session(
            session=session, trajectories=trajectories, by=request.user
        )
    except PathwayError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(
        request,
        ngettext(
            "%(count)d person is registered to the collective session of %(date)s.",
            "%(count)d people are registered to the collective session of %(date)s.",
            len(rows),
        )
        % {"count": len(rows), "date": timezone.localtime(session.starts_at).strftime("%d/%m/%Y %H:%M")},
    )
    return redirect(back)


def _submit(
    request: HttpRequest, form: Any, write: Callable[[dict[str, Any]], Any], success: Callable[[Any], str], *to: Any
) -> HttpResponse | None:
    """On a valid POST run `write(cleaned_data)`, then flash `success(result)` and redirect to `to`.

    A refusal from the services is shown at the top of the form (None: show the page again).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = write(form.cleaned_data)
    except PathwayError as exc:
        form.add_error(None, exc.message)
        return None
    messages.success(request, success(result))
    return redirect(*to)


@login_required
@require_http_methods(["GET", "POST"])
def collective_registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel one person's registration to a collective session to come (the register page's button posts here)."""
    if not may_manage_collective_sessions(request.user):
        raise Http404
    attendance = (
        SessionAttendance.objects.filter(
            pk=pk,
            session__kind=SessionKind.COLLECTIVE,
            session__partner_id=request.user.partner_id,
            trajectory__in=trajectories_for(request.user),
        )
        .select_related("session__partner", "trajectory__jobseeker")
        .first()
    )
    if attendance is None:
        raise Http404
    session = attendance.session
    form = VersionForm(request.POST or None, initial={"version": session.version})
    done = _submit(
        request,
        form,
        lambda data: collective_services.cancel_collective_registration(
            attendance=attendance, by=request.user, version=data["version"]
        ),
        lambda _result: (
            _("The registration of %(name)s is cancelled. The place is free again.")
            % {"name": attendance.trajectory.jobseeker}
        ),
        "workspace:collective_register",
        session.pk,
    )
    context = {"session": session, "attendance": attendance, "form": form}
    return done or render(request, "workspace/collective/registration_cancel.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def collective_series_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the topic, place, places and start time of the sessions of a series still to come."""
    if not may_manage_collective_sessions(request.user):
        raise Http404
    series = CollectiveSeries.objects.filter(pk=pk, partner_id=request.user.partner_id).first()
    if series is None:
        raise Http404
    sessions = list(collective_services.series_sessions_to_come(series))
    initial: dict[str, Any] = {"version": series.version, "topic": series.topic}
    if sessions:
        initial |= {
            "place": sessions[0].place,
            "capacity": sessions[0].capacity,
            "time": timezone.localtime(sessions[0].starts_at).time().replace(second=0, microsecond=0),
        }
    form = SeriesEditForm(request.POST or None, initial=initial)
    done = _submit(
        request,
        form,
        lambda data: collective_services.edit_collective_series(
            series=series,
            by=request.user,
            topic=data["topic"],
            place=data["place"],
            capacity=data["capacity"],
            start_time=data["time"],
            version=data["version"],
        ),
        lambda changed: (
            ngettext(
                "%(count)d session to come is changed. The people registered receive the new details.",
                "%(count)d sessions to come are changed. The people registered receive the new details.",
                len(changed),
            )
            % {"count": len(changed)}
        ),
        "workspace:collective_sessions",
    )
    context = {"series": series, "sessions": sessions, "form": form}
    return done or render(request, "workspace/collective/series_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def collective_session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a collective session to come, or it and the rest of its series; the people registered are told."""
    session = get_collective_session_for(request.user, pk)
    rest = (
        session.series.sessions.filter(starts_at__gt=session.starts_at, cancelled=False, finalised_at__isnull=True)
        if session.series_id
        else CoachingSession.objects.none()
    )
    has_rest = rest.exists()
    form = OccurrenceCancelForm(request.POST or None, initial={"version": session.version}, has_rest=has_rest)
    done = _submit(
        request,
        form,
        lambda data: collective_services.cancel_collective_occurrences(
            session=session,
            by=request.user,
            version=data["version"],
            rest_of_series=data["scope"] == OccurrenceCancelForm.REST,
        ),
        lambda cancelled: (
            ngettext(
                "%(count)d session is cancelled. The people registered are told.",
                "%(count)d sessions are cancelled. The people registered are told.",
                len(cancelled),
            )
            % {"count": len(cancelled)}
        ),
        "workspace:collective_sessions",
    )
    registered = session.attendances.filter(status="registered").count()
    context = {"session": session, "form": form, "has_rest": has_rest, "registered": registered}
    return done or render(request, "workspace/collective/session_cancel.html", context)
