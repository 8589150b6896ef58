"""The HTTP API: token-authenticated, scoped by the same access helpers as the screens."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer

from autocrea.accounts.access import get_trajectory_for, trajectories_for
from autocrea.accounts.tokens import user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(title="Autocrea API", version="1", auth=TokenAuth(), urls_namespace="api")


class TrajectoryOut(Schema):
    id: int
    reference: str
    current_step: str
    partner: str | None
    interest_on: datetime.date
    guided_on: datetime.date | None
    exit_on: datetime.date | None
    exit_kind: str | None


class TrajectoryPage(Schema):
    items: list[TrajectoryOut]
    next_after: int | None


def _out(t: Any) -> TrajectoryOut:
    return TrajectoryOut(
        id=t.pk,
        reference=t.reference,
        current_step=t.current_step,
        partner=t.partner.slug if t.partner_id else None,
        interest_on=t.interest_on,
        guided_on=t.guided_on,
        exit_on=t.exit_on,
        exit_kind=t.exit_kind_id,
    )


@api.get("/trajectories", response=TrajectoryPage, summary="List the trajectories in the caller's scope")
def list_trajectories(request: HttpRequest, after: int = 0, limit: int = 50) -> TrajectoryPage:
    limit = max(1, min(limit, 200))
    qs = trajectories_for(request.user).select_related("partner").order_by("id")
    if after > 0:
        qs = qs.filter(id__gt=after)
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return TrajectoryPage(items=[_out(t) for t in rows], next_after=rows[-1].pk if more else None)


@api.get("/trajectories/{trajectory_id}", response=TrajectoryOut, summary="One trajectory in the caller's scope")
def get_trajectory(request: HttpRequest, trajectory_id: int) -> TrajectoryOut:
    return _out(get_trajectory_for(request.user, trajectory_id))
