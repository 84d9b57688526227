"""Signed-in sessions and the second factor recorded on API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken


class UserSession(models.Model):
    """One signed-in browser session, so its owner can see it and end it (``/account/sessions/``).

    Written at sign-in (``clinic.accounts.signals``), its ``last_seen_at`` refreshed at most once a minute
    by ``SessionLimitsMiddleware``, deleted at sign-out. The Django session itself lives in the
    session store; ending one here deletes it there too.
    """

    USER_AGENT_LENGTH = 200

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="browser_sessions"
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=USER_AGENT_LENGTH, blank=True)

    class Meta:
        verbose_name = _("browser session")
        verbose_name_plural = _("browser sessions")
        ordering = ["-last_seen_at", "-pk"]
        indexes = [models.Index(fields=["user", "last_seen_at"], name="clinic_usersession_user")]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d %H:%M})"


class TokenSecondFactor(models.Model):
    """An API token issued after a verified second factor (a code from the user's app or a
    recovery code, ``POST /api/v1/auth/login/``).

    A token without one is refused (401) whenever two-factor sign-in is now required of its
    user (``clinic.api.authentication.TokenAuthentication``): the clinic started to require it,
    the therapist became a clinic admin, ``MFA_REQUIRED`` was switched on, or the user set it
    up. ``clinic.accounts.services.security_policy_changed`` deletes such tokens when a role
    or a clinic's setting changes.
    """

    token = models.OneToOneField(
        AuthToken, on_delete=models.CASCADE, primary_key=True, related_name="second_factor"
    )
    verified_at = models.DateTimeField(_("verified"), default=timezone.now)

    class Meta:
        verbose_name = _("API token's second factor")
        verbose_name_plural = _("API tokens' second factors")

    def __str__(self) -> str:
        return f"{self.token_id[:8]}… verified {self.verified_at:%Y-%m-%d %H:%M}"
