"""Whether a person belongs to the programme's public, and why: a pure evaluation of the rules.

The rules are data (jobseekers.EligibilityRule, seeded by a migration, edited in the admin); this
module only reads them. A person is eligible when at least one active rule applies. Being outside
the rules does not stop the registration: the counsellor then gives a justification
(jobseekers.services.justify_eligibility), which is stored on the person and audited.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from autocrea.jobseekers.models import EligibilityRule, EligibilityRuleKind, IncomeSource, Jobseeker
from autocrea.reference.models import EducationLevel

LOW_LEVELS = {EducationLevel.NONE, EducationLevel.LOWER_SECONDARY}


@dataclass(frozen=True)
class RuleResult:
    code: str
    label: str
    applies: bool
    reason: str


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    results: tuple[RuleResult, ...]
    on: datetime.date

    @property
    def applying(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.applies)

    @property
    def reason(self) -> str:
        """Return one plain sentence: the rules that apply, or why none does."""
        if self.applying:
            return " ".join(r.reason for r in self.applying)
        if not self.results:
            return _("No eligibility rule is active.")
        return _("None of the programme's rules applies: %(details)s") % {
            "details": " ".join(r.reason for r in self.results)
        }


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Return the number of whole months from `start` to `end` (15/03 → 15/03 next year is 12)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def _check(rule: EligibilityRule, person: Jobseeker, on: datetime.date) -> tuple[bool, str]:
    if rule.kind == EligibilityRuleKind.LONG_TERM_UNEMPLOYED:
        minimum = rule.months or 0
        if person.unemployed_since is None:
            return False, _("Unemployed since: not known.")
        months = months_between(person.unemployed_since, on)
        values = {"months": months, "minimum": minimum}
        if months >= minimum:
            return True, _("Unemployed for %(months)d months (at least %(minimum)d).") % values
        return False, _("Unemployed for %(months)d months (fewer than %(minimum)d).") % values
    if rule.kind == EligibilityRuleKind.SOCIAL_INCOME:
        if person.income_source == IncomeSource.CPAS:
            return True, _("Receives the CPAS/OCMW social integration income.")
        return False, _("Does not receive the CPAS/OCMW income.")
    if rule.kind == EligibilityRuleKind.LOW_SKILLED:
        level = EducationLevel(person.education_level).label if person.education_level else _("not known")
        if person.education_level in LOW_LEVELS:
            return True, _("No upper-secondary diploma (highest level: %(level)s).") % {"level": level}
        if person.diploma_recognised is False:
            return True, _("Diploma not recognised in Belgium (highest level: %(level)s).") % {"level": level}
        return False, _("Has an upper-secondary diploma or higher (%(level)s).") % {"level": level}
    if rule.kind == EligibilityRuleKind.AGE_AT_LEAST:
        minimum = rule.age or 0
        age = person.age_on(on)
        values = {"age": age, "minimum": minimum}
        if age >= minimum:
            return True, _("Aged %(age)d (%(minimum)d or over).") % values
        return False, _("Aged %(age)d (under %(minimum)d).") % values
    return False, ""


def evaluate(jobseeker: Jobseeker, *, on: datetime.date, rules: Iterable[EligibilityRule] | None = None) -> Eligibility:
    """Return whether `jobseeker` is in the programme's public on `on`, with every rule's reason.

    `rules` defaults to the active rules in the database; pass them to evaluate without a query.
    """
    if rules is None:
        rules = EligibilityRule.objects.filter(active=True)
    results = []
    for rule in rules:
        if not rule.active:
            continue
        applies, reason = _check(rule, jobseeker, on)
        results.append(RuleResult(code=rule.code, label=rule.label, applies=applies, reason=reason))
    return Eligibility(eligible=any(r.applies for r in results), results=tuple(results), on=on)
