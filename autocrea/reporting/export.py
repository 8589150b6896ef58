"""Pseudonymised trajectory rows: one row per trajectory, no name, no national number, no contact data.

The columns are documented in docs/export.md. Rows are streamed from the database in chunks
(`values_list(...).iterator()`), so an export of a million trajectories runs in flat memory.
Who may export which trajectories is decided by `accounts.access.export_scope_for`, never here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from autocrea.lib import exports
from autocrea.reference.models import EducationLevel

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Column:
    key: str  # stable machine name: the CSV header
    header: str | Promise  # translated label: the XLSX header
    description: str  # one line, for docs/export.md


COLUMNS: tuple[Column, ...] = (
    Column("reference", _("Trajectory"), "Internal id of the trajectory, T-000123 (the primary key, zero-padded)."),
    Column("partner", _("Partner"), "Short code (slug) of the current partner; empty before orientation or stopped."),
    Column("current_step", _("Current step"), "Backbone step now: interest … follow_up, or stopped."),
    Column("intake_channel", _("Channel of intake"), "How the interest was recorded: web, counter, phone, post."),
    Column("interest_on", _("Interest expressed on"), "Date the interest was expressed (dd/mm/yyyy)."),
    Column("information_on", _("Informed on"), "Date the information was received."),
    Column("decision_on", _("Decided on"), "Date of the decision to go ahead."),
    Column("orientation_on", _("Oriented on"), "Date of the latest orientation to a partner."),
    Column(
        "guided_on", _("Accepted by the partner on"), "Date a partner first accepted the person (start of guidance)."
    ),
    Column("accompaniment_on", _("Accompaniment started on"), "Date the accompaniment started (after the diagnostic)."),
    Column("exit_on", _("Exit on"), "Date of the exit."),
    Column("follow_up_on", _("Followed up on"), "Date the +6-month follow-up was recorded (answered or no response)."),
    Column("stopped_on", _("Stopped on"), "Date the person left the funnel before a partner accepted them."),
    Column("exit_kind", _("Exit kind"), "Code of the exit kind (reference ExitKind), empty when not exited."),
    Column("positive", _("Positive exit"), "1 when the exit kind counts as positive, 0 when not, empty when no exit."),
    Column(
        "job_creation",
        _("Job creation"),
        "1 when the exit kind counts as a job creation, 0 when not, empty when no exit.",
    ),
    Column("gender", _("Gender"), "female, male or non_binary."),
    Column("age_band", _("Age band"), "Age at the interest date: <18, 18-29, 30-54, 55+ (ESF+ bands)."),
    Column("commune_nis", _("Commune (NIS code)"), "NIS code of the commune of residence, empty when unknown."),
    Column("education_level", _("Education level"), "Highest level completed (none … master)."),
    Column("education_isced", _("ISCED band"), "ESF+ band of the education level: isced_0_2, isced_3_4, isced_5_8."),
    Column(
        "unemployment_band",
        _("Length of unemployment"),
        "Length of unemployment at the interest date: <1y, 1-2y, 2y+; empty when unknown.",
    ),
)
CSV_HEADER: tuple[str, ...] = tuple(c.key for c in COLUMNS)

# The database fields read, in this order, by `_row`.
_FIELDS = (
    "pk",
    "partner__slug",
    "current_step",
    "intake_channel",
    "interest_on",
    "information_on",
    "decision_on",
    "orientation_on",
    "guided_on",
    "accompaniment_on",
    "exit_on",
    "follow_up_on",
    "stopped_on",
    "exit_kind_id",
    "exit_kind__is_positive",
    "exit_kind__is_job_creation",
    "jobseeker__gender",
    "jobseeker__birth_date",
    "jobseeker__commune_id",
    "jobseeker__education_level",
    "jobseeker__unemployed_since",
)


def whole_years(since: datetime.date, on: datetime.date) -> int:
    """Return the number of whole years from `since` to `on` (an age, a length of unemployment)."""
    before_anniversary = (on.month, on.day) < (since.month, since.day)
    return on.year - since.year - int(before_anniversary)


def age_band(birth_date: datetime.date | None, on: datetime.date) -> str:
    """Return the ESF+ age band on `on`: <18, 18-29, 30-54 or 55+."""
    if birth_date is None:
        return ""
    age = whole_years(birth_date, on)
    if age < 18:
        return "<18"
    if age < 30:
        return "18-29"
    if age < 55:
        return "30-54"
    return "55+"


def unemployment_band(since: datetime.date | None, on: datetime.date) -> str:
    """Return the length of unemployment on `on`: <1y, 1-2y or 2y+ (empty when unknown)."""
    if since is None:
        return ""
    years = whole_years(since, on) if since <= on else 0
    if years < 1:
        return "<1y"
    if years < 2:
        return "1-2y"
    return "2y+"


def _flag(value: bool | None, has_exit: bool) -> int | None:
    return (1 if value else 0) if has_exit else None


def _row(values: tuple[Any, ...]) -> tuple[Any, ...]:
    (
        pk,
        partner,
        step,
        channel,
        interest_on,
        information_on,
        decision_on,
        orientation_on,
        guided_on,
        accompaniment_on,
        exit_on,
        follow_up_on,
        stopped_on,
        exit_kind,
        positive,
        job_creation,
        gender,
        birth_date,
        commune,
        education,
        unemployed_since,
    ) = values
    has_exit = exit_kind is not None
    return (
        f"T-{pk:06d}",
        partner or "",
        step,
        channel,
        interest_on,
        information_on,
        decision_on,
        orientation_on,
        guided_on,
        accompaniment_on,
        exit_on,
        follow_up_on,
        stopped_on,
        exit_kind or "",
        _flag(positive, has_exit),
        _flag(job_creation, has_exit),
        gender,
        age_band(birth_date, interest_on),
        commune or "",
        education,
        EducationLevel.isced_band(education) if education else "",
        unemployment_band(unemployed_since, interest_on),
    )


def iter_rows(queryset: QuerySet[Any], *, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple[Any, ...]]:
    """Yield one pseudonymised row per trajectory of `queryset`, in primary-key order, in COLUMNS order."""
    values = queryset.order_by("pk").values_list(*_FIELDS).iterator(chunk_size=chunk_size)
    for item in values:
        yield _row(item)


def stream_csv(queryset: QuerySet[Any]) -> Iterator[bytes]:
    """Yield the CSV export (Belgian Excel dialect) as bytes, for a StreamingHttpResponse."""
    return exports.stream_csv(CSV_HEADER, iter_rows(queryset))


def iter_csv(queryset: QuerySet[Any]) -> Iterator[str]:
    """Yield the CSV export as text chunks (for a text stream such as a command's stdout)."""
    return exports.iter_csv(CSV_HEADER, iter_rows(queryset))


def write_csv(queryset: QuerySet[Any], file: IO[str]) -> int:
    """Write the CSV export to a text file opened with newline=""; return the number of rows."""
    return exports.write_csv(CSV_HEADER, iter_rows(queryset), file)


def write_xlsx(queryset: QuerySet[Any], file: IO[bytes] | str) -> int:
    """Write the XLSX export (translated headers, real dates); return the number of rows."""
    header = [str(c.header) for c in COLUMNS]
    return exports.write_xlsx(header, iter_rows(queryset), file, sheet_title=str(_("Trajectories")))
