"""Reference rows used by figures and pathways are deactivated, never deleted.

The admin has no delete for them (neither the page nor the action) and offers "deactivate"; an
inactive row is no longer offered in forms, and every record that uses it keeps it.
"""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone, translation

from autocrea.backbone.steps import Step
from autocrea.coaching.services import action_plan
from autocrea.jobseekers.models import EligibilityRule
from autocrea.partners.models import Partner, PartnerActivity
from autocrea.pathways.models import Trajectory
from autocrea.reference.models import BarrierCode, BusinessSector, Commune, ExitKind
from tests.factories import SKILLS, make_trajectory

pytestmark = pytest.mark.django_db

NO_DELETE = [BarrierCode, ExitKind, Commune, BusinessSector, EligibilityRule, Partner, PartnerActivity]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _admin_url(model: type, action: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def test_deleting_a_barrier_code_through_the_admin_is_refused(client, cast):
    client.force_login(cast["demo-admin"])
    barrier = BarrierCode.objects.first()
    assert barrier is not None
    response = client.post(_admin_url(BarrierCode, "delete", barrier.pk), {"post": "yes"})
    assert response.status_code == 403
    assert BarrierCode.objects.filter(pk=barrier.pk).exists()
    # Nor through the changelist's bulk action: there is no "delete selected" any more.
    changelist = client.get(_admin_url(BarrierCode, "changelist")).content.decode()
    assert 'value="delete_selected"' not in changelist and 'value="deactivate"' in changelist
    client.post(_admin_url(BarrierCode, "changelist"), {"action": "delete_selected", "_selected_action": [barrier.pk]})
    assert BarrierCode.objects.filter(pk=barrier.pk).exists()


@pytest.mark.parametrize("model", NO_DELETE, ids=lambda m: m.__name__)
def test_no_reference_model_can_be_deleted_in_the_admin(client, cast, model):
    from django.contrib import admin

    client.force_login(cast["demo-admin"])
    request = client.get(_admin_url(model, "changelist")).wsgi_request
    model_admin = admin.site._registry[model]
    assert model_admin.has_delete_permission(request) is False
    assert "delete_selected" not in model_admin.get_actions(request)
    assert "deactivate" in model_admin.get_actions(request)


def test_the_admin_deactivates_a_barrier_code(client, cast):
    client.force_login(cast["demo-admin"])
    barrier = BarrierCode.objects.order_by("pk").first()
    assert barrier is not None and barrier.active
    response = client.post(
        _admin_url(BarrierCode, "changelist"), {"action": "deactivate", "_selected_action": [barrier.pk]}
    )
    assert response.status_code == 302
    assert BarrierCode.objects.get(pk=barrier.pk).active is False


def test_a_barrier_code_in_use_cannot_be_deleted_even_in_code(counsellor, coach, partners):
    t = make_trajectory(step=Step.DIAGNOSTIC, counsellor=counsellor, coach=coach, partner=partners["credal"])
    barrier = BarrierCode.objects.order_by("pk").first()
    assert barrier is not None
    action_plan.record_diagnostic(
        trajectory=t,
        by=coach,
        on=timezone.localdate(),
        barriers=[barrier],
        maturity="idea",
        viability="uncertain",
        skills=SKILLS,
    )
    with pytest.raises(ProtectedError):
        barrier.delete()
    assert BarrierCode.objects.filter(pk=barrier.pk).exists()


def test_a_deactivated_exit_kind_is_not_offered_but_an_exit_with_it_still_shows(client, counsellor, coach, partners):
    exited = make_trajectory(
        step=Step.EXIT, counsellor=counsellor, coach=coach, partner=partners["credal"], exit_kind="reoriented"
    )
    ExitKind.objects.filter(code="reoriented").update(active=False)
    accompanied = make_trajectory(
        step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=partners["credal"]
    )
    client.force_login(coach)
    form = html.unescape(client.get(reverse("workspace:exit", args=[accompanied.pk])).content.decode())
    assert 'value="salaried_job"' in form and 'value="reoriented"' not in form
    refused = client.post(
        reverse("workspace:exit", args=[accompanied.pk]),
        {"version": accompanied.version, "kind": "reoriented", "on": timezone.localdate().strftime("%d/%m/%Y")},
    )
    assert refused.status_code == 200
    assert Trajectory.objects.get(pk=accompanied.pk).current_step == Step.ACCOMPANIMENT
    detail = client.get(reverse("workspace:trajectory", args=[exited.pk]))
    assert detail.status_code == 200
    assert "Reoriented to another service" in html.unescape(detail.content.decode())


def test_inactive_communes_sectors_and_barriers_are_not_offered(client, counsellor, coach, partners):
    from autocrea.portal.forms import CommuneForm
    from autocrea.workspace.forms_coaching import DiagnosticForm

    commune = Commune.objects.order_by("pk").first()
    barrier = BarrierCode.objects.order_by("pk").first()
    sector = BusinessSector.objects.order_by("pk").first()
    assert commune and barrier and sector
    Commune.objects.filter(pk=commune.pk).update(active=False)
    BarrierCode.objects.filter(pk=barrier.pk).update(active=False)
    BusinessSector.objects.filter(pk=sector.pk).update(active=False)
    assert commune not in CommuneForm().fields["commune"].queryset
    diagnostic_form = DiagnosticForm(trajectory=make_trajectory(step=Step.INTEREST, counsellor=counsellor))
    assert barrier not in diagnostic_form.fields["barriers"].queryset
    client.force_login(counsellor)
    intake = html.unescape(client.get(reverse("workspace:intake")).content.decode())
    assert f'value="{commune.pk}"' not in intake and f'value="{sector.pk}"' not in intake


# --- history: old and new values, and who changed them (django-simple-history) -------------------------------


def test_editing_an_exit_kind_in_the_admin_keeps_the_old_and_new_flags_and_who(client, cast):
    admin_user = cast["demo-admin"]
    client.force_login(admin_user)
    kind = ExitKind.objects.get(code="training")
    assert kind.is_positive and not kind.is_job_creation
    data = {
        "code": kind.code,
        "name_fr": kind.name_fr,
        "name_nl": kind.name_nl,
        "name_en": kind.name_en,
        "is_positive": "",  # unticked
        "is_job_creation": "on",
        "evidence_hint": kind.evidence_hint,
        "active": "on",
        "position": kind.position,
    }
    response = client.post(_admin_url(ExitKind, "change", kind.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    change = ExitKind.history.filter(code="training", history_type="~").get()
    assert change.history_user == admin_user
    delta = change.diff_against(change.prev_record)
    assert {(c.field, c.old, c.new) for c in delta.changes} == {
        ("is_positive", True, False),
        ("is_job_creation", False, True),
    }


def test_deactivating_a_barrier_code_is_in_its_history(client, cast):
    client.force_login(cast["demo-admin"])
    barrier = BarrierCode.objects.order_by("pk").first()
    assert barrier is not None
    client.post(_admin_url(BarrierCode, "changelist"), {"action": "deactivate", "_selected_action": [barrier.pk]})
    change = BarrierCode.history.filter(code=barrier.pk, history_type="~").get()
    assert (change.prev_record.active, change.active, change.history_user) == (True, False, cast["demo-admin"])


def test_an_eligibility_rule_changed_in_the_admin_is_in_its_history(client, cast):
    client.force_login(cast["demo-admin"])
    rule = EligibilityRule.objects.order_by("pk").first()
    assert rule is not None and rule.active
    client.post(_admin_url(EligibilityRule, "changelist"), {"action": "deactivate", "_selected_action": [rule.pk]})
    change = EligibilityRule.history.filter(id=rule.pk, history_type="~").get()
    assert (change.prev_record.active, change.active, change.history_user) == (True, False, cast["demo-admin"])


def test_a_partner_activity_changed_through_its_service_records_by(cast):
    from autocrea.partners import activities

    manager = cast["demo-partner-manager-credal"]
    values = {"code": "w1", "name_fr": "Atelier", "name_nl": "Workshop", "step": "accompaniment", "kind": "workshop"}
    activity = activities.create_activity(by=manager, values=values)
    activities.update_activity(activity=activity, by=manager, values={**values, "name_fr": "Atelier TVA"}, version=1)
    created, changed = PartnerActivity.history.filter(id=activity.pk).order_by("history_date", "history_id")
    assert (created.history_type, created.history_user, created.name_fr) == ("+", manager, "Atelier")
    assert (changed.history_type, changed.history_user, changed.name_fr) == ("~", manager, "Atelier TVA")


def test_reference_rows_loaded_by_the_migrations_have_a_first_history_row():
    for model in (ExitKind, BarrierCode, Commune, BusinessSector, EligibilityRule):
        rows = model.objects.count()
        assert rows and model.history.filter(history_type="+").count() >= rows, model.__name__
