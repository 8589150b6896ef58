"""Staff screens (calendar slice): a staff member's own .ics copy of a session they can see.

Information sessions: counsellors (like the register). Coaching sessions: the staff of the
session's partner; anyone else who can see a person registered to it gets 403, everybody else 404.
The file names no person: it goes into the staff member's own calendar.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from autocrea.accounts.access import (
    may_download_partner_session_ics,
    may_run_information_sessions,
    partner_sessions_in_calendar_scope,
    trajectories_for,
)
from autocrea.coaching.models import CoachingSession
from autocrea.lib.downloads import ics_response
from autocrea.notifications.services import ics
from autocrea.pathways.models import InformationSession


@login_required
def information_session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_run_information_sessions(request.user):
        raise PermissionDenied
    session = get_object_or_404(InformationSession, pk=pk)
    if not ics.describable(session):
        raise Http404
    return ics_response(ics.staff_ics(user=request.user, session=session), ics.filename_for(session))


@login_required
def coaching_session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    # In scope: a session of a person the user may see, or any session of the user's own partner.
    scope = Q(attendances__trajectory__in=trajectories_for(user))
    if partner_sessions_in_calendar_scope(user):
        scope |= Q(partner_id=user.partner_id)  # type: ignore[union-attr]
    session = CoachingSession.objects.filter(scope, pk=pk).select_related("partner").distinct().first()
    if session is None:
        raise Http404
    if not may_download_partner_session_ics(user):
        raise PermissionDenied
    if session.partner_id != request.user.partner_id:  # type: ignore[union-attr]
        raise Http404  # a session of the person's former partner
    if not ics.describable(session):
        raise Http404
    return ics_response(ics.staff_ics(user=request.user, session=session), ics.filename_for(session))
