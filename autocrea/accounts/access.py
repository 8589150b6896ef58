"""The one authorization choke point: every read of personal data and every "may this user…" decision.

Deny by default: a user with no role, an inactive user or an anonymous visitor sees nothing,
and an object outside a user's scope answers 404, exactly like one that does not exist.
Views, forms, services, the API and templates (through the `may` context processor,
accounts/context.py) ask the named predicates below; nothing outside this module compares roles
(tests/test_no_role_checks.py enforces it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from autocrea.accounts.models import User
from autocrea.backbone.roles import PARTNER_ROLES, STAFF_ROLES, Role
from autocrea.backbone.transitions import actions_from, roles_for

if TYPE_CHECKING:
    from autocrea.jobseekers.models import JobseekerQuerySet
    from autocrea.pathways.models import Trajectory, TrajectoryQuerySet

_M = TypeVar("_M", bound=Model)


def _role(user: Any) -> str:
    if user is None or not user.is_authenticated or not user.is_active:
        return Role.NONE
    return str(user.role)


def _declared_role(user: Any) -> str:
    """The role as stored, for decisions that do not gate a request (e-mail language, printed wording)."""
    return str(getattr(user, "role", "") or "")


def acting_role(user: Any) -> str:
    """Return the role `user` acts in, as the transition table's rows name roles (backbone/transitions.py)."""
    return _declared_role(user)


def jobseeker_actions_from(step: str) -> list[Any]:
    """Return the transition table's actions a job seeker may take from `step` (the portal's offers)."""
    return list(actions_from(step, Role.JOBSEEKER))


def only_partner_staff_take(actions: Any) -> bool:
    """Return whether only partner staff take every one of `actions` (the partner works on the step)."""
    return all(action.roles <= PARTNER_ROLES for action in actions)


def _partner_staff(user: Any) -> bool:
    return _role(user) in PARTNER_ROLES and bool(getattr(user, "partner_id", None))


# ---------------------------------------------------------------- scoping: which personal data a user may read


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


# ---------------------------------------------------------------- coaching records (notes stay with their partner)


def may_see_coaching_records(user: Any, trajectory: Trajectory) -> bool:
    """Only the staff of the partner the trajectory is oriented to now see its coaching records and notes."""
    return (
        _role(user) in PARTNER_ROLES and trajectory.partner_id is not None and user.partner_id == trajectory.partner_id
    )


def coaching_records_for(user: Any, trajectory: Trajectory, rows: QuerySet[_M], *, partner_field: str) -> QuerySet[_M]:
    """Narrow `rows` (diagnostics, session seats… of `trajectory`) to the coaching records `user` may read.

    After a re-orientation the new partner sees only what its own staff wrote: the records of an
    earlier partner (`partner_field` names the path to the partner that wrote each row) stay with it.
    Anyone who may not see the trajectory's coaching records gets none.
    """
    if not may_see_coaching_records(user, trajectory):
        return rows.none()
    return rows.filter(**{partner_field: trajectory.partner_id})


# ---------------------------------------------------------------- pathway actions


# Who may record coaching work and the two counsellor-only corrections of a person's file: not steps of the
# backbone, so not rows of its transition table.
OTHER_ACTION_ROLES: dict[str, frozenset[str]] = {
    "record_coaching": frozenset({Role.COACH, Role.PARTNER_MANAGER}),
    "justify_eligibility": frozenset({Role.COUNSELLOR}),
    "merge_jobseekers": frozenset({Role.COUNSELLOR}),
    "plan_information_session": frozenset({Role.COUNSELLOR}),
}


def action_roles(action: str) -> frozenset[str]:
    """Return the roles that may perform `action`.

    A backbone action or service: the union of its rows' roles in the transition table
    (backbone/transitions.py); anything else: OTHER_ACTION_ROLES.
    """
    return OTHER_ACTION_ROLES.get(action) or roles_for(action)


def can(user: Any, action: str, trajectory: Trajectory | None = None) -> bool:
    """Return whether `user` may perform `action` (on `trajectory`, when given).

    The role comes from the transition table; the scope stays here: partner staff act only on their own
    partner's trajectories, a job seeker only on their own. The step is the service's check (a refusal
    with its reason, not a missing permission).
    """
    role = _role(user)
    if role not in action_roles(action):
        return False
    if trajectory is None:
        return True
    if role in PARTNER_ROLES:
        return trajectory.partner_id is not None and trajectory.partner_id == user.partner_id
    if role == Role.JOBSEEKER:
        return trajectory.jobseeker.user_id == user.pk
    return True


# ---------------------------------------------------------------- accounts and front doors


