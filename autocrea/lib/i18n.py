"""Names stored in French, Dutch and English, shown in the reader's language."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TranslatedName(models.Model):
    """Give a model name_fr/name_nl/name_en and a `name` in the active language."""

    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_in(get_language() or "fr")

    def name_in(self, language: str) -> str:
        """Return the name in `language`, falling back to French."""
        lang = (language or "fr")[:2]
        value = getattr(self, f"name_{lang}", "") if lang in {"fr", "nl", "en"} else ""
        return value or self.name_fr
