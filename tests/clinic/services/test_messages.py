"""clinic.services.messages: a patient's thread, stored once, marked read."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.models import Clinician, Message, Patient
from clinic.services import messages as message_services
from tests import factories


def test_message_send(patient: Patient) -> None:
    message, created = message_services.message_send(
        patient=patient, author=patient.user, body="  Is swelling normal?  ", from_patient=True
    )
    assert created
    assert message.body == "Is swelling normal?"
    assert message.read_at is None
    assert message.client_uuid is None


def test_message_send_refuses_an_empty_body(patient: Patient) -> None:
    with pytest.raises(ValidationError):
        message_services.message_send(
            patient=patient, author=patient.user, body="   ", from_patient=True
        )
    assert not Message.objects.exists()


def test_message_double_submit_makes_one_row(patient: Patient) -> None:
    first, created = message_services.message_send(
        patient=patient, author=patient.user, body="Hello", from_patient=True
    )
    second, created_again = message_services.message_send(
        patient=patient, author=patient.user, body="Hello", from_patient=True
    )
    assert (created, created_again) == (True, False)
    assert first == second
    assert Message.objects.count() == 1


def test_message_same_body_after_ten_seconds_is_new(patient: Patient) -> None:
    message_services.message_send(
        patient=patient, author=patient.user, body="Thanks", from_patient=True
    )
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=11)):
        message_services.message_send(
            patient=patient, author=patient.user, body="Thanks", from_patient=True
        )
    assert Message.objects.count() == 2


def test_message_same_body_by_another_author_is_new(patient: Patient, clinician: Clinician) -> None:
    message_services.message_send(
        patient=patient, author=patient.user, body="OK", from_patient=True
    )
    message_services.message_send(
        patient=patient, author=clinician.user, body="OK", from_patient=False
    )
    assert Message.objects.count() == 2


def test_a_message_sent_again_with_its_client_id_is_stored_once_however_late(
    patient: Patient,
) -> None:
    """From review: a retry (the same ``client_uuid``) after the ten-second window, as the
    Today page's outbox sends its note again on its next 30-second flush when the answer was
    lost, returns the stored message instead of a second one."""
    client_uuid = uuid.uuid4()
    first, created = message_services.message_send(
        patient=patient, author=patient.user, body="Hi", from_patient=True, client_uuid=client_uuid
    )
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        again, created_again = message_services.message_send(
            patient=patient,
            author=patient.user,
            body="Hi",
            from_patient=True,
            client_uuid=client_uuid,
        )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert first.client_uuid == client_uuid
    assert Message.objects.count() == 1


def test_messages_with_their_own_client_ids_are_two_even_with_the_same_text(
    patient: Patient,
) -> None:
    """With a client id, the id decides: the same text sent twice on purpose (two ids) is two
    messages, even within ten seconds."""
    for _ in range(2):
        message_services.message_send(
            patient=patient,
            author=patient.user,
            body="Thanks",
            from_patient=True,
            client_uuid=uuid.uuid4(),
        )
    assert Message.objects.count() == 2


def test_a_client_id_is_unique_in_a_thread_not_across_threads(
    patient: Patient, other_patient: Patient, clinician: Clinician
) -> None:
    """Another author's id in the thread is refused (no retry of theirs); another thread may
    hold the same id."""
    client_uuid = uuid.uuid4()
    message_services.message_send(
        patient=patient, author=patient.user, body="Hi", from_patient=True, client_uuid=client_uuid
    )
    with pytest.raises(ValidationError) as excinfo:
        message_services.message_send(
            patient=patient,
            author=clinician.user,
            body="Hello",
            from_patient=False,
            client_uuid=client_uuid,
        )
    assert excinfo.value.error_dict["client_uuid"][0].code == "client_uuid_in_use"
    _other, created = message_services.message_send(
        patient=other_patient,
        author=other_patient.user,
        body="Hi",
        from_patient=True,
        client_uuid=client_uuid,
    )
    assert created
    assert Message.objects.count() == 2


def test_two_messages_with_one_client_id_in_a_thread_are_refused_by_the_database(
    patient: Patient,
) -> None:
    client_uuid = uuid.uuid4()
    factories.MessageFactory(patient=patient, client_uuid=client_uuid)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.MessageFactory(patient=patient, client_uuid=client_uuid)
    factories.MessageFactory(patient=patient, client_uuid=None)
    factories.MessageFactory(patient=patient, client_uuid=None)  # no id: no limit


def test_messages_mark_read_marks_the_other_side(patient: Patient, clinician: Clinician) -> None:
    from_patient = factories.MessageFactory(patient=patient)
    from_clinic = factories.MessageFactory(
        patient=patient, author=clinician.user, from_patient=False
    )
    assert (
        message_services.messages_mark_read(
            patient=patient, reader=clinician.user, reader_is_patient=False
        )
        == 1
    )
    from_patient.refresh_from_db()
    from_clinic.refresh_from_db()
    assert from_patient.read_at is not None
    assert from_clinic.read_at is None
    assert (
        message_services.messages_mark_read(
            patient=patient, reader=patient.user, reader_is_patient=True
        )
        == 1
    )
    from_clinic.refresh_from_db()
    assert from_clinic.read_at is not None


def test_messages_mark_read_keeps_who_read_them(
    patient: Patient, clinician: Clinician, colleague: Clinician
) -> None:
    """Who read a message is kept beside when (``read_by``); a message read before stays as
    it was (read, by nobody stored: nobody is invented), and reading again changes nothing."""
    earlier = factories.MessageFactory(patient=patient, read_at=timezone.now())
    waiting = factories.MessageFactory(patient=patient)
    message_services.messages_mark_read(
        patient=patient, reader=clinician.user, reader_is_patient=False
    )
    message_services.messages_mark_read(
        patient=patient, reader=colleague.user, reader_is_patient=False
    )
    earlier.refresh_from_db()
    waiting.refresh_from_db()
    assert (earlier.read_at is not None, earlier.read_by) == (True, None)
    assert (waiting.read_at is not None, waiting.read_by) == (True, clinician.user)
    unread = factories.MessageFactory(patient=patient)
    assert unread.read_by is None
