"""The programme's configured period, targets and per-partner quotas: read by the figures, saved by managers.

`current()` is what every figure reads (reporting.kpis, forecast, the dashboards, the PDF report, the
API and `manage.py kpis`): the one Programme row, or settings.PROGRAMME when there is none yet.
`save_programme()` is the only writer: it locks the row, refuses a stale version (two managers never
overwrite each other silently) and writes. Every save is kept, old and new values and who saved, by
django-simple-history (Programme.history, Partner.history for the quotas); `history()` reads it back
for the settings page. The audit trail gets one event per changed value, `programme:<what>`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.accounts.access import may_change_programme_settings
from autocrea.backbone.errors import StaleVersionError
from autocrea.partners.models import Partner, Programme

AUDIT_PREFIX = "programme:"
EMPTY = "–"
# What the audit calls each programme value (the quota events are on the partner).
FIELDS = ("start", "end", "target_guided", "target_positive_rate", "target_job_creation_rate")


class ProgrammeConflict(StaleVersionError):
    """The settings were saved by someone else since the form was shown: nothing was written.

    `current` is what they saved: the settings page shows it beside the user's entries.
    """

    def __init__(self, current: Programme) -> None:
        super().__init__(
            _(
                "Someone else changed the programme's settings while you were working on them. Reload the page and try again."
            )
        )
        self.current = current


class NotAllowed(Exception):
    """Only programme managers change the programme's settings."""


def current() -> Programme:
    """Return the programme's configuration: the saved row, or settings.PROGRAMME's values (unsaved)."""
    return Programme.objects.order_by("pk").first() or Programme.from_settings()


def window() -> tuple[datetime.date, datetime.date]:
    programme = current()
    return programme.start, programme.end


def rate(value: Decimal | None) -> float | None:
    """Return a stored percentage (50.0) as the fraction the figures use (0.5), or None."""
    return None if value is None else float(value) / 100


def quota_partners() -> list[Partner]:
    """Partners a quota can be set for: the active ones, plus any inactive partner that still has one."""
    return list(Partner.objects.filter(active=True) | Partner.objects.filter(quota_guided__isnull=False))


@dataclass(frozen=True)
class Values:
    """What the settings form submits: the programme's values and each partner's quota (None: no quota)."""

    start: datetime.date
    end: datetime.date
    target_guided: int
    target_positive_rate: Decimal | None
    target_job_creation_rate: Decimal | None
    quotas: Mapping[int, int | None]


def _shown(value: Any) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


@transaction.atomic
def save_programme(*, values: Values, version: int, by: Any) -> list[str]:
    """Save the settings if `version` is still the saved one; return the audit actions written (one per change).

    Raises ProgrammeConflict when someone saved in between (nothing is written), NotAllowed for anyone
    but a programme manager. Saving unchanged values writes nothing and keeps the version.
    """
    if not may_change_programme_settings(by):
        raise NotAllowed
    programme = Programme.objects.select_for_update().order_by("pk").first()
    if programme is None:
        programme = Programme.from_settings()  # version 0: the form showed the settings' values
    if programme.version != version:
        raise ProgrammeConflict(programme)
    if programme.pk is None:
        # The settings' values become the first saved row: the history keeps them as the old values.
        programme._history_user = by  # type: ignore[attr-defined]  # who, for the history
        programme.save()
    _ensure_baseline(programme, FIELDS)
    changes: list[tuple[str, Any, Any, Any]] = []  # (what, old, new, audited object)
    for name in FIELDS:
        old, new = getattr(programme, name), getattr(values, name)
        if old != new:
            changes.append((name, old, new, programme))
            setattr(programme, name, new)
    partners = Partner.objects.select_for_update().filter(pk__in=list(values.quotas)).order_by("pk")
    changed_partners = []
    for partner in partners:
        _ensure_baseline(partner, ("quota_guided",))
        new = values.quotas[partner.pk]
        if partner.quota_guided != new:
            changes.append(("quota", partner.quota_guided, new, partner))
            partner.quota_guided = new
            changed_partners.append(partner)
    if not changes:
        return []
    programme.version += 1
    programme.updated_at = timezone.now()
    programme.updated_by = by
    programme.full_clean(exclude=["updated_by"])
    programme._history_user = by  # type: ignore[attr-defined]
    programme.save()
    for partner in changed_partners:
        partner._history_user = by  # type: ignore[attr-defined]
        partner.save(update_fields=["quota_guided"])
    actions = []
    for name, _old, _new, obj in changes:
        # The values are in the history (Programme.history, Partner.history), not squeezed into the action.
        action = f"{AUDIT_PREFIX}{name}"
        audit.record(user=by, action=action, obj=obj)
        actions.append(action)
    return actions


