"""Reads of information sessions for the screens (selectors): what the portal and a trajectory page offer.

The callers pass a trajectory they fetched through accounts.access; nothing here writes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from autocrea.accounts.access import can
from autocrea.backbone.steps import Step
from autocrea.pathways.models import InformationSession, Trajectory
from autocrea.pathways.registers import SEAT_STATUSES
from autocrea.pathways.sessions import current_booking

# Sessions offered on a trajectory page.
BOOKING_LIMIT = 5


def sessions_with_seats(*, language: str) -> QuerySet[InformationSession]:
    """Future information sessions in `language`, each annotated with `taken` seats (the portal's list)."""
    return (
        InformationSession.objects.filter(starts_at__gt=timezone.now(), language=language)
        .annotate(taken=Count("attendances", filter=Q(attendances__status__in=SEAT_STATUSES)))
        .order_by("starts_at")
    )


def booking_offer(user: Any, trajectory: Trajectory, limit: int = BOOKING_LIMIT) -> dict[str, Any] | None:
    """What the "Book an information session" section shows, or None when it has no place on the page.

    Only for a user who may register people (counsellors), and a person at the interest step. Either
    their booking to come, or the next sessions with free places: their contact language first.
    """
    if not can(user, "record_information") or trajectory.current_step != Step.INTEREST:
        return None
    booking = current_booking(trajectory)
    sessions: list[Any] = []  # annotated with taken / free
    more = False
    if booking is None:
        language = trajectory.jobseeker.contact_language
        rows = list(
            InformationSession.objects.filter(starts_at__gt=timezone.now(), cancelled=False, finalised_at__isnull=True)
            .annotate(
                taken=Count("attendances", filter=Q(attendances__status__in=SEAT_STATUSES)),
                other_language=Case(
                    When(language=language, then=Value(0)), default=Value(1), output_field=IntegerField()
                ),
            )
            .filter(taken__lt=F("capacity"))
            .order_by("other_language", "starts_at", "pk")[: limit + 1]
        )
        more = len(rows) > limit
        sessions = rows[:limit]
        for row in sessions:
            row.free = row.capacity - row.taken  # type: ignore[attr-defined]
    return {"trajectory": trajectory, "booking": booking, "sessions": sessions, "more": more}
