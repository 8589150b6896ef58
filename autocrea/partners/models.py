"""Partner organisations that coach job seekers, with their specialities and capacity."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from autocrea.backbone.steps import Step
from autocrea.lib.i18n import TranslatedName


class Language(models.TextChoices):
    """Languages a partner works in or a person speaks."""

    FR = "fr", _("French")
    NL = "nl", _("Dutch")
    EN = "en", _("English")
    AR = "ar", _("Arabic")
    ES = "es", _("Spanish")
    PT = "pt", _("Portuguese")
    TR = "tr", _("Turkish")
    RO = "ro", _("Romanian")
    OTHER = "other", _("Other")


class Partner(TranslatedName):
    """A specialised partner organisation with its own method."""

    slug = models.SlugField(_("short code"), unique=True)
    speciality_fr = models.TextField(_("speciality (French)"))
    speciality_nl = models.TextField(_("speciality (Dutch)"))
    speciality_en = models.TextField(_("speciality (English)"), blank=True)
    sectors = models.ManyToManyField("reference.BusinessSector", blank=True, verbose_name=_("sectors of focus"))
    languages = models.JSONField(_("languages served"), default=list)
    commune = models.ForeignKey("reference.Commune", on_delete=models.PROTECT, verbose_name=_("commune"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    focus_women = models.BooleanField(_("focus on women"), default=False)
    yearly_capacity = models.PositiveIntegerField(_("yearly capacity"), default=0)
    # People guided expected from this partner over the programme's period (Programme); set on the
    # programme settings page only (reporting:programme_settings), which checks Programme.version.
    quota_guided = models.PositiveIntegerField(_("quota of people guided"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    # Every change, old and new values, with who made it (django-simple-history; docs/architecture.md).
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    @property
    def speciality(self) -> str:
        lang = (get_language() or "fr")[:2]
        return getattr(self, f"speciality_{lang}", "") or self.speciality_fr

    def language_labels(self) -> list[str]:
        """Return the served languages as readable labels."""
        labels = dict(Language.choices)
        return [str(labels.get(code, code)) for code in self.languages]


class Programme(models.Model):
    """The programme's period and targets: one row, edited by programme managers (partners/programme.py).

    Seeded from settings.PROGRAMME by migration 0002; settings.PROGRAMME is only the fallback when the
    row does not exist. `version` grows by one at every save, so that a stale form is refused.
    """

    start = models.DateField(_("start of the programme"))
    end = models.DateField(_("end of the programme"))
    target_guided = models.PositiveIntegerField(_("target of people guided"))
    # Percentages (50.0 is 50 %), optional.
    target_positive_rate = models.DecimalField(
        _("target positive-exit rate (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    target_job_creation_rate = models.DecimalField(
        _("target job-creation rate (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="programme_ends_after_start"),
            models.CheckConstraint(condition=Q(target_guided__gte=1), name="programme_target_positive"),
            models.CheckConstraint(
                condition=Q(target_positive_rate__isnull=True)
                | Q(target_positive_rate__gte=0, target_positive_rate__lte=100),
                name="programme_positive_rate_percent",
            ),
            models.CheckConstraint(
                condition=Q(target_job_creation_rate__isnull=True)
                | Q(target_job_creation_rate__gte=0, target_job_creation_rate__lte=100),
                name="programme_job_creation_rate_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}: {self.target_guided}"

    @classmethod
    def from_settings(cls) -> Programme:
        """Return an unsaved row holding settings.PROGRAMME's values (the seed and the fallback)."""
        values = settings.PROGRAMME
        positive, job = values.get("target_positive_rate"), values.get("target_job_creation_rate")
        return cls(
            start=datetime.date.fromisoformat(str(values["start"])),
            end=datetime.date.fromisoformat(str(values["end"])),
            target_guided=int(str(values["target_guided"])),
            target_positive_rate=Decimal(str(positive)) if positive not in (None, "") else Decimal("50.0"),
            target_job_creation_rate=Decimal(str(job)) if job not in (None, "") else Decimal("12.0"),
            version=0,
        )


# --- A partner's own activities, each mapped onto one backbone step (partners/activities.py) -----------------


class ActivityStep(models.TextChoices):
    """The backbone steps a partner's activity can serve: those run by the partner (backbone.steps.Step values)."""

    DIAGNOSTIC = Step.DIAGNOSTIC.value, Step.DIAGNOSTIC.label
    ACCOMPANIMENT = Step.ACCOMPANIMENT.value, Step.ACCOMPANIMENT.label
    EXIT = Step.EXIT.value, Step.EXIT.label


class ActivityKind(models.TextChoices):
    """How an activity is delivered."""

    INDIVIDUAL = "individual", _("Individual")
    COLLECTIVE = "collective", _("Group session")
    WORKSHOP = "workshop", _("Workshop or training")
    TEST = "test", _("Activity test")
    OTHER = "other", _("Other")


class PartnerActivity(TranslatedName):
    """One activity of a partner's own method (a workshop cycle, microcredit file preparation, an activity
    test...), mapped onto the common backbone step it serves, so that partners stay comparable.

    Edited by the partner's managers; coaches tag individual sessions, collective series and actions of the
    plan with it (coaching models' `activity`). An activity in use is deactivated, never deleted.
    """

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="activities", verbose_name=_("partner"))
    code = models.SlugField(_("code"), max_length=40)
    description = models.TextField(_("description"), blank=True)
    step = models.CharField(_("backbone step"), max_length=16, choices=ActivityStep.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices)
    active = models.BooleanField(_("offered now"), default=True)
    position = models.PositiveSmallIntegerField(_("order in the list"), default=0)
    # Grows by one at every save: a form based on an older version is refused (two managers editing at once).
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["partner", "position", "name_fr", "id"]
        verbose_name = _("partner activity")
        verbose_name_plural = _("partner activities")
        constraints = [
            models.UniqueConstraint(fields=["partner", "code"], name="activity_code_unique_per_partner"),
            models.CheckConstraint(condition=Q(step__in=ActivityStep.values), name="activity_step_is_partner_step"),
            models.CheckConstraint(condition=Q(kind__in=ActivityKind.values), name="activity_kind_known"),
        ]
