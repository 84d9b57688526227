"""Invitations to set a password and the team's event log."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models.clinics import Clinic, Clinician
from clinic.models.patients import Patient


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def unused(self) -> InvitationQuerySet:
        """Neither used nor revoked (expired or not): the links a new one or a revocation
        stops."""
        return self.filter(used_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """A one-time, expiring link for a patient, or a clinician invited to a clinic's team, to
    set a password. Exactly one of ``patient`` and ``clinician``. Only a hash is stored."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="invitations", null=True, blank=True
    )
    clinician = models.ForeignKey(
        Clinician, on_delete=models.CASCADE, related_name="invitations", null=True, blank=True
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # The link works only while the invitee's address is still this one: a corrected address
    # means the link went to someone else. Blank on links made before it was kept.
    sent_to = models.EmailField(_("sent to"), blank=True, default="")

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="clinic_invitation_expires_after_created",
            ),
            models.CheckConstraint(
                condition=Q(patient__isnull=True, clinician__isnull=False)
                | Q(patient__isnull=False, clinician__isnull=True),
                name="clinic_invitation_for_patient_or_clinician",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.invitee} ({self.created_at:%Y-%m-%d})"

    @property
    def invitee(self) -> Patient | Clinician:
        invitee = self.patient or self.clinician
        assert invitee is not None  # the constraint: exactly one
        return invitee

    @property
    def email(self) -> str:
        return self.patient.email if self.patient is not None else self.invitee.user.email  # type: ignore[union-attr]

    @property
    def clinic(self) -> Clinic:
        return self.invitee.clinic

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


# The length of a team event's ``detail``: its field's, and where a writer cuts a long one.
TEAM_EVENT_DETAIL_MAX_LENGTH = 500


class TeamEvent(models.Model):
    """One change to a clinic's team, kept for its clinic admins: who did what to whom, when.

    Written by ``clinic.team.services``; never changed afterwards."""

    class Action(models.TextChoices):
        INVITED = "invited", _("Invited")
        JOINED = "joined", _("Accepted the invitation")
        ROLE_CHANGED = "role_changed", _("Role changed")
        DEACTIVATED = "deactivated", _("Deactivated")
        REACTIVATED = "reactivated", _("Reactivated")
        TWO_FACTOR_RESET = "two_factor_reset", _("Two-factor sign-in reset")
        SETTINGS_CHANGED = "settings_changed", _("Clinic settings changed")

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="team_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    clinician = models.ForeignKey(
        Clinician, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    action = models.CharField(_("what"), max_length=30, choices=Action)
    detail = models.CharField(_("detail"), max_length=TEAM_EVENT_DETAIL_MAX_LENGTH, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("team event")
        verbose_name_plural = _("team events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["clinic", "at"], name="clinic_teamevent_clinic_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}: {self.clinician}"
