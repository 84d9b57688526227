"""Sending one claimed notification and recording what became of it.

A delivery job first takes a short lease on the row (an UPDATE that only one job can win),
so two jobs for one notification send it once. A temporary fault (SMTP down, a push service
that times out or answers 5xx) leaves it queued with a back-off; after ``MAX_ATTEMPTS`` it is
"failed", as is one whose ``MAX_ATTEMPTS`` tries never finished (a job that raised or a worker
that died, each picked up again by ``planning.stuck``). A push subscription the service no
longer knows (404, 410) is removed.

Every try (the first, or a retry) asks again whether the notification may go now: a patient's
reminder or reply notice they have since turned off (or unsubscribed from) is cancelled, as is
an email to someone with no address to send to any more (``recipients.email_address``: the
address is the one the person has now, not when it was queued), as is
a clinician's digest they turned off, and a reminder in the patient's quiet hours or past its
late limit; a reply notice waits for the end of their quiet hours
(``planning.patient_timing``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db.models import F, Q
from django.utils import timezone, translation

from clinic.models import Message, Patient
from notify import channels, content, planning, recipients
from notify.channels import Outcome, Result
from notify.models import (
    Channel,
    ClinicianPreferences,
    Notification,
    PushSubscription,
    ReminderSettings,
)

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)  # far longer than a send can take (timeouts of 10 s)
MAX_ATTEMPTS = 5
FIRST_BACKOFF = dt.timedelta(seconds=30)


def backoff(attempt: int) -> dt.timedelta:
    """30 s, 2 min, 8 min, 32 min: about three quarters of an hour in all."""
    return FIRST_BACKOFF * 4 ** (attempt - 1)


def _take(pk: int, now: dt.datetime) -> bool:
    return bool(
        Notification.objects.filter(pk=pk, state=Notification.State.QUEUED)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .update(locked_until=now + LEASE, attempts=F("attempts") + 1)
    )


OPTED_OUT = "the patient turned these off"


def _still_wanted(notification: Notification, patient: Patient) -> bool:
    """Whether the patient still wants a reminder, reply or request notice on its channel:
    they may have turned it off, or unsubscribed from its emails, since it was queued (a
    retry after a fault comes minutes later)."""
    if notification.kind == Notification.Kind.REMINDER:
        row = ReminderSettings.objects.filter(patient=patient).first()
        chosen = (
            row.channels_for("channel", push=channels.push_enabled())
            if row is not None and row.enabled
            else []
        )
    else:
        chosen = planning.notice_channels(planning.notice_settings(patient), notification.kind)
    return notification.channel in chosen


def _patient_not_needed(notification: Notification, now: dt.datetime) -> str:
    """Why a patient's reminder, reply or request notice should no longer go out (empty: it
    should)."""
    patient = notification.patient
    assert patient is not None
    if not _still_wanted(notification, patient):
        return OPTED_OUT
    if notification.kind == Notification.Kind.REMINDER:
        if not planning.exercises_waiting(patient, patient.local_today()):
            return "exercises done or no longer due"
        return planning.patient_timing(notification, now)[0]
    if patient.status != Patient.Status.ACTIVE:
        return "the patient's care has ended"
    if notification.kind == Notification.Kind.REQUEST:
        return "" if planning.request_open(patient) else "questions answered or no longer asked"
    unread = Message.objects.unread(by_patient=True).filter(patient=patient)
    return "" if unread.exists() else "replies read"


def _not_needed(notification: Notification, now: dt.datetime) -> str:
    """Why the notification should no longer go out (empty: it should)."""
    kind = notification.kind
    if notification.user is not None and not notification.user.is_active:
        return "recipient inactive"
    if notification.channel == Channel.EMAIL and not recipients.email_address(notification):
        return "no address to send to any more"
    if kind in (Notification.Kind.ALERT, Notification.Kind.ESCALATION):
        alert = notification.alert
        if alert is None or alert.acknowledged_at is not None:
            return "alert acknowledged"
    elif kind == Notification.Kind.REMINDER or kind in planning.NOTICE_KINDS:
        return _patient_not_needed(notification, now)
    elif (  # a digest the clinician turned off since it was queued
        kind == Notification.Kind.DIGEST
        and notification.user_id is not None
        and ClinicianPreferences.objects.filter(
            clinician__user_id=notification.user_id, digest_emails=False
        ).exists()
    ):
        return "the clinician turned the digest off"
    return ""


def _extra(notification: Notification) -> dict[str, Any] | None:
    if notification.kind != Notification.Kind.DIGEST:
        return {}
    clinician = getattr(notification.user, "clinician", None)
    if clinician is None:
        return None
    names = planning.unread_first_names(clinician.clinic)
    return {"first_names": names} if names else None


def _push(notification: Notification, payload: dict[str, Any], ttl: int) -> Result:
    subscriptions = list(PushSubscription.objects.filter(user=notification.user))
    if not subscriptions:
        return Result(Outcome.EXPIRED, "no browser subscribed")
    results = []
    for subscription in subscriptions:
        result = channels.send_push(subscription, payload, ttl=ttl)
        if result.outcome == Outcome.EXPIRED:
            subscription.delete()
        elif result.outcome == Outcome.SENT:
            PushSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=timezone.now())
        results.append(result)
    for outcome in (Outcome.SENT, Outcome.RETRY, Outcome.FAILED):
        found = next((r for r in results if r.outcome == outcome), None)
        if found is not None:
            return found
    return results[0]  # every subscription expired


def _ttl(notification: Notification, now: dt.datetime) -> int:
    """How long a push service may keep the message for a phone that is off: a patient's
    reminder or reply notice only until its late limit or their quiet hours
    (``planning.patient_deadline``)."""
    ttl = content.TTL_SECONDS[Notification.Kind(notification.kind)]
    deadline = planning.patient_deadline(notification, now)
    if deadline is not None:
        ttl = max(0, min(ttl, int((deadline - now).total_seconds())))
    return ttl


def _send(notification: Notification, now: dt.datetime) -> Result | None:
    """Send it; None when there is nothing to say any more (a digest with no unread)."""
    extra = _extra(notification)
    if extra is None:
        return None
    with translation.override(content.language_of(notification)):
        words = content.compose(notification, extra=extra)
        if notification.channel == Channel.EMAIL:
            to = recipients.email_address(notification)  # now: they may have corrected it
            if not to:
                return None
            return channels.send_email(content.email(notification, words, to=to))
        return _push(
            notification, content.push_payload(notification, words), _ttl(notification, now)
        )


def _finish(notification: Notification, state: str, error: str, now: dt.datetime) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        state=state, error=error[:200], finished_at=now, locked_until=None
    )


def deliver(pk: int) -> dt.datetime | None:
    """Send notification ``pk`` if it is still queued, nobody else is sending it and it may
    go now. Returns when to try again (after a temporary fault, or when the patient's quiet
    hours end), else None."""
    now = timezone.now()
    if not _take(pk, now):
        return None
    notification = Notification.objects.select_related(
        "user", "patient__clinic", "patient__user", "alert"
    ).get(pk=pk)
    if notification.attempts > MAX_ATTEMPTS:  # each try crashed or its worker died: give up
        logger.warning("notification %s failed: %s tries never finished", pk, MAX_ATTEMPTS)
        _finish(notification, Notification.State.FAILED, "the send never finished", now)
        return None
    reason = _not_needed(notification, now)
    if not reason:
        later = planning.patient_timing(notification, now)[1]
        if later is not None:  # the patient's quiet hours: nothing tried, it goes at their end
            Notification.objects.filter(pk=pk).update(
                next_attempt_at=later, locked_until=None, attempts=F("attempts") - 1
            )
            logger.info("notification %s: quiet hours, at %s", pk, later.isoformat())
            return later
    result = None if reason else _send(notification, now)
    now = timezone.now()
    if result is None:
        _finish(notification, Notification.State.CANCELLED, reason or "nothing to say", now)
        return None
    if result.outcome == Outcome.SENT:
        _finish(notification, Notification.State.SENT, "", now)
    elif result.outcome == Outcome.EXPIRED:
        _finish(notification, Notification.State.EXPIRED, result.error, now)
    elif result.outcome == Outcome.FAILED or notification.attempts >= MAX_ATTEMPTS:
        logger.warning("notification %s failed: %s", pk, result.error)
        _finish(notification, Notification.State.FAILED, result.error, now)
    else:
        retry_at = now + backoff(notification.attempts)
        retry_at = planning.patient_timing(notification, retry_at)[1] or retry_at
        Notification.objects.filter(pk=pk).update(
            error=result.error[:200], next_attempt_at=retry_at, locked_until=None
        )
        logger.info("notification %s: %s, again at %s", pk, result.error, retry_at.isoformat())
        return retry_at
    return None
