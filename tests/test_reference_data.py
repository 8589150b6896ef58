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

from autocrea.coaching import services as coaching
from autocrea.jobseekers.models import EligibilityRule
from autocrea.partners.models import Partner, PartnerActivity
from autocrea.pathways.models import Trajectory
from autocrea.pathways.steps import Step
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
    coaching.record_diagnostic(
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
    from autocrea.workspace.forms_partner import DiagnosticForm

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
