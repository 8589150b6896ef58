"""Information sessions at the counter: the attendance register, registrations and the no-show list.

Counsellors only (everyone else 403, anonymous visitors to the login page). Every write is one call
to pathways.sessions; people are read through accounts.access.trajectories_for.
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
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from autocrea.accounts.access import trajectories_for
from autocrea.accounts.models import Role
from autocrea.lib.identifiers import search_key
from autocrea.pathways import sessions as session_services
from autocrea.pathways.models import Attendance, InformationSession, Trajectory
from autocrea.pathways.steps import PathwayError, Step
from autocrea.workspace.forms_sessions import RegistrationForm, RegistrationSearchForm
from autocrea.workspace.views.registers import RegisterActions, register_page

SEARCH_LIMIT = 50
NO_SHOW_LIMIT = 200


def _require_counsellor(user: Any) -> None:
    if getattr(user, "role", "") != Role.COUNSELLOR:
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
