"""The clinicians' daily digest of unread patient messages, at each clinic's time on the days
it is open."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from clinic.models import Clinic
from notify import hours, recipients
from notify.models import Channel, Notification
from notify.planning.claims import Enqueue, claim_each
from rehab.selectors.clinician import patients_with_unread_messages

DIGEST_WINDOW = dt.timedelta(minutes=30)  # the digest goes in the half hour after its time


def unread_first_names(clinic: Clinic) -> list[str]:
    """The first names of the clinic's patients with unread messages (longest waiting
    first): all a digest says about them."""
    return [p.first_name for p in patients_with_unread_messages(clinic.pk).only("first_name")]


def digests_due(now: dt.datetime, *, enqueue: Enqueue) -> list[int]:
    """At each clinic's digest time, on the days it is open: each clinician who has not
    turned it off gets one email if patients' messages are waiting."""
    claimed: list[int] = []
    for clinic in Clinic.objects.all():
        tz = hours.tz_of(clinic)
        day = now.astimezone(tz).date()
        at = hours.local_instant(day, clinic.message_digest_time, tz)
        if not at <= now < at + DIGEST_WINDOW:
            continue
        if hours.has_hours(clinic) and not clinic.opening_hours[day.weekday()]:
            continue
        slot = f"c{clinic.pk}:{day.isoformat()}"
        if Notification.objects.filter(
            kind=Notification.Kind.DIGEST, key__startswith=f"digest:{slot}:"
        ).exists():
            continue  # sent (or being sent) today: nothing to decide again
        if not unread_first_names(clinic):
            continue
        with transaction.atomic():
            for recipient in recipients.digest_recipients(clinic):
                claimed += claim_each(
                    kind=Notification.Kind.DIGEST,
                    slot=slot,
                    recipient=recipient,
                    channels=(Channel.EMAIL,),
                    enqueue=enqueue,
                )
    return claimed