def may_use_the_portal(user: Any) -> bool:
    """Only an active job seeker uses the portal (my pathway, bookings, my data, own documents)."""
    return _role(user) == Role.JOBSEEKER


def has_jobseeker_account(user: Any) -> bool:
    """The account belongs to a job seeker: the person's own front door and contact language apply."""
    return _declared_role(user) == Role.JOBSEEKER


def may_sign_in_with_federal_login(user: Any) -> bool:
    """The federal login (FAS) is for job seekers only: a staff or admin account never signs in with it."""
    return has_jobseeker_account(user) and not user.is_staff and not user.is_superuser


def follows_staff_sign_in_rules(user: Any) -> bool:
    """Staff and administrators sign in under the staff rules (two-step verification, session timeout)."""
    return bool(user.is_authenticated and (user.role in STAFF_ROLES or user.is_staff or user.is_superuser))


def may_manage_two_step_verification(user: Any) -> bool:
    """Everyone signed in but job seekers sees the link to their authenticator and recovery codes."""
    return bool(user is not None and user.is_authenticated and not has_jobseeker_account(user))


def may_hold_api_token(user: Any) -> bool:
    """An API token is only issued to an account with a role: without one the API would show nothing."""
    return bool(_declared_role(user))


def prints_as_staff(user: Any) -> bool:
    """An attestation printed by anyone but the person themselves carries the staff wording."""
    return not has_jobseeker_account(user)


# ---------------------------------------------------------------- case files (workspace)


def may_work_on_files(user: Any) -> bool:
    """Counsellors and partner staff open individual files; programme managers and others get 403."""
    return _role(user) in {Role.COUNSELLOR, Role.COACH, Role.PARTNER_MANAGER}


def may_print_attestations(user: Any) -> bool:
    """Case staff print a person's attestations from the workspace (the person prints from the portal)."""
    return may_work_on_files(user)


def may_see_national_number(user: Any) -> bool:
    """Only Actiris counsellors see the national number in full: they register and identify people."""
    return _role(user) == Role.COUNSELLOR


def may_register_people(user: Any) -> bool:
    """Counsellors register a new person and their interest at the counter, by phone or by post."""
    return _role(user) == Role.COUNSELLOR


def may_see_every_partners_files(user: Any) -> bool:
    """Counsellors see every partner's files (and filter by partner); partner staff only their own."""
    return _role(user) == Role.COUNSELLOR


def may_express_interest_for(user: Any, jobseeker: Any) -> bool:
    """A job seeker expresses interest for themselves only; staff do it on someone's behalf."""
    return not (_declared_role(user) == Role.JOBSEEKER and jobseeker.user_id != user.pk)


def may_justify_eligibility(user: Any) -> bool:
    """Whoever may record a justification for a person outside the eligibility rules (counsellors)."""
    return can(user, "justify_eligibility")


def may_merge_people(user: Any) -> bool:
    """Whoever may merge a duplicate record into a person (counsellors)."""
    return can(user, "merge_jobseekers")


def records_orientation_as_partner(user: Any) -> bool:
    """Partner staff record a re-orientation themselves: the channel is the partner, not a choice."""
    return _declared_role(user) in PARTNER_ROLES


def may_view_follow_up_worklist(user: Any) -> bool:
    """Counsellors and partner staff follow up people six months after their exit."""
    return _role(user) in {Role.COUNSELLOR, Role.COACH, Role.PARTNER_MANAGER}


# ---------------------------------------------------------------- information sessions


def may_run_information_sessions(user: Any) -> bool:
    """Counsellors plan information sessions, keep their register and book people on them."""
    return _role(user) == Role.COUNSELLOR


# ---------------------------------------------------------------- a partner's own work


def may_view_caseload(user: Any) -> bool:
    """Partner staff see their partner's caseload and the people at each step on their home page."""
    return _partner_staff(user)


def may_manage_collective_sessions(user: Any) -> bool:
    """Partner staff plan and run their own partner's collective sessions; anyone else gets nothing."""
    return _partner_staff(user)


def may_download_partner_session_ics(user: Any) -> bool:
    """Partner staff download a calendar copy of their partner's coaching sessions."""
    return _role(user) in PARTNER_ROLES


def partner_sessions_in_calendar_scope(user: Any) -> bool:
    """Partner staff may open every session of their own partner, not only those of people they see."""
    return _partner_staff(user)


def opens_caseload_on_whole_partner(user: Any) -> bool:
    """A partner manager rarely follows files themselves: their caseload opens on the partner's files."""
    return _declared_role(user) == Role.PARTNER_MANAGER


def may_assign_coaches(user: Any) -> bool:
    """The staff of a partner hand its open files to its coaches."""
    return _declared_role(user) in PARTNER_ROLES and getattr(user, "partner_id", None) is not None


