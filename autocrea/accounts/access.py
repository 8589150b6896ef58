"""The one scoping choke point: every read of personal data goes through these helpers.

Deny by default: a user with no role, an inactive user or an anonymous visitor sees nothing,
and an object outside a user's scope answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404

from autocrea.accounts.models import PARTNER_ROLES, STAFF_ROLES, Role

if TYPE_CHECKING:
    from autocrea.jobseekers.models import JobseekerQuerySet
    from autocrea.pathways.models import Trajectory, TrajectoryQuerySet


def _role(user: Any) -> str:
    if user is None or not user.is_authenticated or not user.is_active:
        return Role.NONE
    return str(user.role)


def trajectories_for(user: Any) -> TrajectoryQuerySet:
    """Return the trajectories whose personal data `user` may see."""
    from autocrea.pathways.models import Trajectory

    role = _role(user)
    qs = Trajectory.objects.all()
    if role == Role.COUNSELLOR:
        return qs
    if role in PARTNER_ROLES and user.partner_id:
        return qs.filter(partner_id=user.partner_id)
    if role == Role.JOBSEEKER:
        return qs.filter(jobseeker__user_id=user.pk)
    return qs.none()


def get_trajectory_for(user: Any, pk: int) -> Trajectory:
    """Return one trajectory in `user`'s scope, or raise Http404."""
    from autocrea.pathways.models import Trajectory

    try:
        return trajectories_for(user).with_person().get(pk=int(pk))
    except (ValueError, TypeError, Trajectory.DoesNotExist) as exc:
        raise Http404 from exc


def jobseekers_for(user: Any) -> JobseekerQuerySet:
    """Return the job seekers whose personal data `user` may see."""
    from autocrea.jobseekers.models import Jobseeker

    role = _role(user)
    qs = Jobseeker.objects.all()
    if role == Role.COUNSELLOR:
        return qs
    if role in PARTNER_ROLES and user.partner_id:
        return qs.filter(trajectories__partner_id=user.partner_id).distinct()
    if role == Role.JOBSEEKER:
        return qs.filter(user_id=user.pk)
    return qs.none()


def export_scope_for(user: Any) -> TrajectoryQuerySet:
    """Return the trajectories `user` may export as pseudonymised rows (no name, no national number)."""
    from autocrea.pathways.models import Trajectory

    role = _role(user)
    if role in {Role.COUNSELLOR, Role.PROGRAMME_MANAGER}:
        return Trajectory.objects.all()
    if role in PARTNER_ROLES and user.partner_id:
        return Trajectory.objects.filter(partner_id=user.partner_id)
    return Trajectory.objects.none()


def can_see_coaching_notes(user: Any, trajectory: Trajectory) -> bool:
    """Coaching notes stay with the partner the trajectory is oriented to."""
    return (
        _role(user) in PARTNER_ROLES and trajectory.partner_id is not None and user.partner_id == trajectory.partner_id
    )


# Which roles may perform each pathway action (partner staff only on their own partner's trajectories).
ACTION_ROLES: dict[str, set[str]] = {
    "express_interest": {Role.COUNSELLOR, Role.JOBSEEKER},
    "record_information": {Role.COUNSELLOR},
    "record_decision": {Role.COUNSELLOR, Role.JOBSEEKER},
    "orient": {Role.COUNSELLOR, Role.JOBSEEKER},
    "answer_orientation": {Role.COACH, Role.PARTNER_MANAGER},
    "record_diagnostic": {Role.COACH, Role.PARTNER_MANAGER},
    "record_coaching": {Role.COACH, Role.PARTNER_MANAGER},
    "record_exit": {Role.COACH, Role.PARTNER_MANAGER},
    "record_follow_up": {Role.COACH, Role.PARTNER_MANAGER, Role.COUNSELLOR},
    "reorient": {Role.COACH, Role.PARTNER_MANAGER, Role.COUNSELLOR},
    "stop": {Role.COUNSELLOR},
    "reopen": {Role.COUNSELLOR, Role.COACH, Role.PARTNER_MANAGER},
    "justify_eligibility": {Role.COUNSELLOR},
    "merge_jobseekers": {Role.COUNSELLOR},
}


def can(user: Any, action: str, trajectory: Trajectory | None = None) -> bool:
    """Return whether `user` may perform `action` (on `trajectory`, when given)."""
    role = _role(user)
    if role not in ACTION_ROLES.get(action, set()):
        return False
    if trajectory is None:
        return True
    if role in PARTNER_ROLES:
        return trajectory.partner_id is not None and trajectory.partner_id == user.partner_id
    if role == Role.JOBSEEKER:
        return trajectory.jobseeker.user_id == user.pk
    return True


def can_read_api_docs(user: Any) -> bool:
    """The API's documentation (/api/docs, /api/openapi.json): signed-in staff only."""
    return _role(user) in STAFF_ROLES
