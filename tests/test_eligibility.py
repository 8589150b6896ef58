"""Eligibility for the programme's public: rules as data, each at its boundary, and the justification."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from autocrea.accounts.models import AuditEvent
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Step
from autocrea.jobseekers.eligibility import evaluate, months_between
from autocrea.jobseekers.models import EligibilityRule, Jobseeker
from autocrea.jobseekers.services import justify_eligibility
from autocrea.pathways.models import Trajectory
from tests.factories import make_jobseeker, make_trajectory


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are compared in English: start every test there, whatever an earlier test activated."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 3, 16)


def person(**values) -> Jobseeker:
    """An unsaved person outside every rule unless `values` says otherwise."""
    defaults = {
        "first_name": "Eva",
        "last_name": "Lambert",
        "birth_date": datetime.date(1990, 1, 1),
        "gender": "female",
        "education_level": "upper_secondary",
        "diploma_recognised": None,
        "income_source": "benefits",
        "unemployed_since": datetime.date(2025, 12, 1),
    }
    return Jobseeker(**{**defaults, **values})


def codes(result) -> set[str]:
    return {r.code for r in result.applying}


def test_the_four_rules_are_seeded_and_active():
    rules = {r.code: r for r in EligibilityRule.objects.all()}
    assert set(rules) == {"unemployed_12_months", "cpas_client", "low_skilled", "aged_50"}
    assert rules["unemployed_12_months"].months == 12 and rules["aged_50"].age == 50
    assert all(r.active for r in rules.values())
    with translation.override("nl"):
        assert rules["aged_50"].label == "50 jaar of ouder"
    with translation.override("fr"):
        assert rules["aged_50"].label == "Âgé de 50 ans ou plus"


def test_a_person_outside_every_rule_is_not_eligible_and_told_why():
    result = evaluate(person(), on=ON)
    assert not result.eligible and codes(result) == set()
    with translation.override("en"):
        assert "None of the programme's rules applies" in result.reason
        assert "Unemployed for 3 months (fewer than 12)." in result.reason
        assert "Aged 36 (under 50)." in result.reason


@pytest.mark.parametrize(
    ("since", "eligible"),
    [
        (datetime.date(2025, 3, 16), True),  # exactly 12 months
        (datetime.date(2025, 3, 17), False),  # one day short
        (datetime.date(2024, 1, 1), True),
    ],
)
def test_long_term_unemployment_counts_from_exactly_twelve_months(since, eligible):
    result = evaluate(person(unemployed_since=since), on=ON)
    assert ("unemployed_12_months" in codes(result)) is eligible
    assert result.eligible is eligible


def test_an_unknown_unemployment_date_does_not_count():
    result = evaluate(person(unemployed_since=None), on=ON)
    assert not result.eligible
    with translation.override("en"):
        assert "Unemployed since: not known." in result.reason


@pytest.mark.parametrize(
    ("birth_date", "eligible"),
    [
        (datetime.date(1976, 3, 16), True),  # 50 today
        (datetime.date(1976, 3, 17), False),  # 49, 50 tomorrow
        (datetime.date(1960, 6, 1), True),
    ],
)
def test_age_counts_from_the_fiftieth_birthday(birth_date, eligible):
    result = evaluate(person(birth_date=birth_date), on=ON)
    assert ("aged_50" in codes(result)) is eligible
    with translation.override("en"):
        assert ("Aged 50 (50 or over)." in result.reason) is (birth_date == datetime.date(1976, 3, 16))


@pytest.mark.parametrize(("income", "eligible"), [("cpas", True), ("benefits", False), ("none", False)])
def test_a_cpas_client_is_eligible(income, eligible):
    assert evaluate(person(income_source=income), on=ON).eligible is eligible


@pytest.mark.parametrize(
    ("level", "recognised", "eligible"),
    [
        ("none", None, True),
        ("lower_secondary", None, True),
        ("upper_secondary", None, False),  # the boundary: an upper-secondary diploma
        ("upper_secondary", False, True),  # ... not recognised in Belgium
        ("bachelor", True, False),
    ],
)
def test_low_skilled_means_no_upper_secondary_diploma(level, recognised, eligible):
    result = evaluate(person(education_level=level, diploma_recognised=recognised), on=ON)
    assert ("low_skilled" in codes(result)) is eligible


def test_every_rule_that_applies_is_given_with_its_reason():
    result = evaluate(person(birth_date=datetime.date(1970, 1, 1), income_source="cpas"), on=ON)
    assert codes(result) == {"cpas_client", "aged_50"}
    with translation.override("en"):
        assert result.reason == "Receives the CPAS/OCMW social integration income. Aged 56 (50 or over)."


def test_rules_are_data_an_inactive_rule_or_a_changed_parameter_changes_the_result():
    who = person(birth_date=datetime.date(1980, 1, 1))  # 46
    assert not evaluate(who, on=ON).eligible
    EligibilityRule.objects.filter(code="aged_50").update(age=45)
    assert codes(evaluate(who, on=ON)) == {"aged_50"}
    EligibilityRule.objects.filter(code="aged_50").update(active=False)
    assert not evaluate(who, on=ON).eligible


def test_evaluate_is_pure_when_given_its_rules(django_assert_num_queries):
    rules = list(EligibilityRule.objects.all())
    with django_assert_num_queries(0):
        result = evaluate(person(income_source="cpas"), on=ON, rules=rules)
    assert result.eligible


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (datetime.date(2025, 1, 31), datetime.date(2025, 2, 28), 0),
        (datetime.date(2025, 1, 31), datetime.date(2025, 3, 31), 2),
        (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28), 11),
        (datetime.date(2024, 2, 29), datetime.date(2025, 3, 1), 12),
    ],
)
def test_months_are_whole_calendar_months(start, end, months):
    assert months_between(start, end) == months


# --- intake and the justification ------------------------------------------------------------------


def intake_data(**values: str) -> dict[str, str]:
    return {
        "first_name": "Jonas",
        "last_name": "Outside",
        "birth_date": "12/03/1990",
        "gender": "male",
        "contact_language": "nl",
        "commune": "21009",
        "education_level": "bachelor",
        "unemployed_since": timezone.localdate().replace(day=1).strftime("%d/%m/%Y"),
        "income_source": "benefits",
        "channel": "counter",
        **values,
    }


def intake_url() -> str:
    with translation.override("en"):
        return reverse("workspace:intake")


def test_intake_outside_the_rules_needs_a_justification_and_writes_nothing_without(client, counsellor):
    client.force_login(counsellor)
    response = client.post(intake_url(), intake_data())
    html = response.content.decode()
    assert response.status_code == 200
    assert "None of the programme&#x27;s rules applies" in html
    assert "Give the justification for recording this person anyway." in html
    assert not Jobseeker.objects.filter(last_name="Outside").exists()


def test_intake_outside_the_rules_with_a_justification_is_recorded_and_audited(client, counsellor):
    client.force_login(counsellor)
    response = client.post(
        intake_url(), intake_data(eligibility_justification="Referred by the CPAS social worker"), follow=True
    )
    html = response.content.decode()
    assert "Outside the eligibility rules, recorded with your justification." in html
    person = Jobseeker.objects.get(last_name="Outside")
    assert person.eligibility_justification == "Referred by the CPAS social worker"
    assert (person.eligibility_justified_by, person.eligibility_justified_on) == (counsellor, timezone.localdate())
    assert AuditEvent.objects.filter(action="jobseeker:eligibility_justified", object_id=person.pk).count() == 1
    # The trajectory page shows the result, its reason and the justification.
    assert "Outside the eligibility rules" in html and "Referred by the CPAS social worker" in html


def test_intake_within_the_rules_shows_the_rule_that_applies(client, counsellor):
    client.force_login(counsellor)
    response = client.post(intake_url(), intake_data(income_source="cpas", last_name="Within"), follow=True)
    html = response.content.decode()
    assert "Eligible: Receives the CPAS/OCMW social integration income." in html
    assert "Within the programme's public" in html
    person = Jobseeker.objects.get(last_name="Within")
    assert person.eligibility_justification == ""
    assert Trajectory.objects.filter(jobseeker=person, current_step=Step.INTEREST).count() == 1


def test_the_service_refuses_an_unjustified_person_outside_the_rules(counsellor):
    from autocrea.jobseekers.services import register_jobseeker

    who = person(first_name="Solo", last_name="Service", unemployed_since=timezone.localdate())
    with pytest.raises(PathwayError, match="justification"):
        register_jobseeker(jobseeker=who, by=counsellor, channel="counter")
    assert not Jobseeker.objects.filter(last_name="Service").exists()


def test_a_counsellor_justifies_a_person_registered_online(client, counsellor, partners):
    outside = make_jobseeker(
        education_level="master", unemployed_since=timezone.localdate() - datetime.timedelta(days=30)
    )
    t = make_trajectory(step=Step.INTEREST, counsellor=counsellor, jobseeker=outside)
    client.force_login(counsellor)
    with translation.override("en"):
        page = reverse("workspace:trajectory", args=[t.pk])
        justify = reverse("workspace:eligibility_justify", args=[t.pk])
    html = client.get(page).content.decode()
    assert "No justification has been given yet." in html and justify in html
    assert "Give the justification." in client.post(justify, {"justification": "  "}).content.decode()
    assert client.post(justify, {"justification": "Long illness, back to work"}).status_code == 302
    outside.refresh_from_db()
    assert outside.eligibility_justification == "Long illness, back to work"
    assert AuditEvent.objects.filter(action="jobseeker:eligibility_justified", object_id=outside.pk).exists()


def test_no_justification_is_taken_for_an_eligible_person_or_by_a_coach(counsellor, coach):
    eligible = make_jobseeker(income_source="cpas")
    with pytest.raises(PathwayError, match="no justification is needed"):
        justify_eligibility(jobseeker=eligible, by=counsellor, justification="x")
    outside = make_jobseeker(education_level="master", unemployed_since=timezone.localdate())
    with pytest.raises(PathwayError):
        justify_eligibility(jobseeker=outside, by=coach, justification="x")
    outside.refresh_from_db()
    assert outside.eligibility_justification == ""
