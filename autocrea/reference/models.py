"""Reference data: communes, exit kinds, barrier codes, business sectors, education levels.

Rows that figures or pathways point to are deactivated, never deleted: `active` takes a row out of
the forms, while every record and figure that already uses it keeps it (foreign keys are PROTECT,
and the admin has no delete). Education levels are choices in code, not rows.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from autocrea.lib.i18n import TranslatedName


class Commune(TranslatedName):
    """One of the 19 Brussels communes, identified by its NIS code (a postcode is not enough)."""

    nis_code = models.CharField(_("NIS code"), max_length=5, primary_key=True)
    postcodes = models.CharField(_("postcodes"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    # Every change, old and new values, with who made it (django-simple-history; docs/architecture.md).
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")


class ExitKind(TranslatedName):
    """A typed exit; whether it counts as positive and as job creation is configuration."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    is_positive = models.BooleanField(_("counts as a positive exit"), default=False)
    is_job_creation = models.BooleanField(_("counts as a job creation"), default=False)
    evidence_hint = models.CharField(_("evidence expected"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("exit kind")
        verbose_name_plural = _("exit kinds")


class BarrierCode(TranslatedName):
    """A coded barrier (no free narrative: some barriers are special-category data)."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    sensitive = models.BooleanField(_("sensitive (special-category)"), default=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("barrier")
        verbose_name_plural = _("barriers")


class BusinessSector(TranslatedName):
    """A NACE section (letter A–U) for the project's business sector."""

    code = models.CharField(_("NACE section"), max_length=1, primary_key=True)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("business sector")
        verbose_name_plural = _("business sectors")


class EducationLevel(models.TextChoices):
    """Highest level completed, grouped so that ESF+ ISCED bands can be derived."""

    NONE = "none", _("No diploma or primary school")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary")
    POST_SECONDARY = "post_secondary", _("Post-secondary, non-tertiary")
    BACHELOR = "bachelor", _("Bachelor or equivalent")
    MASTER = "master", _("Master, doctorate or equivalent")

    @classmethod
    def isced_band(cls, value: str) -> str:
        """Return the ESF+ ISCED band (0-2, 3-4, 5-8) of a level."""
        if value in {cls.NONE, cls.LOWER_SECONDARY}:
            return "isced_0_2"
        if value in {cls.UPPER_SECONDARY, cls.POST_SECONDARY}:
            return "isced_3_4"
        return "isced_5_8"
