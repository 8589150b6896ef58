"""What every job-seeker page shares: who may come in, and which trajectory is theirs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from autocrea.accounts.access import jobseekers_for, trajectories_for
from autocrea.backbone.roles import Role
from autocrea.jobseekers.models import Jobseeker
from autocrea.pathways.models import Trajectory


def jobseeker_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send anonymous visitors to the job-seeker sign-in; refuse every other role (403)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if getattr(user, "role", "") != Role.JOBSEEKER or not user.is_active:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def my_jobseeker(request: HttpRequest) -> Jobseeker | None:
    """Return the signed-in person's own record (through the scoping choke point)."""
    return jobseekers_for(request.user).select_related("commune").first()


def my_trajectory(request: HttpRequest) -> Trajectory | None:
    """Return the person's latest trajectory (a reopened pathway is the same trajectory)."""
    return trajectories_for(request.user).with_person().select_related("coach").order_by("-id").first()
