"""Forms of a trajectory's orientation seen from the workspace: the partner's answer, and a re-orientation.

Each form is a TrajectoryForm (forms_base.py): it carries the trajectory's version, and the rules stay
in pathways/services.py.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autocrea.accounts.access import records_orientation_as_partner
from autocrea.backbone.steps import Channel
from autocrea.partners.models import Partner
from autocrea.pathways.models import OrientationStatus
from autocrea.workspace.forms_base import HintedRadioSelect, TrajectoryForm, date_field


class AnswerForm(TrajectoryForm):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose your answer.")},
    )
    reason = forms.CharField(
        label=_("Reason or note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required if you decline. Optional if you put the person on the waiting list. "
            "Actiris counsellors can read it."
        ),
    )
    on = date_field(_("Date of the answer"), today=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (OrientationStatus.ACCEPTED.value, _("Accept")),
            (OrientationStatus.DECLINED.value, _("Decline")),
            (OrientationStatus.WAITLISTED.value, _("Put on the waiting list")),
        ]
        if self.trajectory.orientations.filter(status=OrientationStatus.WAITLISTED).exists():
            choices = choices[:2]
        self.fields["answer"].choices = choices
        self.fields["answer"].widget.hints = {
            OrientationStatus.ACCEPTED.value: _("Your organisation starts accompanying the person: diagnostic next."),
            OrientationStatus.DECLINED.value: _(
                "The person goes back to choosing a partner, and your organisation no longer sees the file."
            ),
            OrientationStatus.WAITLISTED.value: _("You will accept or decline later."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("answer") == OrientationStatus.DECLINED and not data.get("reason", "").strip():
            self.add_error("reason", gettext("Give the reason why you decline."))
        return data


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Partner) -> str:
        return obj.name


class ReorientForm(TrajectoryForm):
    partner = PartnerChoiceField(
        label=_("New partner"),
        queryset=Partner.objects.none(),
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose the new partner.")},
    )
    reason = forms.CharField(
        label=_("Reason for the re-orientation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Actiris counsellors and the new partner can read it."),
        error_messages={"required": _("Give the reason for the re-orientation.")},
    )
    chosen_by_person = forms.BooleanField(
        label=_("The person chose this partner"),
        required=False,
        initial=True,
        template_name="workspace/partner_field_checkbox.html",
        help_text=_("Untick only if the person did not choose the partner themselves."),
    )
    channel = forms.ChoiceField(
        label=_("How did the person ask for it?"),
        choices=[(c, label) for c, label in Channel.choices if c in {Channel.COUNTER, Channel.PHONE, Channel.POST}],
        initial=Channel.COUNTER,
        widget=HintedRadioSelect(),
    )
    on = date_field(_("Date of the re-orientation"), today=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = Partner.objects.filter(active=True).exclude(pk=self.trajectory.partner_id).select_related("commune")
        partners = list(queryset)
        self.fields["partner"].queryset = queryset
        self.fields["partner"].widget.hints = {
            str(p.pk): gettext("%(speciality)s Languages: %(languages)s. Place: %(place)s.")
            % {"speciality": p.speciality, "languages": ", ".join(p.language_labels()), "place": p.commune.name}
            for p in partners
        }
        self.fields["chosen_by_person"].widget.attrs["aria-describedby"] = "id_chosen_by_person-hint"
        if records_orientation_as_partner(user):
            # Partner staff record it themselves; the channel is the partner.
            del self.fields["channel"]

    def channel_value(self) -> str:
        return str(self.cleaned_data.get("channel") or Channel.PARTNER)
