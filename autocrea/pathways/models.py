"""Trajectories through the backbone, the step log, and the records each step produces.

The current step, partner and key dates live on the trajectory and are written in the same
transaction as the step-log row (docs/performance.md, trap 5): never derived from the log on read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from autocrea.backbone.steps import CLOSED_STEPS, GUIDED_STEPS, Channel, Step
from autocrea.lib.dates import ShownDateTimeField

STEP_DATE_FIELDS = {
    Step.INTEREST: "interest_on",
    Step.INFORMATION: "information_on",
    Step.DECISION: "decision_on",
    Step.ORIENTATION: "orientation_on",
    Step.DIAGNOSTIC: "guided_on",
    Step.ACCOMPANIMENT: "accompaniment_on",
    Step.EXIT: "exit_on",
    Step.FOLLOW_UP: "follow_up_on",
    Step.STOPPED: "stopped_on",
}


OPEN_TRAJECTORY_CONSTRAINT = "one_open_trajectory_per_person"


class TrajectoryQuerySet(models.QuerySet["Trajectory"]):
    def open(self) -> TrajectoryQuerySet:
        return self.exclude(current_step__in=CLOSED_STEPS)

    def guided(self) -> TrajectoryQuerySet:
        """Trajectories that started with a partner (the partner accepted the orientation)."""
        return self.filter(guided_on__isnull=False)

    def for_partner(self, partner_id: int) -> TrajectoryQuerySet:
        return self.filter(partner_id=partner_id)

    def with_person(self) -> TrajectoryQuerySet:
        return self.select_related("jobseeker", "partner", "jobseeker__commune")


class Trajectory(models.Model):
    """One person's way through the backbone, possibly across partners."""

    jobseeker = models.ForeignKey(
        "jobseekers.Jobseeker", on_delete=models.PROTECT, related_name="trajectories", verbose_name=_("job seeker")
    )
    current_step = models.CharField(_("current step"), max_length=20, choices=Step.choices, default=Step.INTEREST)
    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trajectories",
        verbose_name=_("partner"),
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="caseload",
        verbose_name=_("coach"),
    )
    project_summary = models.TextField(_("project summary"), blank=True)
    sector = models.ForeignKey(
        "reference.BusinessSector", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("business sector")
    )
    intake_channel = models.CharField(_("channel of intake"), max_length=10, choices=Channel.choices)
    interest_on = models.DateField(_("interest expressed on"))
    information_on = models.DateField(_("informed on"), null=True, blank=True)
    decision_on = models.DateField(_("decided on"), null=True, blank=True)
    orientation_on = models.DateField(_("oriented on"), null=True, blank=True)
    guided_on = models.DateField(_("accepted by the partner on"), null=True, blank=True)
    accompaniment_on = models.DateField(_("accompaniment started on"), null=True, blank=True)
    exit_on = models.DateField(_("exit on"), null=True, blank=True)
    follow_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    exit_kind = models.ForeignKey(
        "reference.ExitKind", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("exit kind")
    )
    # Optimistic lock: every service bumps it, and refuses a write based on an older version.
    version = models.PositiveIntegerField(default=1)
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrajectoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("trajectory")
        verbose_name_plural = _("trajectories")
        indexes = [
            models.Index(fields=["partner", "current_step"], name="trajectory_partner_step_idx"),
            models.Index(fields=["current_step"], name="trajectory_step_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(current_step__in=sorted(s.value for s in GUIDED_STEPS)) | Q(partner__isnull=False),
                name="guided_trajectory_has_partner",
            ),
            models.CheckConstraint(
                condition=~Q(current_step__in=["exit", "follow_up"])
                | Q(exit_kind__isnull=False, exit_on__isnull=False),
                name="exited_trajectory_has_exit",
            ),
            # One open trajectory per person: "open" is exactly TrajectoryQuerySet.open() (not in CLOSED_STEPS).
            # The services check it first for a plain message; this is the rule when two writers race.
            models.UniqueConstraint(
                fields=["jobseeker"],
                condition=~Q(current_step__in=sorted(s.value for s in CLOSED_STEPS)),
                name=OPEN_TRAJECTORY_CONSTRAINT,
            ),
        ]

    def __str__(self) -> str:
        return f"T-{self.pk}"

    @property
    def reference(self) -> str:
        """Return the internal id shown to partners instead of any national number."""
        return f"T-{self.pk:06d}" if self.pk else ""

    @property
    def is_closed(self) -> bool:
        return self.current_step in CLOSED_STEPS


