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


def mark_errors(form: forms.BaseForm) -> None:
    """Give the widgets of fields in error the GOV.UK error class and aria-invalid."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            css = widget.attrs.get("class", "")
            base = css.split(" ")[0]
            if base in {"govuk-input", "govuk-select", "govuk-textarea"}:
                widget.attrs["class"] = f"{css} {base}--error"
            widget.attrs["aria-invalid"] = "true"
            # Screen readers announce the hint and the error with the field (ids from forms/govuk_field.html).
            bound = form[name]
            described = [f"{bound.auto_id}_helptext"] if form.fields[name].help_text else []
            widget.attrs["aria-describedby"] = " ".join([*described, f"{bound.auto_id}-error"])


class GovukForm(forms.Form):
    """A form whose widgets carry GOV.UK classes and error states."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field)

    def full_clean(self) -> None:
        super().full_clean()
        mark_errors(self)


class GovukModelForm(forms.ModelForm):
    """A model form with the same GOV.UK styling as GovukForm."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field)

    def full_clean(self) -> None:
        super().full_clean()
        mark_errors(self)
