"""What a user does in the programme: the role vocabulary (a leaf module, Django only).

The User model (accounts/models.py) stores one of these; who may do what with a role is decided in
accounts/access.py and, for the backbone's actions, in backbone/transitions.py.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does in the programme; access rules hang off this (accounts/access.py)."""

    NONE = "", _("No role")
    JOBSEEKER = "jobseeker", _("Job seeker")
    COUNSELLOR = "counsellor", _("Actiris counsellor")
    COACH = "coach", _("Partner coach")
    PARTNER_MANAGER = "partner_manager", _("Partner manager")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    ADMIN = "admin", _("Administrator")


PARTNER_ROLES = {Role.COACH, Role.PARTNER_MANAGER}
STAFF_ROLES = {Role.COUNSELLOR, Role.COACH, Role.PARTNER_MANAGER, Role.PROGRAMME_MANAGER, Role.ADMIN}
