"""The form of a trajectory's exit: how the accompaniment ended, with the evidence the exit kind asks for.

A TrajectoryForm (forms_base.py): it carries the trajectory's version, and the rules stay in
pathways/services.py. The follow-up six months later is in forms_followups.py.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autocrea.reference.models import ExitKind
from autocrea.workspace.forms_base import HintedRadioSelect, TrajectoryForm, check_enterprise_number, date_field

ENTERPRISE_NUMBER_HINT = _("10 digits starting with 0 or 1, for example 0403.170.701.")


class ExitKindField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ExitKind) -> str:
        return obj.name


def _exit_kind_hint(kind: ExitKind) -> str:
    if kind.is_positive and kind.is_job_creation:
        text = gettext("Counts as a positive exit and as a job creation.")
    elif kind.is_positive:
        text = gettext("Counts as a positive exit.")
    else:
        text = gettext("Does not count as a positive exit.")
    if kind.evidence_hint == "enterprise_number":
        text = f"{text} {gettext('Needs the enterprise number (BCE/KBO).')}"
    return text


class ExitForm(TrajectoryForm):
    kind = ExitKindField(
        label=_("How did the accompaniment end?"),
        queryset=ExitKind.objects.filter(active=True),
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose how the accompaniment ended.")},
    )
    on = date_field(_("Exit date"), today=True)
    enterprise_number = forms.CharField(
        label=_("Enterprise number (BCE/KBO)"),
        required=False,
        max_length=20,
        # Required for some choices only: the hint says when, so no "(optional)" after the label.
        template_name="workspace/partner_field_conditional.html",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What shows this outcome, for example “employment contract signed on 12/03/2026”."),
    )
    widths: ClassVar[dict[str, str]] = {"enterprise_number": "govuk-input--width-10"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = list(self.fields["kind"].queryset)
        self.kinds = {str(k.pk): k for k in kinds}
        self.fields["kind"].widget.hints = {str(k.pk): _exit_kind_hint(k) for k in kinds}
        positive = [k.name for k in kinds if k.is_positive]
        creation = [k.name for k in kinds if k.is_job_creation]
        self.fields["kind"].help_text = " ".join(
            [
                gettext("Positive exits: %(kinds)s.") % {"kinds": ", ".join(positive) or "–"},
                gettext("Job creation: %(kinds)s.") % {"kinds": ", ".join(creation) or "–"},
            ]
        )
        needing = [k.name for k in kinds if k.evidence_hint == "enterprise_number"]
        self.fields["enterprise_number"].help_text = " ".join(
            [
                gettext("Required for: %(kinds)s.") % {"kinds": ", ".join(needing)},
                str(ENTERPRISE_NUMBER_HINT),
            ]
            if needing
            else [str(ENTERPRISE_NUMBER_HINT)]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        number = data.get("enterprise_number", "")
        data["enterprise_number"] = check_enterprise_number(self, number)
        kind = data.get("kind")
        if kind is not None and kind.evidence_hint == "enterprise_number" and not number.strip():
            self.add_error(
                "enterprise_number", gettext("Give the enterprise number (BCE/KBO) of the business created.")
            )
        return data
