"""Messages (a thread per patient, written by both sides) and alerts (clinicians)."""

from __future__ import annotations

import datetime as dt
import uuid

import time_machine

from clinic.models import Message
from core.ids import opaque
from rehab.models import Alert
from tests import factories
from tests.api.conftest import World, assert_matrix, body

MESSAGES = "/api/v1/messages/"
ALERTS = "/api/v1/alerts/"


def test_message_list_matrix_and_scope(world: World) -> None:
    mine = factories.MessageFactory(patient=world.patient)
    factories.MessageFactory(patient=world.stranger)
    assert_matrix(
        world,
        "get",
        MESSAGES,
        {"anonymous": 401, "patient": 200, "clinician": 200, "other_clinician": 200, "staff": 403},
    )
    assert [m["id"] for m in body(world.client("patient").get(MESSAGES))["results"]] == [
        opaque(mine.pk)
    ]
    assert body(world.client("other_patient").get(MESSAGES))["results"] == []
    clinic = world.client("clinician")
    thread = body(clinic.get(MESSAGES, {"patient": opaque(world.patient.pk)}))["results"]
    assert [m["id"] for m in thread] == [opaque(mine.pk)]
    assert clinic.get(MESSAGES, {"patient": opaque(world.stranger.pk)}).status_code == 404
    patient_side = world.client("patient").get(
        MESSAGES, {"patient": opaque(world.other_patient.pk)}
    )
    assert patient_side.status_code == 404


def test_patient_and_clinician_write_in_the_thread(world: World) -> None:
    response = world.client("patient").post(MESSAGES, {"body": "Swollen ankle?"}, format="json")
    assert response.status_code == 201, response.content
    assert body(response)["from_patient"] is True
    response = world.client("colleague").post(
        MESSAGES, {"patient": opaque(world.patient.pk), "body": "Raise it."}, format="json"
    )
    assert response.status_code == 201
    assert body(response)["from_patient"] is False
    assert Message.objects.filter(patient=world.patient).count() == 2
    response = world.client("patient").post("/api/v1/messages/read/", {}, format="json")
    assert body(response) == {"marked": 1}


def test_marking_read_keeps_who_read_them(world: World) -> None:
    """``POST /messages/read/`` keeps who read each message (``read_by``), the signed-in
    user, as the clinician's thread page does."""
    question = factories.MessageFactory(patient=world.patient, from_patient=True)
    reply = factories.MessageFactory(
        patient=world.patient, author=world.clinician.user, from_patient=False
    )
    response = world.client("colleague").post(
        MESSAGES + "read/", {"patient": opaque(world.patient.pk)}, format="json"
    )
    assert body(response) == {"marked": 1}
    response = world.client("patient").post(MESSAGES + "read/", {}, format="json")
    assert body(response) == {"marked": 1}
    question.refresh_from_db()
    reply.refresh_from_db()
    assert (question.read_by, reply.read_by) == (world.colleague.user, world.patient.user)


def test_marking_read_up_to_the_last_message_shown_leaves_a_newer_one_unread(
    world: World,
) -> None:
    """``POST /messages/read/`` with ``up_to`` (the last message the app showed) marks only
    messages up to it: one the patient sent after the app read the thread stays new for the
    clinic, never marked read unseen."""
    shown = factories.MessageFactory(patient=world.patient, from_patient=True)
    late = factories.MessageFactory(patient=world.patient, from_patient=True)
    response = world.client("colleague").post(
        MESSAGES + "read/",
        {"patient": opaque(world.patient.pk), "up_to": opaque(shown.pk)},
        format="json",
    )
    assert body(response) == {"marked": 1}
    shown.refresh_from_db()
    late.refresh_from_db()
    assert shown.read_at is not None
    assert (late.read_at, late.read_by) == (None, None)


def test_marking_read_up_to_a_message_of_no_thread_of_yours_is_a_400_and_marks_nothing(
    world: World,
) -> None:
    """``up_to`` names the last message the app showed: one of another thread (the next
    patient's, another clinic's) or an id that names no message is bad input, not a bound to
    count up to. Taken as a number it marked read messages nobody was shown: with a newer
    message of another thread, or a well-formed id of no row, every unread message."""
    unread = factories.MessageFactory(patient=world.patient, from_patient=True)
    elsewhere = factories.MessageFactory(patient=world.stranger, from_patient=True)
    for up_to in (opaque(elsewhere.pk), opaque(10**17)):
        response = world.client("colleague").post(
            MESSAGES + "read/",
            {"patient": opaque(world.patient.pk), "up_to": up_to},
            format="json",
        )
        assert response.status_code == 400, response.content
        assert body(response)["codes"] == {"up_to": ["unknown_message"]}
    unread.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (unread.read_at, elsewhere.read_at) == (None, None)


