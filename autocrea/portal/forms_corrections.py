"""The person's correction request: what is wrong, what it should be (one short page, plain words)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from autocrea.datarights.corrections import MAX_LENGTH
from autocrea.portal.forms import PortalForm


class CorrectionRequestForm(PortalForm):
    # A one-time token: the same form submitted twice creates one request (datarights/corrections.py).
    form_token = forms.UUIDField(widget=forms.HiddenInput)
    what_is_wrong = forms.CharField(
        label=_("What is wrong?"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: “My phone number is wrong.”"),
        error_messages={
            "required": _("Say what is wrong"),
            "max_length": _("Use 2,000 characters or fewer"),
        },
    )
    what_it_should_be = forms.CharField(
        label=_("What should it be?"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: “My new number is 0470 12 34 56.”"),
        error_messages={
            "required": _("Say what it should be"),
            "max_length": _("Use 2,000 characters or fewer"),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("form_token", uuid.uuid4())
        super().__init__(*args, **kwargs)

    def error_links(self) -> list[tuple[str, str]]:
        # A missing or broken token is not the person's fault: ask them to send the form again.
        links = [link for link in super().error_links() if not link[0].endswith("form_token")]
        if "form_token" in self.errors:
            links.insert(0, ("", str(_("Something went wrong. Please send the form again."))))
        return links
