"""The activity select that tags individual sessions, collective series and actions of the plan.

Offers only the partner's active activities (partners/activities.offered), grouped by the backbone step
they serve; the services check the activity again (partners/activities.check_activity).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autocrea.lib.forms import style_widget
from autocrea.partners.activities import offered
from autocrea.partners.models import ActivityStep, PartnerActivity


class ActivityChoiceField(forms.ChoiceField):
    """A select of a partner's active activities, grouped by backbone step; cleans to a PartnerActivity or None."""

    def __init__(self, activities: list[PartnerActivity], **kwargs: Any) -> None:
        self.activities = {str(a.pk): a for a in activities}
        groups: list[Any] = [("", gettext("No activity chosen"))]
        for step in ActivityStep:
            options = [(str(a.pk), a.name) for a in activities if a.step == step.value]
            if options:
                groups.append((step.label, options))
        super().__init__(choices=groups, required=False, **kwargs)

    def clean(self, value: Any) -> PartnerActivity | None:
        value = "" if value is None else str(value)
        if value in self.empty_values:
            return None
        activity = self.activities.get(value)
        if activity is None:
            raise forms.ValidationError(
                gettext("Choose one of the activities offered by your organisation."), code="invalid_choice"
            )
        return activity


def add_activity_field(form: forms.Form, partner_id: int | None, *, after: str, help_text: Any) -> None:
    """Put the activity select of `partner_id` in `form` after the field `after`; nothing when none is offered."""
    activities = list(offered(partner_id))
    if not activities:
        return
    field = ActivityChoiceField(activities, label=_("Activity of your organisation"), help_text=help_text)
    style_widget(field)
    fields = list(form.fields.items())
    index = next((i + 1 for i, (name, _f) in enumerate(fields) if name == after), len(fields))
    fields.insert(index, ("activity", field))
    form.fields = dict(fields)


SESSION_ACTIVITY_HINT = _("The activity of your catalogue this session belongs to, grouped by step of the pathway.")
ACTION_ACTIVITY_HINT = _("The activity of your catalogue this action belongs to, grouped by step of the pathway.")
SERIES_ACTIVITY_HINT = _(
    "The activity of your catalogue these sessions belong to, grouped by step of the pathway. "
    "Every session of the series is counted under it."
)
