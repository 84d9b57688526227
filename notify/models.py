"""What people chose to be told, where to reach them, and every notification sent.

A ``Notification`` row is written *before* anything is sent, under a unique ``key`` naming the
recipient, the kind and the slot (``reminder:2026-03-29:morning:u12:push``): whichever worker
inserts it first owns the send, so two workers, a retried job or a scheduler that ran twice
send each notification once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import Clinician, Patient
from rehab.models.alerts import Alert

ALL_DAYS = [0, 1, 2, 3, 4, 5, 6]  # Monday first, as ``date.weekday()``


def default_days() -> list[int]:
    return list(ALL_DAYS)


def validate_days(value: Any) -> None:
    if (
        not isinstance(value, list)
        or not value
        or any(not isinstance(day, int) or day not in ALL_DAYS for day in value)
        or len(set(value)) != len(value)
    ):
        raise ValidationError(_("Choose at least one day."), code="invalid_days")


class Channel(models.TextChoices):
    """Where one notification goes."""

    PUSH = "push", _("Notification")
    EMAIL = "email", _("Email")


class ChannelChoice(models.TextChoices):
    """Where a person wants to be told (``OFF`` only where it may be off)."""

    OFF = "off", _("Off")
    PUSH = "push", _("A notification on this phone")
    EMAIL = "email", _("An email")
    BOTH = "both", _("Both")

    @classmethod
    def channels(cls, value: str) -> list[Channel]:
        return {
            cls.PUSH: [Channel.PUSH],
            cls.EMAIL: [Channel.EMAIL],
            cls.BOTH: [Channel.PUSH, Channel.EMAIL],
        }.get(cls(value), [])


# Without web push on the server (no VAPID keys): what a saved choice reads as, per field of
# ``ReminderSettings`` (reminders have no "off": that is ``enabled``; a notice by push alone
# becomes none). The reminders page shows it so, and it is sent so.
WITHOUT_PUSH = {
    "channel": {
        ChannelChoice.OFF: ChannelChoice.EMAIL,
        ChannelChoice.PUSH: ChannelChoice.EMAIL,
        ChannelChoice.BOTH: ChannelChoice.EMAIL,
    },
    "replies": {ChannelChoice.PUSH: ChannelChoice.OFF, ChannelChoice.BOTH: ChannelChoice.EMAIL},
    "requests": {ChannelChoice.PUSH: ChannelChoice.OFF, ChannelChoice.BOTH: ChannelChoice.EMAIL},
}


class ReminderSettings(models.Model):
    """A patient's reminders (off until they turn them on), how they hear of replies (off
    until they choose) and of the clinic asking them to answer questions (``requests``: by
    email until they choose otherwise; a patient with no row has these defaults).

    Times are wall-clock times in the patient's own time zone (``Patient.timezone``);
    ``next_reminder_at`` is the next one in UTC, recomputed whenever the settings or the time
    zone change, so the scheduler reads only the rows that are due.
    """

    class Slot(models.TextChoices):
        MORNING = "morning", _("Morning")
        EVENING = "evening", _("Evening")

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="reminder_settings"
    )
    enabled = models.BooleanField(_("remind me to do my exercises"), default=False)
    morning = models.TimeField(_("morning reminder"), null=True, blank=True)
    evening = models.TimeField(_("evening reminder"), null=True, blank=True)
    days = models.JSONField(_("on these days"), default=default_days, validators=[validate_days])
    channel = models.CharField(
        _("how to remind me"),
        max_length=10,
        choices=[(c.value, c.label) for c in ChannelChoice if c != ChannelChoice.OFF],
        default=ChannelChoice.PUSH,
    )
    quiet_start = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet until"), null=True, blank=True)
    replies = models.CharField(
        _("when the clinic replies to me"),
        max_length=10,
        choices=ChannelChoice,
        default=ChannelChoice.OFF,
    )
    requests = models.CharField(
        _("when the clinic asks me to answer questions"),
        max_length=10,
        choices=ChannelChoice,
        default=ChannelChoice.EMAIL,
    )
    next_reminder_at = models.DateTimeField(_("next reminder"), null=True, blank=True)
    next_slot = models.CharField(max_length=10, choices=Slot, blank=True)
    next_slot_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")
        indexes = [
            models.Index(
                fields=["next_reminder_at"],
                condition=Q(enabled=True),
                name="notify_reminder_due",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="notify_reminder_quiet_both_or_neither",
                violation_error_message=_("Give both ends of your quiet hours, or neither."),
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["push", "email", "both"]),
                name="notify_reminder_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(replies__in=["off", "push", "email", "both"]),
                name="notify_reminder_replies_valid",
            ),
            models.CheckConstraint(
                condition=Q(requests__in=["off", "push", "email", "both"]),
                name="notify_reminder_requests_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient}: {'on' if self.enabled else 'off'}"

    def channels_for(self, field: str, *, push: bool) -> list[Channel]:
        """Where the choice in ``field`` (``channel``, ``replies``, ``requests``) sends, as it
        reads on a server with web push (``push``) or without (``WITHOUT_PUSH``)."""
        chosen = ChannelChoice(getattr(self, field))
        if not push:
            chosen = WITHOUT_PUSH[field].get(chosen, chosen)
        return ChannelChoice.channels(chosen)

    def slot_times(self) -> list[tuple[str, dt.time]]:
        """The reminder times set, earliest first."""
        slots = [(self.Slot.MORNING.value, self.morning), (self.Slot.EVENING.value, self.evening)]
        return sorted(((slot, at) for slot, at in slots if at is not None), key=lambda s: s[1])

    def is_quiet(self, at: dt.time) -> bool:
        """Whether the wall-clock time ``at`` falls in the quiet hours (which may span
        midnight: 21:00 to 07:00)."""
        start, end = self.quiet_start, self.quiet_end
        if start is None or end is None or start == end:
            return False
        if start < end:
            return start <= at < end
        return at >= start or at < end

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.quiet_start is not None and self.quiet_start == self.quiet_end:
            errors.setdefault("quiet_end", []).append(
                str(_("Your quiet hours start and end at the same time: choose when they end."))
            )
        if self.enabled and not self.slot_times():
            errors.setdefault("morning", []).append(str(_("Choose at least one time.")))
        for slot, at in self.slot_times():
            if self.is_quiet(at):
                field = "morning" if slot == self.Slot.MORNING else "evening"
                errors.setdefault(field, []).append(
                    str(_("This time is inside your quiet hours; choose another."))
                )
        if errors:
            raise ValidationError(errors)


class ClinicianPreferences(models.Model):
    """What a clinician gets by email (on unless they turn it off). Web push is opt-in: a
    clinician gets alerts on the browsers where they turned them on (``PushSubscription``)."""

    clinician = models.OneToOneField(
        Clinician, on_delete=models.CASCADE, related_name="notify_preferences"
    )
    alert_emails = models.BooleanField(_("email me urgent alerts"), default=True)
    digest_emails = models.BooleanField(
        _("email me a daily digest of unread messages"), default=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("clinician's notification preferences")
        verbose_name_plural = _("clinicians' notification preferences")

    def __str__(self) -> str:
        return str(self.clinician)


class PushSubscription(models.Model):
    """One browser's web-push subscription (``PushManager.subscribe``) for a signed-in user.

    The endpoint is unique: a browser that subscribes again, or that another person signs in
    on, moves to its latest user. Removed when the push service answers 404 or 410, and when
    the browser session that turned it on is signed out (``session_key``; the user signs out
    there or from another browser, changes their password, is deactivated: ``clinic.events``),
    so that a phone someone signs out of and hands on stops showing them their reminders. A
    session that only expires keeps it: the reminders are for people who have not been back.
    """

    USER_AGENT_LENGTH = 200
    SESSION_KEY_LENGTH = 40  # Django's session keys

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(_("endpoint"), max_length=2000, unique=True)
    p256dh = models.CharField(_("public key"), max_length=200)
    auth = models.CharField(_("auth secret"), max_length=100)
    user_agent = models.CharField(_("browser"), max_length=USER_AGENT_LENGTH, blank=True)
    session_key = models.CharField(
        _("browser session"),
        max_length=SESSION_KEY_LENGTH,
        blank=True,
        help_text=_(
            "The signed-in session that turned it on (or last sent it): signing that session "
            "out removes it. Empty for one stored before this was recorded, until the browser "
            "sends it again."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_sent_at = models.DateTimeField(_("last delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    def info(self) -> dict[str, Any]:
        """As ``pywebpush`` takes it (the browser's ``PushSubscription.toJSON()``)."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class Notification(models.Model):
    """One notification to one recipient on one channel, and what became of it."""

    class Kind(models.TextChoices):
        ALERT = "alert", _("Urgent alert")
        ESCALATION = "escalation", _("Alert not yet acknowledged")
        REMINDER = "reminder", _("Exercise reminder")
        REPLY = "reply", _("Reply from the clinic")
        DIGEST = "digest", _("Unread messages")
        REQUEST = "request", _("Questions from the clinic")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Delivered")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Subscription expired")
        CANCELLED = "cancelled", _("Not needed any more")

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text=_("The recipient, when it is a person who signs in."),
    )
    email = models.EmailField(
        _("email address"),
        blank=True,
        help_text=_(
            "An alert contact's address (typed in for the clinic's alerts). Empty for a "
            "person who signs in: their email goes to the address they have when it is sent."
        ),
    )
    patient = models.ForeignKey(
        Patient,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text=_("The patient it is about (none for a digest)."),
    )
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "kind", "created_at"], name="notify_by_patient"),
            models.Index(
                fields=["next_attempt_at"], condition=Q(state="queued"), name="notify_queued"
            ),
            models.Index(fields=["alert", "kind"], name="notify_by_alert"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "sent", "failed", "expired", "cancelled"]),
                name="notify_notification_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["push", "email"]),
                name="notify_notification_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email=""),
                name="notify_notification_has_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.channel}): {self.get_state_display()}"


# The notices to the patient (their reminders and the clinic's replies and requests: their
# settings, their quiet hours, their history); the other kinds go to the clinic's people.
PATIENT_KINDS = (Notification.Kind.REMINDER, Notification.Kind.REPLY, Notification.Kind.REQUEST)


class AlertEscalation(models.Model):
    """When an urgent alert goes to the clinic admins if nobody has acknowledged it: the
    clinic's escalation time, counted in its opening hours from when the alert was raised."""

    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, related_name="escalation")
    due_at = models.DateTimeField(_("escalate at"))
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert escalation")
        verbose_name_plural = _("alert escalations")
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(escalated_at__isnull=True),
                name="notify_escalate_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} at {self.due_at:%Y-%m-%d %H:%M}"
