"""Collective sessions of a partner: plan a series, register people, the attendance register, the roster.

Partner coaches and managers only, and only for their own partner's sessions: a session of another
partner answers 404 to everyone, like one that does not exist. Every write is one call to
coaching/services.py; people are read through accounts.access.trajectories_for.
"""

from __future__ import annotations

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
from autocrea.accounts.access import trajectories_for
from autocrea.accounts.models import PARTNER_ROLES
from autocrea.coaching import services as coaching
from autocrea.coaching.models import CoachingSession, SessionKind
from autocrea.pathways.models import Trajectory
from autocrea.pathways.steps import PathwayError
from autocrea.workspace.forms_collective import CaseloadRegisterForm, EnrolForm, SeriesForm
from autocrea.workspace.forms_sessions import RegisterForm
from autocrea.workspace.views.base import trajectory_action

PAST_LIMIT = 30
UPCOMING_LIMIT = 100


def _is_partner_staff(user: Any) -> bool:
    return getattr(user, "role", "") in PARTNER_ROLES and bool(getattr(user, "partner_id", None))


def _require_partner_staff(user: Any) -> None:
    if not _is_partner_staff(user):
        raise PermissionDenied


def get_collective_session_for(user: Any, pk: int) -> CoachingSession:
    """Return a collective session of `user`'s partner, or raise Http404 (for everyone else too)."""
    if not _is_partner_staff(user):
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


@login_required
@require_GET
def collective_sessions(request: HttpRequest) -> HttpResponse:
    """List the partner's collective sessions to come and the recent ones, with places and attendance."""
    _require_partner_staff(request.user)
    now = timezone.now()
    sessions = CoachingSession.objects.filter(partner_id=request.user.partner_id, kind=SessionKind.COLLECTIVE).annotate(
        taken=Count("attendances", filter=Q(attendances__status__in=coaching.SEAT_STATUSES)),
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
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = coaching.plan_collective_series(
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
    started = coaching.collective_has_started(session)
    locked = coaching.collective_is_locked(session)
    form = RegisterForm(request.POST or None, attendances=attendances, version=session.version)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["did_not_take_place"]:
                coaching.cancel_collective_session(session=session, by=request.user, version=data["version"])
                success = _("The session is recorded as not having taken place. Its register is closed.")
            else:
                coaching.record_collective_register(
                    session=session,
                    statuses=form.statuses(),
                    by=request.user,
                    version=data["version"],
                    finalise=data["finalise"],
                )
                success = _("The register is saved and finalised.") if data["finalise"] else _("The register is saved.")
        except PathwayError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, success)
            return redirect("workspace:collective_register", session.pk)
    audit.record(user=request.user, action="read:collective_register", obj=session)
    taken = sum(1 for a in attendances if a.status in coaching.SEAT_STATUSES)
    context = {
        "session": session,
        "form": form,
        "attendances": attendances,
        "started": started,
        "locked": locked,
        "editable": started and not locked,
        "free": max(session.capacity - taken, 0),
    }
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
        return coaching.register_to_collective_session(
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
        rows = coaching.register_to_collective_session(session=session, trajectories=trajectories, by=request.user)
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
