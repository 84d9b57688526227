"""Writes people make: their reminder settings, a browser's push subscription, a clinician's
email preferences, the clinic's notification settings, a one-click unsubscribe."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import Clinic, Clinician, Patient, User
from notify import channels, planning, tokens
from notify.models import (
    PATIENT_KINDS,
    ChannelChoice,
    ClinicianPreferences,
    Notification,
    PushSubscription,
    ReminderSettings,
)

P256DH_BYTES = 65  # an uncompressed P-256 point
AUTH_BYTES = 16


def reminder_settings_for(patient: Patient) -> ReminderSettings:
    """The patient's settings, or unsaved defaults (reminders off)."""
    row = ReminderSettings.objects.filter(patient=patient).first()
    return row or ReminderSettings(patient=patient)


@transaction.atomic
def reminder_settings_save(
    *, patient: Patient, timezone_name: str | None = None, **fields: Any
) -> ReminderSettings:
    """Save the patient's reminder and reply settings and, if given, their time zone; the
    next reminder is scheduled from now. One save of a patient's settings at a time (the
    patient's row is locked first): the first two sent at once would both add a row."""
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    if timezone_name and timezone_name != patient.timezone:
        patient.timezone = timezone_name
        patient.full_clean(validate_unique=False, validate_constraints=False)
        patient.save(update_fields=["timezone", "updated_at"])
    row = ReminderSettings.objects.select_for_update().filter(patient=patient).first()
    row = row or ReminderSettings(patient=patient)
    allowed = {"enabled", "morning", "evening", "days", "channel", "quiet_start", "quiet_end"}
    unknown = set(fields) - allowed - {"replies", "requests"}
    if unknown:
        raise ValidationError(_("These settings do not exist: %s") % ", ".join(sorted(unknown)))
    for name, value in fields.items():
        setattr(row, name, value)
    row.patient = patient
    planning.reschedule(row, after=timezone.now())
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def patient_timezone_changed(*, patient: Patient) -> None:
    """The patient's time zone (or status) changed: their next reminder moves with it."""
    row = ReminderSettings.objects.select_for_update().filter(patient=patient).first()
    if row is None:
        return
    row.patient = patient
    planning.reschedule(row, after=timezone.now())
    row.save(update_fields=["next_reminder_at", "next_slot", "next_slot_date", "updated_at"])


@transaction.atomic
def patient_forgotten(*, patient: Patient) -> None:
    """An erased patient: their reminder settings, their browsers' subscriptions and every
    notification addressed to them (which held their email address) go."""
    ReminderSettings.objects.filter(patient=patient).delete()
    if patient.user_id is not None:
        PushSubscription.objects.filter(user_id=patient.user_id).delete()
        Notification.objects.filter(user_id=patient.user_id).delete()
    Notification.objects.filter(patient=patient, kind__in=PATIENT_KINDS).delete()


def _decoded_length(value: str) -> int:
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (binascii.Error, ValueError):
        return -1


@transaction.atomic
def push_subscribe(
    *,
    user: User,
    endpoint: str,
    p256dh: str,
    auth: str,
    user_agent: str = "",
    session_key: str = "",
) -> PushSubscription:
    """Store this browser's subscription for ``user`` and the signed-in session that sent it
    (``session_key``: signing it out removes the subscription). A browser that subscribes
    again, or that someone else now signs in on, keeps one row: the latest user's and
    session's."""
    errors: dict[str, str] = {}
    if not channels.push_endpoint_allowed(endpoint):
        errors["endpoint"] = _("This browser's push service is not supported.")
    if _decoded_length(p256dh) != P256DH_BYTES or not channels.push_key_usable(p256dh):
        errors["p256dh"] = _("The browser sent an unusable key.")
    if _decoded_length(auth) != AUTH_BYTES:
        errors["auth"] = _("The browser sent an unusable key.")
    if errors:
        raise ValidationError(errors)
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "user": user,
            "p256dh": p256dh,
            "auth": auth,
            "user_agent": user_agent[: PushSubscription.USER_AGENT_LENGTH],
            "session_key": session_key[: PushSubscription.SESSION_KEY_LENGTH],
        },
    )
    return subscription


def push_unsubscribe(*, user: User, endpoint: str) -> bool:
    """Forget one of the user's browsers; another person's subscription is never touched."""
    deleted, _detail = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return bool(deleted)


def push_sessions_signed_out(*, user: User, session_keys: Collection[str]) -> int:
    """``user`` was signed out of these browser sessions: the browsers stop getting their
    notifications. Only ``user``'s subscriptions go (a browser someone else has signed in on
    since is theirs now). Returns how many went."""
    keys = [key for key in session_keys if key]
    if not keys:
        return 0
    deleted, _detail = PushSubscription.objects.filter(user=user, session_key__in=keys).delete()
    return int(deleted)


