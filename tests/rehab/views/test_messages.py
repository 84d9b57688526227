"""Message threads: the clinician's per patient, the patient's own.

Each view: it works; a colleague can; another clinic's clinician gets 404; a patient gets 404
on the clinician's page (and sees only their own thread); anonymous is sent to sign in.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinician, Message, Patient
from rehab import clinical
from rehab.selectors import patient_page as patient_selectors
from tests import factories
from tests.conftest import assert_login_redirect, client_for


def thread_url(patient: Patient) -> str:
    return reverse("rehab:patient_messages", args=[patient.pk])


MY_URL = "/me/messages/"


# --- The clinician's thread --------------------------------------------------------------------


def test_thread_shows_messages_and_marks_them_read(clinician: Clinician, patient: Patient) -> None:
    question = factories.MessageFactory(patient=patient, body="Is swelling normal?")
    reply = factories.MessageFactory(
        patient=patient, author=clinician.user, from_patient=False, body="Yes, raise the leg."
    )
    response = client_for(clinician.user).get(thread_url(patient))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Is swelling normal?" in content
    assert "Yes, raise the leg." in content
    assert content.index("Is swelling normal?") < content.index("Yes, raise the leg.")
    assert "New" in content  # shown as new this once
    assert 'name="body"' in content
    question.refresh_from_db()
    reply.refresh_from_db()
    assert question.read_at is not None
    assert reply.read_at is None  # the patient has not read it


def test_thread_says_who_read_each_of_the_patients_messages_and_when(
    clinician: Clinician, colleague: Clinician, patient: Patient
) -> None:
    """Reading the thread keeps who read the patient's messages (``read_by``); the thread
    then says it where it says a message is new: "Read by Dr X, 3 Dec 2026, 2:05 p.m.", in
    the format of the time the message was sent beside it. A message read before who read it
    was kept says when only."""
    colleague.user.full_name = "Dr Aoife Lindqvist"
    colleague.user.save(update_fields=["full_name"])
    question = factories.MessageFactory(patient=patient, body="Is swelling normal?")
    factories.MessageFactory(
        patient=patient,
        body="An old question",
        read_at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC),
    )
    with time_machine.travel(dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.UTC), tick=False):
        first = client_for(colleague.user).get(thread_url(patient)).content.decode()
    question.refresh_from_db()
    assert question.read_by == colleague.user
    assert "Read by" not in first  # shown as new this once

    text = re.sub(r"\s+", " ", client_for(clinician.user).get(thread_url(patient)).content.decode())
    assert "Read by Dr Aoife Lindqvist, 3 Dec 2026, 2:05 p.m." in text
    assert "Read 1 Dec 2026, 9 a.m." in text  # who read it was not kept then
    question.refresh_from_db()
    assert question.read_by == colleague.user  # read again: still the first reader


def test_the_patient_is_not_told_who_read_their_messages(
    clinician: Clinician, patient: Patient
) -> None:
    """The patient's thread shows no read state of their own messages: it does not start
    now (nor name the clinician who read one)."""
    clinician.user.full_name = "Dr Aoife Lindqvist"
    clinician.user.save(update_fields=["full_name"])
    factories.MessageFactory(
        patient=patient, body="My question", read_at=timezone.now(), read_by=clinician.user
    )
    content = client_for(patient.user).get(MY_URL).content.decode()
    assert "My question" in content
    assert "Dr Aoife Lindqvist" not in content
    assert "Read by" not in content


def test_thread_reply(clinician: Clinician, patient: Patient) -> None:
    response = client_for(clinician.user).post(thread_url(patient), {"body": " Keep going. "})
    assert response.status_code == 302
    assert response["Location"] == thread_url(patient)
    message = Message.objects.get()
    assert message.body == "Keep going."
    assert message.from_patient is False
    assert message.author == clinician.user
    assert message.patient == patient


def test_thread_reply_double_submit_makes_one_message(
    clinician: Clinician, patient: Patient
) -> None:
    client = client_for(clinician.user)
    client.post(thread_url(patient), {"body": "Keep going."})
    response = client.post(thread_url(patient), {"body": "Keep going."})
    assert response.status_code == 302
    assert Message.objects.count() == 1


def test_thread_reply_empty_shows_an_error(clinician: Clinician, patient: Patient) -> None:
    for body in ("", "   ", "x" * 4001):
        response = client_for(clinician.user).post(thread_url(patient), {"body": body})
        assert response.status_code == 200
        assert "body" in response.context["form"].errors
    assert not Message.objects.exists()


def test_thread_colleague(colleague: Clinician, patient: Patient) -> None:
    factories.MessageFactory(patient=patient)
    client = client_for(colleague.user)
    assert client.get(thread_url(patient)).status_code == 200
    client.post(thread_url(patient), {"body": "Noted."})
    assert Message.objects.filter(author=colleague.user).count() == 1


def test_thread_other_clinic_gets_404(other_clinician: Clinician, patient: Patient) -> None:
    message = factories.MessageFactory(patient=patient)
    client = client_for(other_clinician.user)
    assert client.get(thread_url(patient)).status_code == 404
    assert client.post(thread_url(patient), {"body": "Hi"}).status_code == 404
    message.refresh_from_db()
    assert message.read_at is None
    assert Message.objects.count() == 1


def test_thread_patient_gets_404(patient: Patient) -> None:
    assert client_for(patient.user).get(thread_url(patient)).status_code == 404


def test_thread_anonymous(patient: Patient) -> None:
    assert_login_redirect(Client().get(thread_url(patient)), thread_url(patient))
    assert_login_redirect(Client().post(thread_url(patient), {"body": "x"}), thread_url(patient))
    assert not Message.objects.exists()


# Expected queries: 1 session, 2 user with their clinician record and clinic
# (clinic.accounts.backends), 3 patient (access check), 4 the thread with authors and readers
# (joined), 5-7 mark read
# (savepoint, update, release), 8 +1 audit event, 9-10 the navigation's counts of open alerts and of unread messages
# (rehab_desk).
THREAD_QUERIES = 10


def test_thread_query_count_is_constant(
    clinician: Clinician, patient: Patient, django_assert_max_num_queries: Any
) -> None:
    client = client_for(clinician.user)
    factories.MessageFactory(patient=patient)
    with django_assert_max_num_queries(THREAD_QUERIES):
        client.get(thread_url(patient))
    for _ in range(10):
        factories.MessageFactory(patient=patient)
        factories.MessageFactory(patient=patient, author=clinician.user, from_patient=False)
        # Read ones: each says who read it, read in the thread's query.
        factories.MessageFactory(patient=patient, read_at=timezone.now(), read_by=clinician.user)
    with django_assert_max_num_queries(THREAD_QUERIES):
        client.get(thread_url(patient))


def _updates(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_a_thread_with_nothing_new_is_read_without_a_write(
    clinician: Clinician, patient: Patient
) -> None:
    """Nothing unread from the patient in the thread: reading it marks nothing, so it writes
    nothing (no transaction, no UPDATE: THREAD_QUERIES less the three of marking read). The
    clinic's own reply the patient has not read stays unread."""
    read_at = timezone.now() - dt.timedelta(days=1)
    question = factories.MessageFactory(patient=patient, read_at=read_at, read_by=clinician.user)
    reply = factories.MessageFactory(patient=patient, author=clinician.user, from_patient=False)
    client = client_for(clinician.user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(thread_url(patient)).status_code == 200
    assert _updates(queries) == []
    assert len(queries.captured_queries) == THREAD_QUERIES - 3
    question.refresh_from_db()
    reply.refresh_from_db()
    assert (question.read_at, question.read_by) == (read_at, clinician.user)
    assert reply.read_at is None


def test_a_message_arriving_while_the_thread_is_read_stays_unread(
    clinician: Clinician, patient: Patient, monkeypatch: Any
) -> None:
    """Reading a thread marks read only the other side's messages it showed: a message the
    patient sends after the thread was read (before the marking) stays unread and counted as
    new, it is never marked read unseen (a worry the clinician would miss)."""
    shown = factories.MessageFactory(patient=patient, body="Is swelling normal?")
    late: list[Message] = []
    read_thread = patient_selectors.message_thread

    def thread_then_a_new_message(of: Patient) -> list[Message]:
        thread = read_thread(of)
        late.append(factories.MessageFactory(patient=patient, body="My calf is hot and red."))
        return thread

    monkeypatch.setattr(patient_selectors, "message_thread", thread_then_a_new_message)
    assert client_for(clinician.user).get(thread_url(patient)).status_code == 200
    shown.refresh_from_db()
    late[0].refresh_from_db()
    assert shown.read_at is not None
    assert (late[0].read_at, late[0].read_by) == (None, None)


# --- The patient's own thread ----------------------------------------------------------------


def test_my_messages(clinician: Clinician, patient: Patient, other_patient: Patient) -> None:
    factories.MessageFactory(patient=patient, body="My question")
    reply = factories.MessageFactory(
        patient=patient, author=clinician.user, from_patient=False, body="The answer"
    )
    factories.MessageFactory(patient=other_patient, body="Someone else's secret")
    response = client_for(patient.user).get(reverse("rehab:my_messages"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "My question" in content
    assert "The answer" in content
    assert "Someone else&#x27;s secret" not in content
    assert "Someone else's secret" not in content
    reply.refresh_from_db()
    assert reply.read_at is not None


def test_my_messages_with_nothing_new_are_read_without_a_write(
    clinician: Clinician, patient: Patient
) -> None:
    """No unread reply from the clinic: the patient's page writes nothing; their own unread
    message stays unread for the clinic."""
    read_at = timezone.now() - dt.timedelta(days=1)
    reply = factories.MessageFactory(
        patient=patient, author=clinician.user, from_patient=False, read_at=read_at
    )
    question = factories.MessageFactory(patient=patient)
    client = client_for(patient.user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("rehab:my_messages")).status_code == 200
    assert _updates(queries) == []
    reply.refresh_from_db()
    question.refresh_from_db()
    assert reply.read_at == read_at
    assert question.read_at is None


def test_my_messages_says_they_are_not_for_emergencies(patient: Patient) -> None:
    content = client_for(patient.user).get(reverse("rehab:my_messages")).content.decode()
    assert "not for emergencies" in content
    for flag in clinical.RED_FLAGS:
        assert str(flag.advice) in content or str(flag.advice).replace("'", "&#x27;") in content
    assert len(clinical.RED_FLAGS) == content.count("<dt>")


def test_my_messages_asks_about_the_wound_only_after_surgery(clinician: Clinician) -> None:
    """From exploratory testing: a non-operative patient's messages page listed the wound signs
    ("Contact your surgical team today"): they have no wound and no surgical team. The list is
    the check-in's (clinical.md §4: wound questions only with a surgery date)."""
    patient = factories.PatientFactory(
        clinic=clinician.clinic, pathway=Patient.Pathway.NON_OPERATIVE
    )
    assert patient.surgery_date is None
    content = client_for(patient.user).get(reverse("rehab:my_messages")).content.decode()
    wound = clinical.RED_FLAGS_BY_CODE["wound"]
    assert str(wound.question) not in content
    assert "surgical team" not in content
    for flag in clinical.red_flags_for(has_surgery=False):
        assert str(flag.question) in content
    assert content.count("<dt>") == len(clinical.RED_FLAGS) - 1


def test_my_messages_kept_on_the_phone_says_it_is_a_copy(patient: Patient) -> None:
    """The service worker keeps every /me/ page for offline use; the messages page shown
    offline looked live (no "Offline: this is the copy saved on this phone" note), so a
    patient could take an old thread for the latest and write into a page that cannot send."""
    content = client_for(patient.user).get(reverse("rehab:my_messages")).content.decode()
    assert reverse("rehab:my_messages").startswith(reverse("rehab:today"))  # the worker's scope
    assert 'data-offline-at=""' in content
    assert "/static/js/app.js" in content


def test_my_messages_tells_the_patient_a_message_written_offline_was_not_sent(
    patient: Patient,
) -> None:
    """Offline, the form's post failed into the browser's "no internet" page and the words were
    gone: the page's script (messages.js) keeps them and says so, in the page's language."""
    response = client_for(patient.user).get(reverse("rehab:my_messages"))
    content = response.content.decode()
    strings = response.context["messages_config"]["strings"]
    assert "has not been sent" in str(strings["offline"])
    assert 'id="messages-config" type="application/json"' in content
    assert '<script type="module" src="/static/js/messages.js"' in content
    assert "data-message-form" in content
    assert 'id="message-status" role="alert"' in content


def test_my_messages_send(patient: Patient) -> None:
    response = client_for(patient.user).post(MY_URL, {"body": "Can I swim yet?"})
    assert response.status_code == 302
    assert response["Location"] == MY_URL
    message = Message.objects.get()
    assert message.patient == patient
    assert message.from_patient is True
    assert message.author == patient.user
    assert message.read_at is None


def test_my_messages_double_submit_makes_one_message(patient: Patient) -> None:
    client = client_for(patient.user)
    client.post(MY_URL, {"body": "Can I swim yet?"})
    client.post(MY_URL, {"body": "Can I swim yet?"})
    assert Message.objects.count() == 1


def test_my_messages_form_carries_a_client_id_made_once_per_page(patient: Patient) -> None:
    client = client_for(patient.user)
    pattern = r'name="client_uuid" value="([0-9a-f-]{36})"'
    ids = [re.findall(pattern, client.get(MY_URL).content.decode()) for _ in range(2)]
    assert [len(found) for found in ids] == [1, 1]
    assert ids[0] != ids[1]


def test_a_queued_note_resent_after_a_lost_answer_is_stored_once(patient: Patient) -> None:
    """From review: the Today page's outbox (static/js/today/queue.js ``keepAsNote``) posts a
    note to the clinic here; when the answer does not arrive it keeps the entry and sends it
    again on its next 30-second flush, with the same text. The server took only "the same
    text within 10 seconds" for a repeat, so the retry became a second message. The note
    carries its own ``client_uuid`` now, made once and kept across resends: the retry is found
    by it."""
    body = (
        "Sent from my phone: I did 3 set(s) of “Heel raise” on 2026-12-03, but it was no "
        "longer in my plan when my phone sent it."
    )
    note = {"body": body, "client_uuid": str(uuid.uuid4())}
    me = client_for(patient.user)
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        assert me.post(reverse("rehab:my_messages"), note).status_code == 302
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        assert me.post(reverse("rehab:my_messages"), note).status_code == 302
    message = Message.objects.get(patient=patient)
    assert str(message.client_uuid) == note["client_uuid"]


def test_without_a_client_id_the_same_text_is_new_after_ten_seconds(patient: Patient) -> None:
    """A page made before the id existed still sends; the ten-second same-text window stays
    its only guard."""
    me = client_for(patient.user)
    start = dt.datetime.now(dt.UTC)
    for seconds in (0, 5, 30):
        with time_machine.travel(start + dt.timedelta(seconds=seconds), tick=False):
            assert me.post(MY_URL, {"body": "Can I swim yet?"}).status_code == 302
    assert Message.objects.count() == 2


def test_my_messages_empty_shows_an_error(patient: Patient) -> None:
    response = client_for(patient.user).post(MY_URL, {"body": "  "})
    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    assert not Message.objects.exists()


def test_my_messages_only_own_thread(patient: Patient, other_patient: Patient) -> None:
    """There is no patient id in the URL: a patient can only ever write to their own thread."""
    client_for(other_patient.user).post(MY_URL, {"body": "Mine"})
    assert Message.objects.get().patient == other_patient


def test_my_messages_clinicians_get_404(clinician: Clinician, other_clinician: Clinician) -> None:
    assert client_for(clinician.user).get(MY_URL).status_code == 404
    assert client_for(other_clinician.user).post(MY_URL, {"body": "x"}).status_code == 404
    assert not Message.objects.exists()


def test_my_messages_anonymous(db: None) -> None:
    assert_login_redirect(Client().get(MY_URL), MY_URL)


def test_unread_reply_reaches_the_dashboard_and_clears(
    clinician: Clinician, patient: Patient
) -> None:
    client_for(patient.user).post(MY_URL, {"body": "Help with the boot?"})
    clinic = client_for(clinician.user)
    dashboard = clinic.get(reverse("rehab:dashboard"))
    assert [p.pk for p in dashboard.context["unread"]] == [patient.pk]
    clinic.get(thread_url(patient))
    dashboard = clinic.get(reverse("rehab:dashboard"))
    assert dashboard.context["unread"] == []
    read_at = Message.objects.get().read_at
    assert read_at is not None
    assert read_at <= timezone.now()
