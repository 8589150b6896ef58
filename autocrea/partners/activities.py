"""A partner's own activities mapped onto the common backbone: the catalogue, its scoping, and the counts.

Partner managers edit their own partner's catalogue; coaches and managers of the partner read it; programme
managers read every partner's. Coaches tag what they record (coaching.services) with an active activity of
the trajectory's partner, checked here by `check_activity`. Every write is audited (accounts/audit.py).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.accounts.access import (
    may_edit_activity_catalogue,
    may_read_activity_catalogues,
    may_read_every_activity_catalogue,
)
from autocrea.backbone.errors import PathwayError, StaleVersionError
from autocrea.partners.models import ActivityKind, ActivityStep, PartnerActivity

# The catalogue's editable fields, in the order of the form.
FIELDS = ("name_fr", "name_nl", "name_en", "code", "step", "kind", "description", "position", "active")


def activities_for(user: Any) -> QuerySet[PartnerActivity]:
    """Return the activities `user` may read (active or not)."""
    qs = PartnerActivity.objects.select_related("partner")
    if may_read_every_activity_catalogue(user):
        return qs
    if may_read_activity_catalogues(user):
        return qs.filter(partner_id=user.partner_id)
    return qs.none()


def editable_activities_for(user: Any) -> QuerySet[PartnerActivity]:
    """Return the activities `user` may change: their own partner's, for a partner manager; none otherwise."""
    if not may_edit_activity_catalogue(user):
        return PartnerActivity.objects.none()
    return PartnerActivity.objects.filter(partner_id=user.partner_id)


def offered(partner_id: int | None) -> QuerySet[PartnerActivity]:
    """The activities of a partner that coaches can choose now, in catalogue order."""
    if partner_id is None:
        return PartnerActivity.objects.none()
    return PartnerActivity.objects.filter(partner_id=partner_id, active=True).order_by("position", "name_fr", "pk")


def check_activity(activity: PartnerActivity | None, partner_id: int | None) -> None:
    """Refuse an activity of another partner, or one no longer offered (None is always fine)."""
    if activity is None:
        return
    fresh = PartnerActivity.objects.filter(pk=activity.pk).values_list("partner_id", "active").first()
    if fresh is None or partner_id is None or fresh[0] != partner_id:
        raise PathwayError(
            _(
                "This activity belongs to another partner's catalogue. Choose one of the activities of your organisation."
            )
        )
    if not fresh[1]:
        raise PathwayError(_("This activity is no longer offered. Choose another one."))


def uses(activity: PartnerActivity) -> int:
    """How many sessions, collective series and actions are tagged with `activity`."""
    return activity.coaching_sessions.count() + activity.collective_series.count() + activity.actions.count()


def with_uses(qs: QuerySet[PartnerActivity]) -> QuerySet[PartnerActivity]:
    """Annotate `in_use` (one EXISTS per kind of record, computed in the database)."""
    from autocrea.coaching.models import Action, CoachingSession, CollectiveSeries

    return qs.annotate(
        in_use=Exists(CoachingSession.objects.filter(activity=OuterRef("pk")))
        | Exists(CollectiveSeries.objects.filter(activity=OuterRef("pk")))
        | Exists(Action.objects.filter(activity=OuterRef("pk")))
    )


def _check_values(values: dict[str, Any]) -> None:
    if not str(values.get("name_fr", "")).strip() or not str(values.get("name_nl", "")).strip():
        raise PathwayError(_("Give the name of the activity in French and in Dutch."))
    if values.get("step") not in ActivityStep.values:
        raise PathwayError(_("Choose the backbone step this activity serves."))
    if values.get("kind") not in ActivityKind.values:
        raise PathwayError(_("Choose how the activity is delivered."))


def _save(activity: PartnerActivity, by: Any) -> None:
    activity._history_user = by  # type: ignore[attr-defined]  # the history's "who" (django-simple-history)
    try:
        with transaction.atomic():
            activity.save()
    except IntegrityError as exc:
        raise PathwayError(_("Your organisation already has an activity with this code. Choose another code.")) from exc