def push_session_key_changed(*, user: User, old_key: str, new_key: str) -> int:
    """The user's session in a browser got a new key (a password change): the browser's
    subscription follows it. Returns how many moved."""
    if not old_key or not new_key:
        return 0
    return PushSubscription.objects.filter(user=user, session_key=old_key).update(
        session_key=new_key
    )


@transaction.atomic
def clinician_preferences_save(
    *, clinician: Clinician, alert_emails: bool, digest_emails: bool
) -> ClinicianPreferences:
    preferences, _created = ClinicianPreferences.objects.update_or_create(
        clinician=clinician,
        defaults={"alert_emails": alert_emails, "digest_emails": digest_emails},
    )
    return preferences


def _email_choice(value: str) -> str:
    """The choice without email: both → push, email → off."""
    return {
        ChannelChoice.BOTH: ChannelChoice.PUSH,
        ChannelChoice.EMAIL: ChannelChoice.OFF,
    }.get(ChannelChoice(value), value)


def _unsubscribe_contact(request: tokens.Unsubscribe) -> bool:
    if request.clinic_id is None:
        return False
    clinic = Clinic.objects.lock(request.clinic_id)
    if clinic is None:
        return False
    kept = [a for a in clinic.alert_emails if not request.went_to(a)]
    if kept == clinic.alert_emails:
        return False
    clinic.alert_emails = kept
    clinic.save(update_fields=["alert_emails"])
    return True


def _sent_to_someone_else(request: tokens.Unsubscribe, address: str) -> bool:
    """The link's email went to an address that is no longer the person's (it was corrected):
    whoever holds it may not change the person's settings."""
    return bool(request.sent_to) and not request.went_to(address)


def _unsubscribe_clinician(request: tokens.Unsubscribe) -> bool:
    if request.user_id is None:
        return False
    clinician = Clinician.objects.filter(user_id=request.user_id).select_related("user").first()
    if clinician is None or _sent_to_someone_else(request, clinician.user.email):
        return False
    field = "alert_emails" if request.topic == tokens.Topic.ALERTS else "digest_emails"
    preferences, _created = ClinicianPreferences.objects.get_or_create(clinician=clinician)
    if not getattr(preferences, field):
        return False
    setattr(preferences, field, False)
    preferences.save(update_fields=[field, "updated_at"])
    return True


def _unsubscribing_patient(request: tokens.Unsubscribe) -> Patient | None:
    """The patient the link is for (their row locked), unless its email went to an address
    that is no longer theirs."""
    if request.user_id is None:
        return None
    patient = (
        Patient.objects.select_for_update(of=("self",))
        .filter(user_id=request.user_id)
        .select_related("user")
        .first()
    )
    if patient is None:
        return None
    assert patient.user is not None  # found by its user
    if _sent_to_someone_else(request, patient.email or patient.user.email):
        return None
    return patient


def _unsubscribe_patient(request: tokens.Unsubscribe) -> bool:
    patient = _unsubscribing_patient(request)
    if patient is None:
        return False
    row = ReminderSettings.objects.select_for_update().filter(patient=patient).first()
    if row is None:  # never saved: the defaults (request notices by email) were in force
        if request.topic != tokens.Topic.REQUESTS:
            return False
        row = ReminderSettings(patient=patient)
    row.patient = patient
    if request.topic == tokens.Topic.REMINDERS:
        if not row.enabled or row.channel == ChannelChoice.PUSH:
            return False
        choice = _email_choice(row.channel)
        if choice == ChannelChoice.OFF:
            row.enabled = False
        else:
            row.channel = choice
        planning.reschedule(row, after=timezone.now())
    else:
        field = "replies" if request.topic == tokens.Topic.REPLIES else "requests"
        chosen = getattr(row, field)
        if chosen in (ChannelChoice.OFF, ChannelChoice.PUSH):
            return False
        setattr(row, field, _email_choice(chosen))
    row.save()
    return True


@transaction.atomic
def unsubscribe(request: tokens.Unsubscribe) -> bool:
    """Stop the emails the token names. Returns False if there is nothing to stop (already
    done, or the person or address is gone): the page says so, nothing fails."""
    if request.topic == tokens.Topic.CONTACT:
        return _unsubscribe_contact(request)
    if request.topic in (tokens.Topic.ALERTS, tokens.Topic.DIGEST):
        return _unsubscribe_clinician(request)
    return _unsubscribe_patient(request)
