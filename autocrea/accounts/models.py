"""Users and their roles; a partner staff member belongs to exactly one partner."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from autocrea.backbone.roles import Role


class User(AbstractUser):
    """A person who signs in: staff member or job seeker."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True, default=Role.NONE)
    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("partner"),
    )
    preferred_language = models.CharField(_("screen language"), max_length=2, default="fr")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Partner staff must belong to a partner; nobody else may.
            models.CheckConstraint(
                condition=(Q(role__in=["coach", "partner_manager"]) & Q(partner__isnull=False))
                | (~Q(role__in=["coach", "partner_manager"]) & Q(partner__isnull=True)),
                name="user_partner_matches_role",
            )
        ]


class AuditEvent(models.Model):
    """Append-only: who did or read what on which record. Holds ids and actions, never personal data."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user_id_ref = models.BigIntegerField(_("user id"), null=True)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.BigIntegerField(_("object id"), null=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]


class ApiToken(models.Model):
    """A bearer token for the HTTP API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