@transaction.atomic
def create_activity(*, by: Any, values: dict[str, Any]) -> PartnerActivity:
    """Add an activity to the catalogue of `by`'s partner (partner managers only)."""
    if not may_edit_activity_catalogue(by):
        raise PathwayError(_("Only a manager of the partner can change its catalogue of activities."))
    _check_values(values)
    activity = PartnerActivity(partner_id=by.partner_id, **{k: values[k] for k in FIELDS if k in values})
    _save(activity, by)
    audit.record(user=by, action="activity:add", obj=activity)
    return activity


@transaction.atomic
def update_activity(*, activity: PartnerActivity, by: Any, values: dict[str, Any], version: int) -> PartnerActivity:
    """Change an activity of `by`'s partner; refuse a form based on an older version."""
    if not may_edit_activity_catalogue(by):
        raise PathwayError(_("Only a manager of the partner can change its catalogue of activities."))
    fresh = PartnerActivity.objects.select_for_update().filter(pk=activity.pk, partner_id=by.partner_id).first()
    if fresh is None:
        raise PathwayError(_("This activity is not one of your organisation's."))
    if fresh.version != version:
        raise StaleVersionError(
            _("Someone else changed this activity while you were working on it. Reload the page and try again.")
        )
    _check_values(values)
    for name in FIELDS:
        if name in values:
            setattr(fresh, name, values[name])
    fresh.version += 1
    _save(fresh, by)
    audit.record(user=by, action="activity:change" if fresh.active else "activity:deactivate", obj=fresh)
    return fresh


@transaction.atomic
def delete_activity(*, activity: PartnerActivity, by: Any) -> None:
    """Delete an activity nobody used yet; one in use is refused (deactivate it instead)."""
    if not may_edit_activity_catalogue(by):
        raise PathwayError(_("Only a manager of the partner can change its catalogue of activities."))
    fresh = PartnerActivity.objects.select_for_update().filter(pk=activity.pk, partner_id=by.partner_id).first()
    if fresh is None:
        raise PathwayError(_("This activity is not one of your organisation's."))
    if uses(fresh):
        raise PathwayError(
            _("Sessions or actions are already tagged with this activity: it cannot be deleted. Deactivate it instead.")
        )
    audit.record(user=by, action="activity:delete", obj=fresh)
    fresh._history_user = by  # type: ignore[attr-defined]
    fresh.delete()


def delivered_counts(partner_id: int, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Count the sessions of `partner_id` delivered between `start` and `end` (inclusive), per backbone step
    and kind of their activity, in one grouped query.

    Delivered: an individual session the person attended, or a collective session that took place (not
    marked "did not take place"), that started in the period and not later than now. Sessions recorded
    without an activity are counted apart (`untagged`), so that the table says what it leaves out.
    """
    from autocrea.coaching.models import CoachingSession, SessionAttendance, SessionKind

    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = min(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz), timezone.now()
    )
    rows = (
        CoachingSession.objects.filter(partner_id=partner_id, starts_at__gte=since, starts_at__lt=until)
        .annotate(attended=Exists(SessionAttendance.objects.filter(session=OuterRef("pk"), status="present")))
        .filter(Q(kind=SessionKind.INDIVIDUAL, attended=True) | Q(kind=SessionKind.COLLECTIVE, cancelled=False))
        .values_list("activity__step", "activity__kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cells = {(step, kind): n for step, kind, n in rows}  # (None, None): sessions without an activity
    kinds = list(ActivityKind)
    table = []
    for step in ActivityStep:
        counts = [cells.get((step.value, kind.value), 0) for kind in kinds]
        labelled = [{"kind": kind.label, "n": n} for kind, n in zip(kinds, counts, strict=True)]
        table.append({"step": step, "label": step.label, "counts": counts, "cells": labelled, "total": sum(counts)})
    totals = [sum(row["counts"][i] for row in table) for i in range(len(kinds))]
    return {
        "kinds": [kind.label for kind in kinds],
        "rows": table,
        "totals": totals,
        "total_cells": [{"kind": kind.label, "n": n} for kind, n in zip(kinds, totals, strict=True)],
        "total": sum(totals),
        "untagged": cells.get((None, None), 0),
        "start": start,
        "end": end,
    }
