"""Claiming a notification: one row per recipient, kind, slot and channel, inserted under a
unique key (the insert is the claim), and its job enqueued in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import IntegrityError, transaction

from clinic.models import Patient
from notify.models import Channel, Notification
from notify.recipients import Recipient
from rehab.models.alerts import Alert

Enqueue = Callable[[int], object]


def is_urgent(alert: Alert) -> bool:
    """Urgent alerts (``NOTIFY_URGENT_ALERT_KINDS``: a red flag, pain ≥ 7, a paused plan)
    go to the clinic at once and escalate when nobody acknowledges them."""
    return alert.kind in settings.NOTIFY_URGENT_ALERT_KINDS


def claim(*, key: str, **fields: object) -> Notification | None:
    """Insert the notification under ``key``; None if another run has it already."""
    try:
        with transaction.atomic():  # a savepoint: a refused insert leaves the caller's usable
            return Notification.objects.create(key=key, **fields)
    except IntegrityError:
        if Notification.objects.filter(key=key).exists():
            return None
        raise


def claim_each(
    *,
    kind: str,
    slot: str,
    recipient: Recipient,
    channels: Iterable[str],
    enqueue: Enqueue,
    patient: Patient | None = None,
    alert: Alert | None = None,
) -> list[int]:
    """Claim a notification of ``kind`` for ``slot`` to ``recipient`` on each of ``channels``
    it can be reached by (an email address, a push subscription), and enqueue each claimed.
    The row names the person (``user``) and keeps no copy of their address.
    Returns the ids claimed (none for a slot already claimed)."""
    claimed = []
    for channel in channels:
        if channel == Channel.EMAIL and not recipient.email:
            continue
        if channel == Channel.PUSH and (recipient.user is None or not recipient.push):
            continue
        notification = claim(
            key=f"{kind}:{slot}:{recipient.key}:{channel}",
            kind=kind,
            channel=channel,
            user=recipient.user,
            # A person's address is looked up when the email is sent (they may correct it
            # meanwhile); only an alert contact's, typed in for this, is kept.
            email=recipient.email if channel == Channel.EMAIL and recipient.user is None else "",
            patient=patient,
            alert=alert,
        )
        if notification is not None:
            enqueue(notification.pk)
            claimed.append(notification.pk)
    return claimed
