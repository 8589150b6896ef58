"""Ranges of sensible dates, one per kind of date a person or staff can enter (docs/trust.md, "Dates within sense").

Forms and services check the same range: a form shows the message next to its field, a service (also called by
the API and commands) refuses with it before writing anything. Bounds are computed at call time from today's
date in Brussels and the programme's start (settings.PROGRAMME), so they move with the calendar.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

# How far back staff may record what happened before the programme (people who came from an earlier scheme).
YEARS_BEFORE_PROGRAMME = 5
# How far ahead anything may be planned.
YEARS_AHEAD = 2


def _today() -> datetime.date:
    return timezone.localdate()


def _years(day: datetime.date, years: int) -> datetime.date:
    """`day` moved by whole years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _programme_start() -> datetime.date:
    return datetime.date.fromisoformat(str(settings.PROGRAMME["start"]))


def _earliest_record() -> datetime.date:
    return _years(_programme_start(), -YEARS_BEFORE_PROGRAMME)


def _latest_plan() -> datetime.date:
    return _years(_today(), YEARS_AHEAD)


@dataclass(frozen=True)
class DateRange:
    """A named range of sensible dates, both bounds included and computed when checked."""

    name: str
    earliest: Callable[[], datetime.date]
    latest: Callable[[], datetime.date]

    def bounds(self) -> tuple[datetime.date, datetime.date]:
        return self.earliest(), self.latest()

    def message(self) -> str:
        low, high = self.bounds()
        return _("Enter a date between %(earliest)s and %(latest)s.") % {
            "earliest": low.strftime("%d/%m/%Y"),
            "latest": high.strftime("%d/%m/%Y"),
        }

    def contains(self, value: datetime.date | datetime.datetime) -> bool:
        low, high = self.bounds()
        return low <= as_day(value) <= high

    def error(self, value: datetime.date | datetime.datetime | None) -> str | None:
        """The message if `value` is outside the range, None when it is inside (or empty)."""
        if value is None or self.contains(value):
            return None
        return self.message()

    def validator(self, value: datetime.date | datetime.datetime | None) -> None:
        """A Django field validator: raises ValidationError with the message."""
        message = self.error(value)
        if message is not None:
            raise ValidationError(message, code="date_out_of_range")


def as_day(value: datetime.date | datetime.datetime) -> datetime.date:
    """The calendar day of a date or datetime, without overflowing at year 1 or 9999 (no local-time shift).

    An aware datetime is read in UTC when Brussels time would leave the representable range: the day can be
    one off at those bounds, which are refused anyway.
    """
    if not isinstance(value, datetime.datetime):
        return value
    if timezone.is_naive(value):
        return value.date()
    try:
        return timezone.localtime(value).date()
    except (OverflowError, ValueError):
        return value.astimezone(datetime.UTC).date()


# Birth dates: nobody in the programme was born before 1900 or in the future.
BIRTH = DateRange("birth", lambda: datetime.date(1900, 1, 1), _today)
# Unemployment periods: since a date in a working life, not in the future.
UNEMPLOYED_SINCE = DateRange("unemployed_since", lambda: datetime.date(1950, 1, 1), _today)
# End of benefit rights: past or to come, within a few years.
END_OF_RIGHTS = DateRange("end_of_rights", lambda: datetime.date(1950, 1, 1), lambda: _years(_today(), 10))
# Events staff record once they happened (steps, exits, follow-up answers, assessments, unemployment since).
RECORDED = DateRange("recorded", _earliest_record, _today)
# Sessions recorded as held or planned ahead (individual coaching sessions).
SESSION = DateRange("session", _earliest_record, _latest_plan)
# Things planned from today on (information sessions, collective series).
PLANNED = DateRange("planned", _today, _latest_plan)
# Targets and periods that may lie before or after today (due dates, milestones, viability tests, filters).
SCHEDULE = DateRange("schedule", _earliest_record, _latest_plan)


# Rows written before these ranges existed may hold the very ends of Python's calendar. Read back as they
# are, 31/12/9999 after 23:00 UTC cannot be shown in Brussels time (year 10000) and every page showing it
# would fail; they are read one day inside the calendar instead (docs/trust.md, "Dates within sense").
EARLIEST_SHOWN = datetime.datetime(datetime.MINYEAR, 1, 2, tzinfo=datetime.UTC)
LATEST_SHOWN = datetime.datetime(datetime.MAXYEAR, 12, 30, tzinfo=datetime.UTC)


class ShownDateTimeField(models.DateTimeField):
    """A DateTimeField whose stored value is always displayable in local time (clamped on read only)."""

    def from_db_value(self, value: datetime.datetime | None, expression: Any, connection: Any) -> Any:
        if value is None or timezone.is_naive(value):
            return value
        return min(max(value, EARLIEST_SHOWN), LATEST_SHOWN)
