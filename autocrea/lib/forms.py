"""GOV.UK Frontend markup for every Django form, so views never hand-write field HTML."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting

_WIDGET_CLASSES: dict[type[forms.Widget], str] = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.RadioSelect: "govuk-radios__input",
    forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
}


class GovukFormRenderer(TemplatesSetting):
    """Render forms and fields with the GOV.UK templates in templates/forms/."""

    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"


def style_widget(field: forms.Field, has_error: bool = False) -> None:
    """Give a field's widget the GOV.UK class that matches its kind."""
    widget = field.widget
    css = "govuk-input"
    for kind, name in _WIDGET_CLASSES.items():
        if isinstance(widget, kind):
            css = name
            break
    widget.attrs["class"] = css


class GovukForm(forms.Form):
    """A form whose widgets carry GOV.UK classes and error states."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                cls = widget.attrs.get("class", "")
                if cls in {"govuk-input", "govuk-select", "govuk-textarea"}:
                    widget.attrs["class"] = f"{cls} {cls}--error"
                widget.attrs["aria-invalid"] = "true"


class GovukModelForm(forms.ModelForm):
    """A model form with the same GOV.UK styling as GovukForm."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field)

    full_clean = GovukForm.full_clean  # type: ignore[assignment]