def test_the_clinic_reads_who_read_a_message_the_patient_does_not(world: World) -> None:
    # As the clinician's thread page says "Read by X": the clinic's answer names who read the
    # patient's message (null for one read before that was kept); the patient's has null.
    question = factories.MessageFactory(patient=world.patient, from_patient=True)
    older = factories.MessageFactory(patient=world.patient, from_patient=True)
    reply = factories.MessageFactory(
        patient=world.patient, author=world.clinician.user, from_patient=False
    )
    world.client("colleague").post(
        MESSAGES + "read/", {"patient": opaque(world.patient.pk)}, format="json"
    )
    world.client("patient").post(MESSAGES + "read/", {}, format="json")
    Message.objects.filter(pk=older.pk).update(read_by=None)  # read before read_by was kept
    thread = body(world.client("clinician").get(MESSAGES, {"patient": opaque(world.patient.pk)}))
    names = {m["id"]: m["read_by_name"] for m in thread["results"]}
    assert names == {
        opaque(question.pk): world.colleague.user.full_name,
        opaque(older.pk): None,
        opaque(reply.pk): None,  # the clinic's own message: read by the patient ("read_at")
    }
    own = body(world.client("patient").get(MESSAGES))["results"]
    assert [m["read_by_name"] for m in own] == [None, None, None]


def test_a_message_retried_with_its_client_uuid_answers_the_stored_one(world: World) -> None:
    """From review: the API had no idempotency key. With ``client_uuid``, a retry answers the
    stored message (200), however late; the same id in another author's message is refused."""
    patient = world.client("patient")
    data = {"body": "Is the swelling normal?", "client_uuid": str(uuid.uuid4())}
    first = patient.post(MESSAGES, data, format="json")
    assert first.status_code == 201, first.content
    assert body(first)["client_uuid"] == data["client_uuid"]
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)):
        again = patient.post(MESSAGES, data, format="json")
    assert (again.status_code, again.json()) == (200, first.json())
    refused = world.client("colleague").post(
        MESSAGES, {"patient": opaque(world.patient.pk), **data}, format="json"
    )
    assert refused.status_code == 400
    assert body(refused)["codes"]["client_uuid"] == ["client_uuid_in_use"]
    assert Message.objects.filter(patient=world.patient).count() == 1
    # Without an id (an older client), the same text after ten seconds is a new message.
    plain = {"body": "Thanks"}
    assert patient.post(MESSAGES, plain, format="json").status_code == 201
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=11)):
        assert patient.post(MESSAGES, plain, format="json").status_code == 201
    assert Message.objects.filter(patient=world.patient).count() == 3


def test_a_misspelt_client_uuid_is_refused_not_dropped(world: World) -> None:
    """Found by fuzzing: an unknown key was dropped, so a message sent with its id misspelt
    (``clientUuid``) was stored with none, and the same message retried after ten seconds was
    stored a second time. A key the operation does not take is now refused, nothing sent."""
    patient = world.client("patient")
    data = {"body": "Is the swelling normal?", "clientUuid": str(uuid.uuid4())}
    response = patient.post(MESSAGES, data, format="json")
    assert response.status_code == 400
    assert body(response)["codes"] == {"clientUuid": ["unknown_field"]}
    response = world.client("clinician").post(
        MESSAGES + "read/", {"patient": opaque(world.patient.pk), "patient_id": 1}, format="json"
    )
    assert response.status_code == 400
    assert body(response)["codes"] == {"patient_id": ["unknown_field"]}
    assert not Message.objects.exists()


def test_message_refusals(world: World) -> None:
    clinician = world.client("clinician")
    for data, field in [
        ({"body": "Hi"}, "patient"),
        ({"patient": opaque(world.stranger.pk), "body": "Hi"}, "patient"),
        ({"patient": opaque(world.patient.pk), "body": ""}, "body"),
        ({"patient": opaque(world.patient.pk), "body": "x" * 4001}, "body"),
    ]:
        response = clinician.post(MESSAGES, data, format="json")
        assert response.status_code == 400
        assert field in body(response)
    response = world.client("patient").post(
        MESSAGES, {"patient": opaque(world.other_patient.pk), "body": "Hi"}, format="json"
    )
    assert response.status_code == 400
    assert not Message.objects.exists()
    assert_matrix(world, "post", MESSAGES, {"anonymous": 401, "staff": 403}, {"body": "Hi"})


def test_alert_matrix(world: World) -> None:
    alert = factories.AlertFactory(patient=world.patient)
    readers = {
        "anonymous": 401,
        "patient": 403,
        "clinician": 200,
        "colleague": 200,
        "other_clinician": 404,
        "staff": 403,
    }
    assert_matrix(world, "get", f"{ALERTS}{opaque(alert.pk)}/", readers)
    assert_matrix(
        world,
        "get",
        ALERTS,
        {"anonymous": 401, "patient": 403, "clinician": 200, "other_clinician": 200},
    )
    assert_matrix(
        world,
        "post",
        f"{ALERTS}{opaque(alert.pk)}/acknowledge/",
        {"anonymous": 401, "patient": 403, "other_clinician": 404, "staff": 403},
    )
    alert.refresh_from_db()
    assert alert.is_open


def test_alerts_list_filters_and_acknowledge(world: World) -> None:
    alert = factories.AlertFactory(patient=world.patient)
    factories.AlertFactory(patient=world.stranger)
    client = world.client("clinician")
    assert [a["id"] for a in body(client.get(ALERTS))["results"]] == [opaque(alert.pk)]
    response = client.post(f"{ALERTS}{opaque(alert.pk)}/acknowledge/")
    assert response.status_code == 200
    assert body(response)["acknowledged_by"] == opaque(world.clinician.user_id)
    assert body(client.get(ALERTS, {"open": "true"}))["results"] == []
    assert body(client.get(ALERTS, {"open": "false"}))["count"] == 1
    assert Alert.objects.get(pk=alert.pk).acknowledged_at is not None
