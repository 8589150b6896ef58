"""Belgian identifiers, validated with python-stdnum (never by hand)."""

from __future__ import annotations

import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.be import ssn, vat


def clean_national_number(value: str) -> str:
    """Return the 11 digits of a valid national register or BIS number, or raise ValidationError."""
    try:
        return str(ssn.validate(value))
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("Enter a valid national register number, for example 85.07.30-033.28."), code="invalid_niss"
        ) from exc


def format_national_number(digits: str) -> str:
    """Return the number as 85.07.30-033.28."""
    return str(ssn.format(digits))


def mask_national_number(digits: str) -> str:
    """Return the number with all but the last two check digits hidden: ••.••.••-•••.28."""
    if not digits:
        return ""
    return f"••.••.••-•••.{digits[-2:]}"


def clean_enterprise_number(value: str) -> str:
    """Return the 10 digits of a valid BCE/KBO enterprise number, or raise ValidationError."""
    try:
        digits = str(vat.validate(value))
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("Enter a valid enterprise number (BCE/KBO), for example 0403.170.701."), code="invalid_bce"
        ) from exc
    if digits[0] not in "01":
        raise ValidationError(_("An enterprise number starts with 0 or 1."), code="invalid_bce")
    return digits


def format_enterprise_number(digits: str) -> str:
    """Return the number as 0xxx.xxx.xxx."""
    return f"{digits[0:4]}.{digits[4:7]}.{digits[7:10]}" if len(digits) == 10 else digits


def clean_phone(value: str) -> str:
    """Return the phone number in E.164 form (region BE), or raise ValidationError."""
    try:
        number = phonenumbers.parse(value, "BE")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a phone number such as 0470 12 34 56."), code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a phone number such as 0470 12 34 56."), code="invalid_phone")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def search_key(*parts: str) -> str:
    """Return a lower-case, accent-free key for prefix search (filtered as a range, not LIKE)."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()
