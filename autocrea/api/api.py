"""The HTTP API: token-authenticated, scoped by the same access helpers as the screens.

Writes call the same services as the screens (pathways.services); each takes the `version` the
client read, so that a write based on a stale read is refused with 409 instead of losing an update.
Status codes: 401 no or bad token, 403 the role may not do this, 404 not in the caller's scope (or
absent), 409 someone else changed the trajectory, 413 the body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE,
422 invalid input or a refusal of the backbone.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import ValidationError
from ninja.security import HttpBearer
from pydantic import AfterValidator, ConfigDict

from autocrea.accounts.access import can, get_trajectory_for, may_read_api_docs, trajectories_for
from autocrea.accounts.tokens import user_for_token
from autocrea.backbone.errors import PathwayError, StaleVersionError
from autocrea.partners.models import Partner
from autocrea.pathways import services
from autocrea.pathways.models import (
    AnswerSource,
    DecisionReason,
    FollowUpSituation,
    InformationSession,
    Trajectory,
)
from autocrea.reference.models import ExitKind

# Database ids are 64-bit; a larger number would overflow the query instead of answering 404.
MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


def _staff_docs(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The documentation page and the OpenAPI document: signed-in staff only (session, not token).

    Anonymous: the page sends to the sign-in page, the JSON answers 401; anyone else not staff: 403.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if may_read_api_docs(request.user):
            return view(request, *args, **kwargs)
        page = not request.path.endswith(".json")
        if not request.user.is_authenticated:
            if page:
                return redirect_to_login(request.get_full_path())
            return JsonResponse({"detail": _("Sign in as a staff member to read the API documentation.")}, status=401)
        if page:
            raise PermissionDenied
        return JsonResponse({"detail": _("The API documentation is for staff members only.")}, status=403)

    return wrapped


# The Swagger UI's JS and CSS come from django-ninja's own static files ("ninja" in INSTALLED_APPS),
# served with ours: no CDN, and the page passes the site's content security policy.
api = NinjaAPI(title="Autocrea API", version="1", auth=TokenAuth(), urls_namespace="api", docs_decorator=_staff_docs)


class ErrorOut(Schema):
    detail: str


ERRORS: dict[int, type[Schema]] = dict.fromkeys((400, 401, 403, 404, 409, 422), ErrorOut)
READ_ERRORS: dict[int, type[Schema]] = dict.fromkeys((400, 401, 404, 422), ErrorOut)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # One error shape for every 4xx: {"detail": text}; the field errors ride along for clients.
    return api.create_response(request, {"detail": _("The request is not valid."), "errors": exc.errors}, status=422)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": _("You are not allowed to do this for this person.")}, status=403)


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE when it is read; say so in the API's format.
    return api.create_response(request, {"detail": _("The request body is too large.")}, status=413)


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text and lone surrogates cannot be encoded: refuse them as bad input.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("invalid characters") from exc
    return value


_NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, Field(max_length=2000, pattern=_NO_NUL), AfterValidator(_no_nul)]
Code = Annotated[str, Field(min_length=1, max_length=50, pattern=_NO_NUL), AfterValidator(_no_nul)]
Version = Annotated[int, Field(ge=1, le=MAX_VERSION, description="The trajectory's version the client read.")]
TrajectoryId = Annotated[int, Path(ge=1, le=MAX_ID)]
StaffChannel = Literal["counter", "phone", "post", "web"]


class TrajectoryOut(Schema):
    id: int
    reference: str
    current_step: str
    partner: str | None
    interest_on: datetime.date
    guided_on: datetime.date | None
    exit_on: datetime.date | None
    exit_kind: str | None
    version: int


class TrajectoryPage(Schema):
    items: list[TrajectoryOut]
    next_after: int | None


class PartnerOut(Schema):
    slug: str
    name_fr: str
    name_nl: str
    name_en: str
    speciality_fr: str
    speciality_nl: str
    speciality_en: str
    languages: list[str]
    commune: str = Field(description="NIS code of the commune")
    yearly_capacity: int
    active: bool


class _In(Schema):
    # Unknown fields are refused, so that nobody believes `partner_id` or `current_step` was set.
    model_config = ConfigDict(extra="forbid")
    version: Version


class InformationIn(_In):
    on: datetime.date
    channel: StaffChannel = "counter"
    session: int | None = Field(None, ge=1, le=MAX_ID, description="Id of the information session attended")


class DecisionIn(_In):
    on: datetime.date
    go_ahead: bool
    reason: Literal[tuple(DecisionReason.values)]  # type: ignore[valid-type]
    details: Text = ""
    skip_reason: Text = Field("", description="Required when going ahead without the information step")
    channel: StaffChannel = "counter"


class OrientationIn(_In):
    on: datetime.date
    partner: Code = Field(description="Slug of the partner the person chose")
    chosen_by_person: bool = True
    reason: Text = ""
    channel: StaffChannel = "counter"


class AnswerIn(_In):
    on: datetime.date
    answer: Literal["accepted", "declined", "waitlisted"]
    reason: Text = ""


class ExitIn(_In):
    on: datetime.date
    kind: Code = Field(description="Code of the exit kind")
    enterprise_number: Annotated[str, Field(max_length=20, pattern=_NO_NUL), AfterValidator(_no_nul)] = ""
    evidence: Text = ""


class FollowUpIn(_In):
    on: datetime.date
    responded: bool
    situation: Literal[("", *FollowUpSituation.values)] = ""  # type: ignore[valid-type]
    improved: bool | None = None
    source: Literal[("", *AnswerSource.values)] = ""  # type: ignore[valid-type]


def _out(t: Trajectory) -> TrajectoryOut:
    return TrajectoryOut(
        id=t.pk,
        reference=t.reference,
        current_step=t.current_step,
        partner=t.partner.slug if t.partner_id else None,
        interest_on=t.interest_on,
        guided_on=t.guided_on,
        exit_on=t.exit_on,
        exit_kind=t.exit_kind_id,
        version=t.version,
    )


def _refused(exc: PathwayError) -> Status[ErrorOut]:
    """Return 409 when the refusal comes from a stale version, else 422, with the translated message."""
    return Status(409 if isinstance(exc, StaleVersionError) else 422, ErrorOut(detail=exc.message))


def _act(request: HttpRequest, trajectory_id: int, action: str, perform: Any) -> Any:
    """Scope, check the role, run one service call and map its refusal to 409/422."""
    trajectory = get_trajectory_for(request.user, trajectory_id)
    if not can(request.user, action, trajectory):
        raise PermissionDenied
    try:
        return Status(200, _out(perform(trajectory)))
    except PathwayError as exc:
        return _refused(exc)


def _refuse(message: str) -> PathwayError:
    return PathwayError(message)


@api.get("/trajectories", response={200: TrajectoryPage, **READ_ERRORS}, summary="The trajectories in scope")
def list_trajectories(
    request: HttpRequest,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TrajectoryPage:
    qs = trajectories_for(request.user).select_related("partner").order_by("id")
    if after > 0:
        qs = qs.filter(id__gt=after)
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return TrajectoryPage(items=[_out(t) for t in rows], next_after=rows[-1].pk if more else None)


@api.get("/trajectories/{trajectory_id}", response={200: TrajectoryOut, **READ_ERRORS}, summary="One trajectory")
def get_trajectory(request: HttpRequest, trajectory_id: TrajectoryId) -> TrajectoryOut:
    return _out(get_trajectory_for(request.user, trajectory_id))


@api.get("/partners", response={200: list[PartnerOut], **READ_ERRORS}, summary="The partners (public information)")
def list_partners(request: HttpRequest) -> list[PartnerOut]:
    return [
        PartnerOut(
            slug=p.slug,
            name_fr=p.name_fr,
            name_nl=p.name_nl,
            name_en=p.name_en,
            speciality_fr=p.speciality_fr,
            speciality_nl=p.speciality_nl,
            speciality_en=p.speciality_en,
            languages=[str(code) for code in p.languages],
            commune=p.commune_id,
            yearly_capacity=p.yearly_capacity,
            active=p.active,
        )
        for p in Partner.objects.order_by("slug")
    ]


@api.post("/trajectories/{trajectory_id}/information", response={200: TrajectoryOut, **ERRORS})
def record_information(request: HttpRequest, trajectory_id: TrajectoryId, data: InformationIn) -> Any:
    """Record that the person received the information (a session attended, or an interview)."""

    def perform(t: Trajectory) -> Trajectory:
        session = None
        if data.session is not None:
            session = InformationSession.objects.filter(pk=data.session).first()
            if session is None:
                raise _refuse(_("This information session does not exist."))
        return services.record_information(
            trajectory=t, by=request.user, channel=data.channel, on=data.on, session=session, version=data.version
        )

    return _act(request, trajectory_id, "record_information", perform)


@api.post("/trajectories/{trajectory_id}/decision", response={200: TrajectoryOut, **ERRORS})
def record_decision(request: HttpRequest, trajectory_id: TrajectoryId, data: DecisionIn) -> Any:
    """Record the person's decision to go ahead or not."""

    def perform(t: Trajectory) -> Trajectory:
        return services.record_decision(
            trajectory=t,
            by=request.user,
            channel=data.channel,
            on=data.on,
            go_ahead=data.go_ahead,
            reason=data.reason,
            details=data.details,
            skip_reason=data.skip_reason,
            version=data.version,
        )

    return _act(request, trajectory_id, "record_decision", perform)