class StepLog(models.Model):
    """One step change of a trajectory, with the action that made it: append-only."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="steps")
    from_step = models.CharField(_("from"), max_length=20, choices=Step.choices, blank=True)
    to_step = models.CharField(_("to"), max_length=20, choices=Step.choices)
    # The action of the transition table (backbone/transitions.py) that made this change: a partner's
    # refusal and the person's new choice take the same edge but are different actions.
    # The database default keeps bulk inserts that predate the column working (generate_population).
    action = models.CharField(_("action"), max_length=30, blank=True, default="", db_default="")
    on = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    reason = models.TextField(_("reason"), blank=True)
    partner = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["trajectory_id", "id"]
        verbose_name = _("step change")
        verbose_name_plural = _("step changes")


class InformationSession(models.Model):
    """A collective information session about the programme."""

    starts_at = ShownDateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200)
    language = models.CharField(_("language"), max_length=2, choices=[("fr", _("French")), ("nl", _("Dutch"))])
    capacity = models.PositiveIntegerField(_("capacity"), default=20)
    # The register (pathways/sessions.py): "did not take place", its lock once finalised, and an
    # optimistic-lock version bumped by every write so that a stale register is refused.
    cancelled = models.BooleanField(_("did not take place"), default=False)
    finalised_at = models.DateTimeField(_("register finalised at"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("information session")
        verbose_name_plural = _("information sessions")

    def __str__(self) -> str:
        from django.utils import formats, timezone

        local = timezone.localtime(self.starts_at)
        return f"{formats.date_format(local, 'SHORT_DATETIME_FORMAT')} – {self.place} ({self.language.upper()})"


class Attendance(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class InformationAttendance(models.Model):
    """A person's registration to, and attendance at, an information session or interview."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="information_attendances")
    session = models.ForeignKey(
        InformationSession,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("information session"),
    )
    individual_interview_on = models.DateField(_("individual interview on"), null=True, blank=True)
    status = models.CharField(_("attendance"), max_length=12, choices=Attendance.choices, default=Attendance.REGISTERED)

    class Meta:
        verbose_name = _("information attendance")
        verbose_name_plural = _("information attendances")
        constraints = [
            models.UniqueConstraint(fields=["trajectory", "session"], name="one_registration_per_session"),
        ]


class DecisionReason(models.TextChoices):
    GO = "go", _("Wants to go ahead")
    NOT_NOW = "not_now", _("Not now")
    OTHER_PLAN = "other_plan", _("Prefers another plan (job, training)")
    FINANCIAL = "financial", _("Financial risk too high")
    FAMILY = "family", _("Family or health situation")
    NOT_READY = "not_ready", _("Project not ready")
    OTHER = "other", _("Other")


class Decision(models.Model):
    """The person's decision after information: go ahead or not (a respected outcome)."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="decisions")
    go_ahead = models.BooleanField(_("goes ahead"))
    reason = models.CharField(_("reason"), max_length=12, choices=DecisionReason.choices)
    details = models.TextField(_("details"), blank=True)
    decided_on = models.DateField(_("decided on"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")


class OrientationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the partner's answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WAITLISTED = "waitlisted", _("On the waiting list")
    ENDED = "ended", _("Ended (re-oriented)")


class Orientation(models.Model):
    """The partner chosen by the person, and the partner's answer."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="orientations")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="orientations", verbose_name=_("partner")
    )
    chosen_by_person = models.BooleanField(_("chosen by the person"), default=True)
    oriented_on = models.DateField(_("oriented on"))
    status = models.CharField(
        _("status"), max_length=12, choices=OrientationStatus.choices, default=OrientationStatus.PENDING
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer_reason = models.TextField(_("reason given by the partner"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        constraints = [
            models.UniqueConstraint(
                fields=["trajectory"],
                condition=Q(status__in=["pending", "waitlisted", "accepted"]),
                name="one_live_orientation",
            )
        ]


class Exit(models.Model):
    """How and when a guided trajectory ended; voided (kept) when the trajectory is reopened."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="exits")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    kind = models.ForeignKey("reference.ExitKind", on_delete=models.PROTECT, verbose_name=_("exit kind"))
    exit_on = models.DateField(_("exit date"))
    enterprise_number = models.CharField(_("enterprise number (BCE/KBO)"), max_length=10, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    voided_on = models.DateField(_("voided on"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("exit")
        verbose_name_plural = _("exits")
        constraints = [
            models.UniqueConstraint(fields=["trajectory"], condition=Q(voided_on__isnull=True), name="one_live_exit")
        ]


class FollowUpStatus(models.TextChoices):
    DUE = "due", _("To do")
    ANSWERED = "answered", _("Answered")
    NO_RESPONSE = "no_response", _("No response")


class FollowUpSituation(models.TextChoices):
    SELF_EMPLOYED = "self_employed", _("Self-employed or running a company")
    EMPLOYED = "employed", _("Salaried job")
    TRAINING = "training", _("In education or training")
    JOB_SEEKING = "job_seeking", _("Looking for work")
    INACTIVE = "inactive", _("Not working and not looking")


class AnswerSource(models.TextChoices):
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")
    REGISTER = "register", _("Official register")


class FollowUp(models.Model):
    """The +6-month follow-up after an exit. Non-response is recorded, never guessed."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="follow_ups")
    exit = models.OneToOneField(Exit, on_delete=models.CASCADE, related_name="follow_up")
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.DUE)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    situation = models.CharField(_("situation"), max_length=16, choices=FollowUpSituation.choices, blank=True)
    improved = models.BooleanField(_("labour market situation improved"), null=True, blank=True)
    source = models.CharField(_("source of the answer"), max_length=10, choices=AnswerSource.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        # The worklist filters on status and sorts by due date.
        indexes = [models.Index(fields=["status", "due_on"], name="followup_status_due_idx")]


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("Text message")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")


class FollowUpAttempt(models.Model):
    """One attempt to reach the person for the +6-month follow-up: the trace behind a non-response."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="attempts")
    on = models.DateField(_("date of the attempt"))
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    # A short working note ("left a voicemail"): no copy of the person's answers.
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("follow-up contact attempt")
        verbose_name_plural = _("follow-up contact attempts")
        indexes = [models.Index(fields=["follow_up", "on"], name="followup_attempt_idx")]
