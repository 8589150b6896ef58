"""The job seeker: identity, contact data and the facts the programme needs."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from autocrea.lib.identifiers import mask_national_number, search_key
from autocrea.partners.models import Language
from autocrea.reference.models import EducationLevel


class ContactLanguage(models.TextChoices):
    """The one language of every message sent to the person."""

    FR = "fr", _("French")
    NL = "nl", _("Dutch")


class Gender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")


class IncomeSource(models.TextChoices):
    BENEFITS = "benefits", _("Unemployment benefits")
    CPAS = "cpas", _("CPAS/OCMW income")
    NONE = "none", _("No income")
    OTHER = "other", _("Other")


class LanguageLevel(models.TextChoices):
    BASIC = "basic", _("Basic")
    INTERMEDIATE = "intermediate", _("Intermediate")
    FLUENT = "fluent", _("Fluent")
    NATIVE = "native", _("Mother tongue")


class JobseekerQuerySet(models.QuerySet["Jobseeker"]):
    def name_prefix(self, text: str) -> JobseekerQuerySet:
        """Filter on a name prefix as a range, which can use an index (docs/performance.md, trap 1)."""
        key = search_key(text)
        if not key:
            return self
        upper = key[:-1] + chr(ord(key[-1]) + 1)
        return self.filter(search_name__gte=key, search_name__lt=upper)


class Jobseeker(models.Model):
    """A person who wants to create their own job."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobseeker",
        verbose_name=_("account"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    search_name = models.CharField(max_length=210, db_index=True, editable=False)
    contact_language = models.CharField(
        _("contact language"), max_length=2, choices=ContactLanguage.choices, default=ContactLanguage.FR
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    birth_date = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices)
    commune = models.ForeignKey(
        "reference.Commune", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("commune")
    )
    education_level = models.CharField(_("education level"), max_length=20, choices=EducationLevel.choices)
    diploma_recognised = models.BooleanField(_("diploma recognised in Belgium"), null=True, blank=True)
    unemployed_since = models.DateField(_("unemployed since"), null=True, blank=True)
    income_source = models.CharField(
        _("income source"), max_length=10, choices=IncomeSource.choices, default=IncomeSource.BENEFITS
    )
    end_of_rights_on = models.DateField(_("end of benefit rights"), null=True, blank=True)
    # 11 digits, validated with python-stdnum; shown masked, never in a URL, a log or an export.
    national_number = models.CharField(_("national register number"), max_length=11, blank=True)
    # A person outside the programme's eligibility rules (jobseekers/eligibility.py) can still be
    # recorded: the counsellor's justification is kept here, with who gave it and when (and audited).
    eligibility_justification = models.TextField(_("justification for a person outside the rules"), blank=True)
    eligibility_justified_on = models.DateField(_("justified on"), null=True, blank=True)
    eligibility_justified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A duplicate merged into another record (jobseekers/merge.py) is kept, marked, never deleted.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
        verbose_name=_("merged into"),
    )
    merged_on = models.DateField(_("merged on"), null=True, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JobseekerQuerySet.as_manager()

    class Meta:
        verbose_name = _("job seeker")
        verbose_name_plural = _("job seekers")
        constraints = [
            models.UniqueConstraint(
                fields=["national_number"], condition=~models.Q(national_number=""), name="unique_national_number"
            )
        ]
        indexes = [models.Index(fields=["search_name", "id"], name="jobseeker_search_idx")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __repr__(self) -> str:
        # Never put the national number in a log or a traceback.
        return f"<Jobseeker {self.pk}>"

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_name = search_key(self.last_name, self.first_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and ("first_name" in update_fields or "last_name" in update_fields):  # type: ignore[operator]
            kwargs["update_fields"] = {*update_fields, "search_name"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def masked_national_number(self) -> str:
        return mask_national_number(self.national_number)

    def age_on(self, day: datetime.date) -> int:
        """Return the person's age in whole years on `day`."""
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)


class LanguageSkill(models.Model):
    """A language the person speaks, with a self-declared level."""

    jobseeker = models.ForeignKey(Jobseeker, on_delete=models.CASCADE, related_name="language_skills")
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    level = models.CharField(_("level"), max_length=12, choices=LanguageLevel.choices)

    class Meta:
        verbose_name = _("language spoken")
        verbose_name_plural = _("languages spoken")
        constraints = [models.UniqueConstraint(fields=["jobseeker", "language"], name="one_level_per_language")]


class EligibilityRuleKind(models.TextChoices):
    """What a rule checks; its parameters (months, age) live on the rule."""

    LONG_TERM_UNEMPLOYED = "long_term_unemployed", _("Unemployed for at least a number of months")
    SOCIAL_INCOME = "social_income", _("CPAS/OCMW client (social integration income)")
    LOW_SKILLED = "low_skilled", _("Low-skilled: no upper-secondary diploma recognised in Belgium")
    AGE_AT_LEAST = "age_at_least", _("Aged at least a number of years")


class EligibilityRule(models.Model):
    """One rule of the programme's public, as data: a person is eligible when any active rule applies."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=EligibilityRuleKind.choices)
    active = models.BooleanField(_("active"), default=True)
    months = models.PositiveSmallIntegerField(
        _("months"), null=True, blank=True, help_text=_("For “unemployed for at least”: the number of months.")
    )
    age = models.PositiveSmallIntegerField(
        _("age"), null=True, blank=True, help_text=_("For “aged at least”: the age in years.")
    )
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_nl = models.CharField(_("label (Dutch)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    # Every change, old and new values, with who made it (django-simple-history; docs/architecture.md).
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        lang = (get_language() or "fr")[:2]
        return (getattr(self, f"label_{lang}", "") if lang in {"fr", "nl", "en"} else "") or self.label_fr

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind == EligibilityRuleKind.LONG_TERM_UNEMPLOYED and not self.months:
            raise ValidationError({"months": _("Give the number of months.")})
        if self.kind == EligibilityRuleKind.AGE_AT_LEAST and not self.age:
            raise ValidationError({"age": _("Give the age.")})