def may_be_assigned_files(coach: Any, partner_id: int | None) -> bool:
    """Only an active coach of the partner itself can be given that partner's files."""
    return bool(_declared_role(coach) == Role.COACH and coach.partner_id == partner_id and coach.is_active)


def assignable_coaches(partner_id: int | None) -> Any:
    """Return the active coaches of one partner, by name (who may be assigned its files)."""
    return User.objects.filter(Q(partner_id=partner_id), role=Role.COACH, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )


def becomes_coach_on_acceptance(user: Any) -> bool:
    """A coach who accepts an orientation becomes the person's coach; a manager's acceptance names nobody."""
    return _declared_role(user) == Role.COACH


# ---------------------------------------------------------------- activity catalogues


def may_read_activity_catalogues(user: Any) -> bool:
    """Partner staff read their own partner's catalogue; programme managers read every partner's."""
    return _partner_staff(user) or _role(user) == Role.PROGRAMME_MANAGER


def may_read_every_activity_catalogue(user: Any) -> bool:
    """Programme managers oversee every partner's catalogue (read-only)."""
    return _role(user) == Role.PROGRAMME_MANAGER


def may_edit_activity_catalogue(user: Any) -> bool:
    """Only a partner manager edits, and only their own partner's catalogue."""
    return _role(user) == Role.PARTNER_MANAGER and bool(user.partner_id)


def sees_activities_delivered_on_home(user: Any) -> bool:
    """A partner manager's home page shows what their partner delivered this year."""
    return may_edit_activity_catalogue(user)


# ---------------------------------------------------------------- figures and programme settings


def may_view_programme_figures(user: Any) -> bool:
    """The programme manager sees every partner's figures, reports and the ESF+ indicators."""
    return _role(user) == Role.PROGRAMME_MANAGER


def may_view_partner_figures(user: Any) -> bool:
    """Partner staff see their own partner's figures and reports, never another partner's."""
    return _partner_staff(user)


def may_change_programme_settings(user: Any) -> bool:
    """Only the programme manager changes the period, targets and quotas."""
    return _role(user) == Role.PROGRAMME_MANAGER


# ---------------------------------------------------------------- data rights


def may_answer_correction_requests(user: Any) -> bool:
    """Counsellors and partner staff answer (and record) correction requests of the people they see."""
    return _declared_role(user) in {Role.COUNSELLOR, *PARTNER_ROLES}


def may_oversee_correction_requests(user: Any) -> bool:
    """The programme manager checks that requests are answered in time, pseudonymised and read-only."""
    return _declared_role(user) == Role.PROGRAMME_MANAGER


def may_view_correction_requests(user: Any) -> bool:
    """Whoever answers or oversees correction requests has the task list."""
    return may_answer_correction_requests(user) or may_oversee_correction_requests(user)


def asks_for_themselves(user: Any) -> bool:
    """A job seeker's own correction request: always by the web, only about themselves."""
    return _declared_role(user) == Role.JOBSEEKER


def may_record_correction_request(user: Any, jobseeker: Any) -> bool:
    """The person for themselves, or staff who answer requests for a person in their scope."""
    if asks_for_themselves(user):
        return jobseeker.user_id is not None and jobseeker.user_id == user.pk
    return may_answer_correction_requests(user) and jobseekers_for(user).filter(pk=jobseeker.pk).exists()


def may_export_personal_data(user: Any) -> bool:
    """Actiris answers subject-access requests by post: counsellors print a person's full data export."""
    return _declared_role(user) == Role.COUNSELLOR


# ---------------------------------------------------------------- templates

# The decisions templates ask through `{% if may.<name> %}` (accounts/context.py); user-only, no query.
TEMPLATE_DECISIONS = {
    "use_the_portal": may_use_the_portal,
    "manage_two_step_verification": may_manage_two_step_verification,
    "work_on_files": may_work_on_files,
    "register_people": may_register_people,
    "see_every_partners_files": may_see_every_partners_files,
    "justify_eligibility": may_justify_eligibility,
    "merge_people": may_merge_people,
    "view_follow_up_worklist": may_view_follow_up_worklist,
    "run_information_sessions": may_run_information_sessions,
    "view_caseload": may_view_caseload,
    "manage_collective_sessions": may_manage_collective_sessions,
    "open_caseload_on_whole_partner": opens_caseload_on_whole_partner,
    "view_programme_figures": may_view_programme_figures,
    "view_partner_figures": may_view_partner_figures,
    "view_correction_requests": may_view_correction_requests,
}


def may_read_api_docs(user: Any) -> bool:
    """The API's documentation (/api/docs, /api/openapi.json): signed-in staff only."""
    return _role(user) in STAFF_ROLES
