"""Partner organisations that coach job seekers, with their specialities and capacity."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

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
    active = models.BooleanField(_("active"), default=True)

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
