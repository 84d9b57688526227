"""The clinic asks a patient to answer a questionnaire (an ATRS request): the patient is told
(their choice of channel, email unless they change it), once, in words that say nothing about
their health, after their quiet hours, and never once their care has ended or their plan is
paused. Another clinic's patients hear nothing."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.models import Patient
from notify import channels
from notify import services as notify_services
from notify.channels import Outcome, Result
from notify.models import Notification, ReminderSettings
from rehab.models import Plan
from rehab.services.outcomes import atrs_request_create
from tests import factories
from tests.notify.helpers import cancelled_at_the_retry, run_tasks, subscribe_browser
from tests.notify.push_service import PushService
from tests.notify.test_reminders import patient_with_exercises

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
TUESDAY_11 = dt.datetime(2026, 6, 9, 11, 0, tzinfo=LONDON)
# Words that would tell a reader of the email or the lock screen about the patient's health.
HEALTH_WORDS = re.compile(
    r"atrs|achilles|tendon|rupture|questionnaire|symptom|pain|injur|surgery|score|week",
    re.IGNORECASE,
)


def ask(patient: Patient, at: dt.datetime = TUESDAY_11) -> None:
    """The clinician asks for the ATRS at ``at``; the jobs run a few minutes later."""
    with time_machine.travel(at, tick=False):
        atrs_request_create(patient=patient, requested_by=None)
        run_tasks()
    with time_machine.travel(at + dt.timedelta(minutes=3), tick=False):
        run_tasks()


@pytest.fixture
def patient() -> Patient:
    with time_machine.travel(TUESDAY_11 - dt.timedelta(days=1), tick=False):
        return patient_with_exercises()


def test_the_patient_is_told_once_by_email_without_any_health_detail(
    patient: Patient, push_service: PushService
) -> None:
    # Never visited the reminders page: the default (email) applies.
    ask(patient)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [patient.email]
    html = email.alternatives[0][0]
    for text in (email.subject, email.body, html, email.from_email):
        # The site's name too (SITE_NAME's default): it is in the subject and the footer.
        assert not HEALTH_WORDS.search(text), text
    assert "asked you a few questions" in email.body
    assert "/me/" in email.body
    assert "List-Unsubscribe" in email.extra_headers
    # Asked again while it is open (the same request), and the jobs run again: nothing more.
    ask(patient, TUESDAY_11 + dt.timedelta(minutes=10))
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(kind="request").count() == 1
    assert push_service.received == []  # push was not chosen


def test_by_push_when_chosen_and_the_words_on_the_lock_screen_say_nothing_of_health(
    patient: Patient, push_service: PushService
) -> None:
    assert patient.user is not None
    subscribe_browser(push_service, patient.user)
    notify_services.reminder_settings_save(patient=patient, requests="push")
    ask(patient)
    assert not mail.outbox
    assert len(push_service.received) == 1
    payload = push_service.received[0].payload
    assert payload["url"] == "/me/"
    assert not HEALTH_WORDS.search(payload["title"] + " " + payload["body"])


def test_nothing_when_the_patient_turned_it_off(patient: Patient) -> None:
    notify_services.reminder_settings_save(patient=patient, requests="off")
    ask(patient)
    assert not mail.outbox
    assert not Notification.objects.exists()


def test_the_email_s_unsubscribe_link_turns_it_off(patient: Patient) -> None:
    ask(patient)
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    Client().post(url, {"List-Unsubscribe": "One-Click"})
    assert ReminderSettings.objects.get(patient=patient).requests == "off"
    patient.atrs_requests.all().delete()  # a new request, later
    ask(patient, TUESDAY_11 + dt.timedelta(hours=1))
    assert len(mail.outbox) == 1  # still the first one only


def test_a_request_in_the_quiet_hours_waits_for_their_end(patient: Patient) -> None:
    notify_services.reminder_settings_save(
        patient=patient, quiet_start=dt.time(21, 0), quiet_end=dt.time(7, 0)
    )
    ask(patient, dt.datetime(2026, 6, 9, 22, 30, tzinfo=LONDON))
    assert not mail.outbox
    with time_machine.travel(dt.datetime(2026, 6, 10, 7, 1, tzinfo=LONDON), tick=False):
        run_tasks()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("why", ["discharged", "paused", "erased"])
def test_nothing_to_a_patient_out_of_care_or_whose_plan_is_paused(
    patient: Patient, why: str
) -> None:
    with time_machine.travel(TUESDAY_11, tick=False):
        atrs_request_create(patient=patient, requested_by=None)
        if why == "discharged":
            patient.status = Patient.Status.DISCHARGED
            patient.save(update_fields=["status"])
        elif why == "paused":
            Plan.objects.filter(patient=patient).update(status=Plan.Status.PAUSED)
        else:
            notify_services.patient_forgotten(patient=patient)
            patient.status = Patient.Status.ARCHIVED
            patient.erased_at = TUESDAY_11
            patient.save(update_fields=["status", "erased_at"])
    with time_machine.travel(TUESDAY_11 + dt.timedelta(minutes=3), tick=False):
        run_tasks()
    assert not mail.outbox


def test_answered_before_the_notice_goes_nothing_is_sent(patient: Patient) -> None:
    with time_machine.travel(TUESDAY_11, tick=False):
        request, _created = atrs_request_create(patient=patient, requested_by=None)
        request.response = factories.AtrsResponseFactory.create(patient=patient)
        request.save(update_fields=["response"])
    with time_machine.travel(TUESDAY_11 + dt.timedelta(minutes=3), tick=False):
        run_tasks()
    assert not mail.outbox


def test_another_clinic_s_patient_hears_nothing(patient: Patient) -> None:
    with time_machine.travel(TUESDAY_11 - dt.timedelta(days=1), tick=False):
        other = patient_with_exercises()
    assert other.clinic_id != patient.clinic_id
    ask(patient)
    assert [m.to for m in mail.outbox] == [[patient.email]]
    assert not Notification.objects.filter(patient=other).exists()


def test_the_patient_sees_and_changes_the_choice_on_the_reminders_page(patient: Patient) -> None:
    assert patient.user is not None
    client = Client()
    client.force_login(patient.user)
    page = client.get(reverse("notify:reminders")).content.decode()
    assert "When the clinic asks me to answer questions" in page
    assert re.search(r'name="requests" value="email"[^>]*checked', page)
    form: dict[str, Any] = {
        "morning": "08:00",
        "evening": "",
        "days": ["0", "1"],
        "channel": "email",
        "quiet_start": "",
        "quiet_end": "",
        "replies": "off",
        "requests": "off",
        "timezone": "Europe/London",
    }
    assert client.post(reverse("notify:reminders"), form).status_code == 302
    assert ReminderSettings.objects.get(patient=patient).requests == "off"
    # A copy of the page from before this choice (kept offline on the phone) posts without
    # it: the choice stays as it was.
    del form["requests"]
    form["replies"] = "email"
    assert client.post(reverse("notify:reminders"), form).status_code == 302
    row = ReminderSettings.objects.get(patient=patient)
    assert (row.replies, row.requests) == ("email", "off")


def test_turned_off_after_it_was_queued_the_notice_is_not_sent(patient: Patient) -> None:
    """Queued while the patient wanted these, the first send failing for a moment, and turned
    off before the retry: the send reads their choice again (as for reminders and replies)."""
    with (
        mock.patch.object(channels, "send_email", return_value=Result(Outcome.RETRY)),
        time_machine.travel(TUESDAY_11, tick=False),
    ):
        atrs_request_create(patient=patient, requested_by=None)
        run_tasks()
    with (
        mock.patch.object(channels, "send_email", return_value=Result(Outcome.RETRY)),
        time_machine.travel(TUESDAY_11 + dt.timedelta(minutes=3), tick=False),
    ):
        run_tasks()
    cancelled_at_the_retry(
        patient, "request", TUESDAY_11 + dt.timedelta(minutes=10), requests="off"
    )