@api.post("/trajectories/{trajectory_id}/orientation", response={200: TrajectoryOut, **ERRORS})
def orient(request: HttpRequest, trajectory_id: TrajectoryId, data: OrientationIn) -> Any:
    """Record the partner the person chose."""

    def perform(t: Trajectory) -> Trajectory:
        partner = Partner.objects.filter(slug=data.partner).first()
        if partner is None:
            raise _refuse(_("This partner does not exist."))
        return services.orient(
            trajectory=t,
            partner=partner,
            by=request.user,
            channel=data.channel,
            on=data.on,
            chosen_by_person=data.chosen_by_person,
            reason=data.reason,
            version=data.version,
        )

    return _act(request, trajectory_id, "orient", perform)


@api.post("/trajectories/{trajectory_id}/answer", response={200: TrajectoryOut, **ERRORS})
def answer_orientation(request: HttpRequest, trajectory_id: TrajectoryId, data: AnswerIn) -> Any:
    """Record the partner's answer to an orientation: accepted, declined or waitlisted."""

    def perform(t: Trajectory) -> Trajectory:
        return services.answer_orientation(
            trajectory=t, by=request.user, answer=data.answer, on=data.on, reason=data.reason, version=data.version
        )

    return _act(request, trajectory_id, "answer_orientation", perform)


