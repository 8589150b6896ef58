"""What a partner does with a guided person: diagnostic, action plan, sessions, milestones.

Coaching notes stay with the partner: counsellors and programme managers never see them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from autocrea.lib.dates import ShownDateTimeField


class Maturity(models.TextChoices):
    IDEA = "idea", _("An idea")
    OUTLINED = "outlined", _("An outlined project")
    STRUCTURED = "structured", _("A structured project")
    READY = "ready", _("Ready to launch")


class ViabilityView(models.TextChoices):
    PROMISING = "promising", _("Promising")
    UNCERTAIN = "uncertain", _("Uncertain, to be tested")
    DOUBTFUL = "doubtful", _("Doubtful")


class Diagnostic(models.Model):
    """The partner's diagnostic of a guided person."""

    trajectory = models.ForeignKey("pathways.Trajectory", on_delete=models.CASCADE, related_name="diagnostics")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField(_("done on"))
    barriers = models.ManyToManyField(
        "reference.BarrierCode", blank=True, through="coaching.DiagnosticBarrier", verbose_name=_("barriers")
    )
    maturity = models.CharField(_("project maturity"), max_length=12, choices=Maturity.choices)
    viability = models.CharField(_("first view on viability"), max_length=12, choices=ViabilityView.choices)
    notes = models.TextField(_("coaching notes (partner only)"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("diagnostic")
        verbose_name_plural = _("diagnostics")


class DiagnosticBarrier(models.Model):
    """A barrier of a diagnostic: the table Django made for `Diagnostic.barriers`, named so that a
    barrier code in use cannot be deleted (PROTECT); the figures count barriers from it."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE)
    barriercode = models.ForeignKey("reference.BarrierCode", on_delete=models.PROTECT)

    class Meta:
        db_table = "coaching_diagnostic_barriers"
        unique_together = [("diagnostic", "barriercode")]


SKILLS = ("entrepreneurship", "finance", "marketing", "language", "digital", "confidence")


class SkillAssessment(models.Model):
    """Skills on a 1–4 scale, assessed at the diagnostic and re-assessed to show progress."""

    trajectory = models.ForeignKey("pathways.Trajectory", on_delete=models.CASCADE, related_name="skill_assessments")
    assessed_on = models.DateField(_("assessed on"))
    is_baseline = models.BooleanField(_("baseline"), default=False)
    entrepreneurship = models.PositiveSmallIntegerField(_("entrepreneurship"))
    finance = models.PositiveSmallIntegerField(_("finance and accounting"))
    marketing = models.PositiveSmallIntegerField(_("marketing and sales"))
    language = models.PositiveSmallIntegerField(_("language for business"))
    digital = models.PositiveSmallIntegerField(_("digital skills"))
    confidence = models.PositiveSmallIntegerField(_("self-confidence"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["assessed_on", "id"]
        verbose_name = _("skills assessment")
        verbose_name_plural = _("skills assessments")
        constraints = [
            models.CheckConstraint(condition=models.Q(**{f"{s}__gte": 1, f"{s}__lte": 4}), name=f"skill_{s}_in_scale")
            for s in SKILLS
        ]


class Goal(models.Model):
    """A goal of the action plan."""

    trajectory = models.ForeignKey("pathways.Trajectory", on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.title


class ActionOwner(models.TextChoices):
    JOBSEEKER = "jobseeker", _("The person")
    COACH = "coach", _("The coach")


class ActionStatus(models.TextChoices):
    TODO = "todo", _("To do")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Action(models.Model):
    """An action towards a goal, with an owner and a due date."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=200)
    owner = models.CharField(_("who"), max_length=10, choices=ActionOwner.choices, default=ActionOwner.JOBSEEKER)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.TODO)
    # The partner's own activity this belongs to (partners.PartnerActivity), mapped onto a backbone step.
    activity = models.ForeignKey(
        "partners.PartnerActivity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name=_("activity"),
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")


class SessionKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual session")
    COLLECTIVE = "collective", _("Collective session (workshop, training)")


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video call")


class Recurrence(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    DATES = "dates", _("On the dates I list")


class CollectiveSeries(models.Model):
    """A series of collective sessions (workshops, trainings) planned together by a partner.

    Each occurrence is a CoachingSession of kind collective with its own date, register and roster;
    the series keeps what was planned (topic, place, recurrence) so that the list can group them.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="collective_series")
    topic = models.CharField(_("topic"), max_length=200)
    recurrence = models.CharField(_("recurrence"), max_length=12, choices=Recurrence.choices)
    created_at = models.DateTimeField(_("planned at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # A one-time token carried by the planning form: the same form submitted twice plans one series.
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # The partner's own activity this belongs to (partners.PartnerActivity), mapped onto a backbone step.
    activity = models.ForeignKey(
        "partners.PartnerActivity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collective_series",
        verbose_name=_("activity"),
    )
    # Optimistic lock of the series edit form: bumped by every change to the series or its occurrences.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("series of collective sessions")
        verbose_name_plural = _("series of collective sessions")

    def __str__(self) -> str:
        return self.topic


class CoachingSession(models.Model):
    """An individual or collective session run by a partner."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="coaching_sessions")
    kind = models.CharField(_("kind"), max_length=12, choices=SessionKind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    starts_at = ShownDateTimeField(_("starts at"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    mode = models.CharField(_("mode"), max_length=10, choices=SessionMode.choices, default=SessionMode.IN_PERSON)
    capacity = models.PositiveIntegerField(_("capacity"), default=1)
    notes = models.TextField(_("coaching notes (partner only)"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Collective sessions only: their series and place, and the attendance register (as for
    # information sessions): "did not take place", its lock once finalised, and an optimistic-lock
    # version bumped by every write so that a stale register or a double submit is refused.
    series = models.ForeignKey(
        CollectiveSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    cancelled = models.BooleanField(_("did not take place"), default=False)
    finalised_at = models.DateTimeField(_("register finalised at"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    # The partner's own activity this belongs to (partners.PartnerActivity), mapped onto a backbone step.
    activity = models.ForeignKey(
        "partners.PartnerActivity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coaching_sessions",
        verbose_name=_("activity"),
    )

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["partner", "kind", "starts_at"], name="coaching_session_by_partner")]
        verbose_name = _("coaching session")
        verbose_name_plural = _("coaching sessions")


class SessionAttendance(models.Model):
    """A person's registration to, and attendance at, a coaching session."""

    session = models.ForeignKey(CoachingSession, on_delete=models.CASCADE, related_name="attendances")
    trajectory = models.ForeignKey("pathways.Trajectory", on_delete=models.CASCADE, related_name="session_attendances")
    status = models.CharField(
        _("attendance"),
        max_length=12,
        choices=[
            ("registered", _("Registered")),
            ("present", _("Present")),
            ("absent", _("Absent")),
            ("excused", _("Excused")),
        ],
        default="registered",
    )

    class Meta:
        verbose_name = _("session attendance")
        verbose_name_plural = _("session attendances")
        constraints = [models.UniqueConstraint(fields=["session", "trajectory"], name="one_seat_per_session")]


class MilestoneKind(models.TextChoices):
    BUSINESS_PLAN = "business_plan", _("Business plan")
    FINANCIAL_PLAN = "financial_plan", _("Financial plan")
    FINANCING = "financing", _("Financing or microcredit")
    BANK_ACCOUNT = "bank_account", _("Professional bank account")
    ENTERPRISE_REGISTRATION = "enterprise_registration", _("Enterprise registration (BCE/KBO)")
    VAT = "vat", _("VAT activation or franchise")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance fund")


class Milestone(models.Model):
    """A milestone of the project reached on a date."""

    trajectory = models.ForeignKey("pathways.Trajectory", on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("milestone"), max_length=24, choices=MilestoneKind.choices)
    reached_on = models.DateField(_("reached on"))
    enterprise_number = models.CharField(_("enterprise number (BCE/KBO)"), max_length=10, blank=True)
    details = models.CharField(_("details"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["reached_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [models.UniqueConstraint(fields=["trajectory", "kind"], name="one_milestone_per_kind")]


class ViabilityTestKind(models.TextChoices):
    COOPERATIVE = "cooperative", _("Activity test in a cooperative")
    ON_SITE = "on_site", _("On-site test")
    TREMPLIN = "tremplin", _("Tremplin-indépendants (ONEM)")


class ViabilityDecision(models.TextChoices):
    PENDING = "", _("Not decided yet")
    LAUNCH = "launch", _("Launch the activity")
    ADJUST = "adjust", _("Adjust and test again")
    STOP = "stop", _("Stop: not viable")


class ViabilityTest(models.Model):
    """A test of the activity's viability, with the revenue it brought and the decision at its end."""

    trajectory = models.ForeignKey("pathways.Trajectory", on_delete=models.CASCADE, related_name="viability_tests")
    kind = models.CharField(_("kind"), max_length=12, choices=ViabilityTestKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    revenue = models.DecimalField(_("test revenue (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=8, choices=ViabilityDecision.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("viability test")
        verbose_name_plural = _("viability tests")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="viability_test_dates")
        ]
