"""Messages: a patient's thread with the clinic. A message is stored once however often it
is sent; the other side's messages are marked read."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import Message, Patient, User

# The same text from the same author within this window is a double submit, not a new message.
MESSAGE_DUPLICATE_WINDOW = dt.timedelta(seconds=10)


def _message_sent_before(
    *, patient: Patient, author: User | None, from_patient: bool, client_uuid: uuid.UUID
) -> Message | None:
    """The message of the thread that ``client_uuid`` stored, if any (a retry). The id of
    another author's message is refused: it is no retry of theirs."""
    try:
        stored = Message.objects.get(patient=patient, client_uuid=client_uuid)
    except Message.DoesNotExist:
        return None
    if stored.author_id != (author.pk if author else None) or stored.from_patient != from_patient:
        raise ValidationError(
            {
                "client_uuid": ValidationError(
                    _("This id is already in use."), code="client_uuid_in_use"
                )
            }
        )
    return stored


@transaction.atomic
def message_send(
    *,
    patient: Patient,
    author: User | None,
    body: str,
    from_patient: bool,
    client_uuid: uuid.UUID | None = None,
) -> tuple[Message, bool]:
    """Add a message to the patient's thread. Returns ``(message, created)``.

    Sent again with the same ``client_uuid`` (the message form's, the Today page's outbox's, an
    API client's), however late, it returns the message that id stored instead of a second.
    Without one (an older client), an identical message from the same author within ten
    seconds (a double-submitted form) returns the first one instead.
    """
    body = (body or "").strip()
    # Serialise sends to one thread so two identical submits cannot both pass the check.
    locked = Patient.objects.select_for_update().filter(pk=patient.pk).first()
    (locked or patient).check_not_erased()
    now = timezone.now()
    if client_uuid is not None:
        stored = _message_sent_before(
            patient=patient, author=author, from_patient=from_patient, client_uuid=client_uuid
        )
        if stored is not None:
            return stored, False
    else:
        duplicate = (
            Message.objects.filter(
                patient=patient,
                author=author,
                from_patient=from_patient,
                body=body,
                created_at__gte=now - MESSAGE_DUPLICATE_WINDOW,
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if body and duplicate is not None:
            return duplicate, False
    message = Message(
        patient=patient,
        author=author,
        from_patient=from_patient,
        body=body,
        created_at=now,
        client_uuid=client_uuid,
    )
    message.full_clean()
    message.save()
    return message, True


def messages_mark_read(
    *,
    patient: Patient,
    reader: User,
    reader_is_patient: bool,
    shown: Iterable[Message] | None = None,
    up_to: int | None = None,
) -> int:
    """Mark the other side's unread messages in the thread read by ``reader`` (the signed-in
    user: when and by whom, ``read_at`` and ``read_by``); returns how many. A message read
    already keeps its first reader. ``shown``: the thread the reader was shown; only its
    unread messages of the other side are marked (one sent since stays unread, never marked
    read unseen), and none is written when it has none; ``up_to``: only those up to this one
    (the last shown), for an app that does not send each id; one that is no message of the
    thread is refused (``unknown_message``) and nothing is marked: taken as a bound, a newer
    message of another thread, or an id of no row, would mark read messages nobody was shown."""
    if up_to is not None and not Message.objects.filter(patient=patient, pk=up_to).exists():
        raise ValidationError(
            {"up_to": ValidationError(_("No such message in this thread."), code="unknown_message")}
        )
    rows = Message.objects.unread(by_patient=reader_is_patient).filter(patient=patient)
    if shown is not None:
        unread = [m.pk for m in shown if m.from_patient != reader_is_patient and m.read_at is None]
        if not unread:
            return 0
        rows = rows.filter(pk__in=unread)
    if up_to is not None:
        rows = rows.filter(pk__lte=up_to)
    with transaction.atomic():  # not entered when nothing shown is unread: no write at all
        return rows.update(read_at=timezone.now(), read_by=reader)