def _ensure_baseline(obj: Programme | Partner, fields: tuple[str, ...]) -> None:
    """Record the row's current values in its history when its last history row does not hold them.

    A row changed outside the tracked saves (a queryset update, a bulk load) would otherwise show the
    wrong "old" value at its next change; the baseline row is created, not changed, so it is not listed.
    """
    manager = type(obj).history  # type: ignore[attr-defined]
    last = manager.filter(id=obj.pk).first()
    if last is None or any(getattr(last, name) != getattr(obj, name) for name in fields):
        manager.bulk_history_create([obj], default_change_reason="baseline")


@dataclass(frozen=True)
class Change:
    at: datetime.datetime
    by: str
    what: str
    old: str
    new: str


def history(*, limit: int = 30) -> list[Change]:
    """Return the latest changes of the settings, newest first, read from the history of the rows.

    One Change per value changed by a save: the programme's fields, and the partners' quotas (a
    partner's other changes, made in the admin, are not programme settings).
    """
    from autocrea.accounts.models import User

    programme_saves = Programme.history.filter(history_type="~").select_related("history_user")  # type: ignore[attr-defined]
    partner_saves = Partner.history.filter(history_type="~").select_related("history_user")  # type: ignore[attr-defined]
    records = [
        *((record, 0, FIELDS) for record in programme_saves[:limit]),
        *((record, 1, ("quota_guided",)) for record in partner_saves[: limit * 4]),
    ]
    # Newest first; within one save the quotas come after the programme, each in its saving order.
    records.sort(key=lambda item: (item[0].history_date, item[1], item[0].history_id), reverse=True)
    labels = field_labels()
    changes: list[Change] = []
    for record, _rank, fields in records:
        previous = _previous(record)
        if previous is None:
            continue
        user: User | None = record.history_user
        who = (user.get_full_name() or user.get_username()) if user else _("Unknown user")
        for name in reversed(fields):  # newest first, as the page always listed them
            old, new = getattr(previous, name), getattr(record, name)
            if old == new:
                continue
            if name == "quota_guided":
                name, what = "quota", _("Quota of %(partner)s") % {"partner": record.instance.name}
            else:
                what = str(labels.get(name, name))
            changes.append(
                Change(
                    at=record.history_date,
                    by=who,
                    what=what,
                    old=_readable(name, _shown(old)),
                    new=_readable(name, _shown(new)),
                )
            )
    return changes[:limit]


def _previous(record: Any) -> Any:
    """The row's history record just before `record` (by date, then id: two saves may share a timestamp)."""
    earlier = Q(history_date__lt=record.history_date) | Q(history_date=record.history_date, pk__lt=record.pk)
    return type(record).objects.filter(earlier, id=record.id).order_by("-history_date", "-history_id").first()


def field_labels() -> dict[str, str]:
    return {
        "start": _("Start of the programme"),
        "end": _("End of the programme"),
        "target_guided": _("Target of people guided"),
        "target_positive_rate": _("Target positive-exit rate"),
        "target_job_creation_rate": _("Target job-creation rate"),
    }


def _readable(name: str, value: str) -> str:
    """Return an audited value as the page shows it: dates as dd/mm/yyyy, rates with %."""
    if value in ("", EMPTY):
        return EMPTY
    if name in ("start", "end"):
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if name.endswith("_rate"):
        return f"{value.replace('.', ',') if _uses_comma() else value}\u00a0%"
    return value


def _uses_comma() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "fr")[:2] in {"fr", "nl"}
