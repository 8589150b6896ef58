"""Build .ics calendar files (RFC 5545, with icalendar) for information and coaching sessions.

Every event carries a stable UID per session and person (or staff member), so that a calendar
updates or removes the same event when a later message about it arrives. Times are written with
TZID=Europe/Brussels and the matching VTIMEZONE. Texts are rendered in the active language: the
person's contact language for what is sent or given to them (`person_ics` switches to it), the
screen language for a staff member's own copy.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from autocrea.coaching.models import CoachingSession, SessionMode
from autocrea.notifications.models import Notification, NotificationKind
from autocrea.pathways.models import InformationSession

BRUSSELS = ZoneInfo("Europe/Brussels")
# An information session lasts about two hours (as the portal tells the person).
INFORMATION_SESSION_LENGTH = datetime.timedelta(hours=2)

REQUEST = "REQUEST"  # an invitation sent by e-mail
CANCEL = "CANCEL"  # the booking was cancelled: calendars remove the event
PUBLISH = "PUBLISH"  # a file downloaded to add to one's own calendar

Session = InformationSession | CoachingSession


def _kind(session: Session) -> str:
    return "information" if isinstance(session, InformationSession) else "coaching"


def uid_for(session: Session, *, jobseeker: Any = None, user: Any = None) -> str:
    """Return the stable UID of `session` for one person (or one staff member's own copy)."""
    who = f"person-{jobseeker.pk}" if jobseeker is not None else f"user-{user.pk}"
    return f"{_kind(session)}-session-{session.pk}-{who}@{settings.CALENDAR_UID_DOMAIN}"


def filename_for(session: Session) -> str:
    return f"{_kind(session)}-session-{session.pk}.ics"


def describable(session: Session) -> bool:
    """Whether `session` can be written into a calendar file.

    A session stored at the edges of the calendar (year 1 or 9999, before the date ranges of lib/dates.py
    existed) would overflow its end time and time-zone transitions: its download answers 404 and no
    invitation carries a file for it, rather than a server error.
    """
    return datetime.MINYEAR + 1 < session.starts_at.year < datetime.MAXYEAR - 2


def times(session: Session) -> tuple[datetime.datetime, datetime.datetime]:
    """Return the start and end of `session` in Europe/Brussels."""
    starts = session.starts_at.astimezone(BRUSSELS)
    if isinstance(session, InformationSession):
        return starts, starts + INFORMATION_SESSION_LENGTH
    return starts, starts + datetime.timedelta(minutes=session.duration_minutes)


def texts(session: Session) -> dict[str, str]:
    """Return the summary, location and description of `session` in the active language."""
    if isinstance(session, InformationSession):
        return {
            "summary": _("Information session: create your own job"),
            "location": session.place,
            "description": _(
                "At this information session you learn how the programme works and you can ask your questions. "
                "It is free. If you cannot come, cancel your booking in your personal space so that someone "
                "else can take your place."
            ),
        }
    language = translation.get_language() or "fr"
    partner = session.partner.name_in(language)
    if session.mode == SessionMode.IN_PERSON:
        # A collective session has its own place; an individual one is at the partner's address.
        place = getattr(session, "place", "") or session.partner.address
        location = ", ".join(part for part in (partner, place) if part)
    elif session.mode == SessionMode.PHONE:
        location = _("By phone")
    else:
        location = _("Video call")
    return {
        "summary": _("Coaching session with %(partner)s: %(topic)s") % {"partner": partner, "topic": session.topic},
        "location": location,
        "description": _(
            "Your coach at %(partner)s expects you. If you cannot come, tell your coach as soon as possible."
        )
        % {"partner": partner},
    }


def _calendar(
    session: Session,
    *,
    uid: str,
    method: str,
    sequence: int,
    attendee: Any = None,
) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{settings.PROGRAMME['name']}//Autocrea//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    starts, ends = times(session)
    words = texts(session)
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("sequence", sequence)
    event.add("summary", words["summary"])
    event.add("location", words["location"])
    event.add("description", words["description"])
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if method != PUBLISH:
        # A scheduling message (RFC 5546) names its organizer and attendee.
        event.add(
            "organizer", f"mailto:{settings.DEFAULT_FROM_EMAIL}", parameters={"CN": str(settings.PROGRAMME["name"])}
        )
        if attendee is not None and attendee.email:
            event.add(
                "attendee",
                f"mailto:{attendee.email}",
                parameters={"CN": str(attendee), "ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"},
            )
    cal.add_component(event)
    # The VTIMEZONE only needs the transitions around the session (not every year since 1970).
    cal.add_missing_timezones(
        first_date=datetime.date(starts.year - 1, 1, 1), last_date=datetime.date(starts.year + 2, 1, 1)
    )
    return bytes(cal.to_ical())


def _session_filter(session: Session) -> Q:
    if isinstance(session, InformationSession):
        return Q(information_session=session)
    return Q(coaching_session=session)


def sequence_for(*, jobseeker: Any, session: Session, before: Notification | None = None) -> int:
    """Return the SEQUENCE of the person's event: how many invitations and cancellations came before."""
    rows = Notification.objects.filter(
        _session_filter(session),
        jobseeker=jobseeker,
        kind__in=[NotificationKind.INVITATION, NotificationKind.CANCELLATION],
    )
    if before is not None:
        rows = rows.filter(pk__lt=before.pk)
    return rows.count()


def person_ics(*, jobseeker: Any, session: Session, method: str, sequence: int | None = None) -> bytes:
    """Return the person's .ics for `session`, in their contact language."""
    if sequence is None:
        sequence = sequence_for(jobseeker=jobseeker, session=session)
    with translation.override(jobseeker.contact_language):
        return _calendar(
            session,
            uid=uid_for(session, jobseeker=jobseeker),
            method=method,
            sequence=sequence,
            attendee=jobseeker,
        )


def staff_ics(*, user: Any, session: Session) -> bytes:
    """Return a staff member's own copy of `session`, in the active (screen) language."""
    return _calendar(session, uid=uid_for(session, user=user), method=PUBLISH, sequence=0)
