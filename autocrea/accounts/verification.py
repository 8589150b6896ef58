"""E-mail verification for accounts made through the portal (django-allauth's confirmation e-mail)."""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.models import EmailAddress
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def send_verification_email(request: HttpRequest, user: Any) -> str:
    """Send the confirmation link to the person's unverified address, in their contact language.

    Called after the account's transaction committed. Returns the address, or "" when there is none
    or sending failed: the person's interest is recorded either way (a counsellor can resend it).
    """
    address = EmailAddress.objects.filter(user=user, primary=True, verified=False).first()
    if address is None:
        return ""
    try:
        address.send_confirmation(request, signup=True)
    except Exception:
        logger.exception("verification e-mail not sent", extra={"user_id": user.pk})
        return ""
    return address.email
