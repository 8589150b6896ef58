"""Correction requests (GDPR right to rectification): the person asks, staff answer.

Writes: `correction_request_create` (by the person online, or by staff on their behalf, channel
recorded) and `correction_request_answer` (done or refused, with an answer the person reads on My
data). Reads: `correction_requests_for(user)`, scoped through accounts.access.jobseekers_for, so
partner staff only see requests of people oriented to their partner, and a foreign request is a 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.accounts.access import (
    asks_for_themselves,
    jobseekers_for,
    may_answer_correction_requests,
    may_record_correction_request,
)
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Channel
from autocrea.datarights.models import CorrectionRequest, CorrectionStatus
from autocrea.jobseekers.models import Jobseeker

MAX_LENGTH = 2000


class CorrectionError(PathwayError):
    """A refused correction operation; `message` is translated and safe to show."""


def correction_requests_for(user: Any) -> QuerySet[CorrectionRequest]:
    """Return the correction requests whose person `user` may see (none for anyone else)."""
    return CorrectionRequest.objects.filter(jobseeker__in=jobseekers_for(user).values("pk"))


def get_correction_request_for(user: Any, pk: int) -> CorrectionRequest:
    """Return one correction request in `user`'s scope, or raise Http404."""
    try:
        return correction_requests_for(user).select_related("jobseeker").get(pk=int(pk))
    except (ValueError, TypeError, CorrectionRequest.DoesNotExist) as exc:
        raise Http404 from exc


@transaction.atomic
def correction_request_create(
    *,
    jobseeker: Jobseeker,
    what_is_wrong: str,
    what_it_should_be: str,
    by: Any,
    channel: str = Channel.WEB,
    form_token: uuid.UUID | None = None,
) -> tuple[CorrectionRequest, bool]:
    """Record a correction request; return (request, created).

    The form carries a one-time `form_token`: the same form submitted twice (double click, back and
    resubmit, two requests at once) returns the request made the first time and creates nothing.
    """
    if not may_record_correction_request(by, jobseeker):
        raise CorrectionError(_("You cannot ask for a correction for this person."))
    wrong, should = what_is_wrong.strip(), what_it_should_be.strip()
    if not wrong or not should:
        raise CorrectionError(_("Say what is wrong and what it should be."))
    if asks_for_themselves(by):
        channel = Channel.WEB
    elif channel not in {Channel.COUNTER, Channel.PHONE, Channel.POST}:
        raise CorrectionError(_("Choose how the person asked"))
    if form_token is not None:
        existing = CorrectionRequest.objects.filter(form_token=form_token, jobseeker=jobseeker).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            request = CorrectionRequest.objects.create(
                jobseeker=jobseeker,
                what_is_wrong=wrong[:MAX_LENGTH],
                what_it_should_be=should[:MAX_LENGTH],
                channel=channel,
                created_by=by,
                form_token=form_token,
            )
    except IntegrityError:
        # The same token won a race in another transaction: that request is the one.
        existing = CorrectionRequest.objects.filter(form_token=form_token, jobseeker=jobseeker).first()
        if existing is None:
            raise
        return existing, False
    audit.record(user=by, action="create:correction_request", obj=request)
    return request, True


@transaction.atomic
def correction_request_answer(*, request: CorrectionRequest, status: str, answer: str, by: Any) -> CorrectionRequest:
    """Close an open request as done or refused, with the answer the person will read.

    The row is locked: two staff members answering at once, or one answer submitted twice, close it once;
    the second gets a clear refusal and writes nothing.
    """
    if not may_answer_correction_requests(by):
        raise CorrectionError(_("You cannot answer correction requests."))
    locked = correction_requests_for(by).select_for_update().filter(pk=request.pk).first()
    if locked is None:
        raise Http404
    if status not in {CorrectionStatus.DONE, CorrectionStatus.REFUSED}:
        raise CorrectionError(_("Choose whether the data was corrected"))
    text = answer.strip()
    if not text:
        raise CorrectionError(_("Write the answer the person will read"))
    if locked.status != CorrectionStatus.OPEN:
        raise CorrectionError(_("This request has already been answered."))
    locked.status = status
    locked.answer = text[:MAX_LENGTH]
    locked.answered_at = timezone.now()
    locked.answered_by = by
    locked.save(update_fields=["status", "answer", "answered_at", "answered_by"])
    audit.record(user=by, action=f"answer:correction_request.{status}", obj=locked)
    return locked