@api.post("/trajectories/{trajectory_id}/exit", response={200: TrajectoryOut, **ERRORS})
def record_exit(request: HttpRequest, trajectory_id: TrajectoryId, data: ExitIn) -> Any:
    """Record how a guided trajectory ended."""

    def perform(t: Trajectory) -> Trajectory:
        kind = ExitKind.objects.filter(code=data.kind, active=True).first()  # a deactivated kind is not offered
        if kind is None:
            raise _refuse(_("This exit kind does not exist."))
        return services.record_exit(
            trajectory=t,
            kind=kind,
            on=data.on,
            by=request.user,
            enterprise_number=data.enterprise_number,
            evidence=data.evidence,
            version=data.version,
        )

    return _act(request, trajectory_id, "record_exit", perform)


@api.post("/trajectories/{trajectory_id}/follow-up", response={200: TrajectoryOut, **ERRORS})
def record_follow_up(request: HttpRequest, trajectory_id: TrajectoryId, data: FollowUpIn) -> Any:
    """Record the +6-month follow-up (or that the person did not respond)."""

    def perform(t: Trajectory) -> Trajectory:
        return services.record_follow_up(
            trajectory=t,
            by=request.user,
            on=data.on,
            responded=data.responded,
            situation=data.situation,
            improved=data.improved,
            source=data.source,
            version=data.version,
        )

    return _act(request, trajectory_id, "record_follow_up", perform)


KPI_FIRST_DAY = datetime.date(2000, 1, 1)
KPI_LAST_DAY = datetime.date(2099, 12, 31)


@api.get(
    "/kpis",
    response={200: dict[str, Any], **dict.fromkeys((400, 401, 403, 404, 422), ErrorOut)},
    summary="The programme figures (docs/kpis.md)",
)
def get_kpis(
    request: HttpRequest,
    start: Annotated[datetime.date | None, Query(alias="from", description="First day (YYYY-MM-DD)")] = None,
    end: Annotated[datetime.date | None, Query(alias="to", description="Last day (YYYY-MM-DD)")] = None,
    partner: Annotated[Code | None, Query(description="Slug of a partner")] = None,
) -> Any:
    """Return `reporting.kpis.compute_kpis` for the period as the dashboards publish it (small numbers hidden).

    Programme managers: every partner, or one with `partner`. Partner staff: their own partner only
    (another partner answers 404). Everyone else: 403.
    """
    from django.http import Http404

    from autocrea.accounts.access import export_scope_for, may_view_partner_figures, may_view_programme_figures
    from autocrea.reporting import disclosure, kpis, summaries

    user = request.user
    if may_view_programme_figures(user):
        partner_id = None
        if partner is not None:
            partner_id = Partner.objects.filter(slug=partner).values_list("pk", flat=True).first()
            if partner_id is None:
                raise Http404
    elif may_view_partner_figures(user):
        own = Partner.objects.get(pk=user.partner_id)  # type: ignore[union-attr]
        if partner is not None and partner != own.slug:
            raise Http404
        partner_id = own.pk
    else:
        raise PermissionDenied
    for day in (start, end):
        if day is not None and not KPI_FIRST_DAY <= day <= KPI_LAST_DAY:
            return Status(422, ErrorOut(detail=_("The dates must fall between 2000 and 2099.")))
    try:
        figures = kpis.compute_kpis(start=start, end=end, partner_id=partner_id, queryset=export_scope_for(user))
    except ValueError:
        return Status(422, ErrorOut(detail=_("The period starts after it ends.")))
    # The same disclosure rule as the dashboards, the PDF report and the exports (docs/kpis.md, "Small numbers"),
    # and when the summary counts these figures come from were built (docs/kpis.md, "as of").
    return {**disclosure.disclose_kpis(figures), "as_of": summaries.as_of_iso()}
