"""Urgent alerts reach the clinic at once (email; push where turned on), once each, and
escalate to the clinic admins when nobody acknowledges them within the clinic's time counted
in opening hours."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinic, Patient
from clinic.profile.services import clinic_settings_update
from clinic.services import invitations as invitation_services
from clinic.team import services as team_services
from notify import channels, delivery, planning, recipients, tasks
from notify import services as notify_services
from notify.models import AlertEscalation, Notification, PushSubscription
from rehab import services as rehab_services
from rehab.models import Alert
from tests import factories
from tests.notify.helpers import run_tasks, subscribe_browser, tick_at
from tests.notify.push_service import PushService

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# A Wednesday morning in London, the clinic open 08:00-18:00 on weekdays (the default).
WEDNESDAY_10 = dt.datetime(2026, 6, 10, 10, 0, tzinfo=LONDON)


@pytest.fixture
def scene() -> dict[str, Any]:
    clinic = factories.ClinicFactory(alert_emails=["frontdesk@clinic.example"])
    therapist = factories.ClinicianFactory(clinic=clinic, user__email="therapist@clinic.example")
    factories.ClinicianFactory(clinic=clinic, user__email="colleague@clinic.example")
    admin = factories.ClinicAdminFactory(clinic=clinic, user__email="admin@clinic.example")
    patient = factories.PatientFactory(
        clinic=clinic, first_name="Olivia", last_name="Confidential-Surname"
    )
    factories.PlanFactory(patient=patient, created_by=therapist.user)
    return {"clinic": clinic, "therapist": therapist, "admin": admin, "patient": patient}


def red_flag(patient: Patient, code: str = "dvt") -> Alert:
    rehab_services.checkin_record(
        patient=patient,
        client_uuid=uuid.uuid4(),
        pain_at_rest=2,
        swelling="mild",
        red_flags=[code],
        note="My calf is hot and swollen since this morning",
    )
    return Alert.objects.get(patient=patient, kind=Alert.Kind.RED_FLAG)


def to(address: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [address]]


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_a_red_flag_emails_the_therapist_and_contacts_once_within_one_worker_cycle(
    scene: dict[str, Any],
) -> None:
    red_flag(scene["patient"])

    run_tasks()  # one cycle: the alert job, then the deliveries it queued

    assert len(to("therapist@clinic.example")) == 1
    assert len(to("frontdesk@clinic.example")) == 1
    assert not to("colleague@clinic.example")  # not their patient
    assert not to("admin@clinic.example")  # not yet: only if nobody acknowledges
    email = to("therapist@clinic.example")[0]
    assert "Olivia" in email.subject
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.extra_headers["List-Unsubscribe"].startswith("<http")
    html = email.alternatives[0].content
    for text in (email.subject, email.body, html):
        # A first name and a link: nothing of what the patient reported.
        for secret in ("Confidential-Surname", "calf", "clot", "DVT", "dvt", "swollen"):
            assert secret not in text
    assert reverse("rehab:patient_detail", args=[scene["patient"].pk]) in email.body

    # A retried job, or the job twice, sends nothing more.
    tasks.send_alert.enqueue(Alert.objects.get().pk)
    run_tasks()
    assert len(mail.outbox) == 2
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_the_alert_and_its_escalation_say_when_it_was_raised_in_the_clinic_s_time(
    scene: dict[str, Any],
) -> None:
    # Raised at 10:00 in London (summer time: 09:00 UTC, the worker's time zone).
    red_flag(scene["patient"])
    run_tasks()
    email = to("therapist@clinic.example")[0]
    for text in (email.body, email.alternatives[0].content):
        assert "at 10:00 on Wednesday 10 June" in " ".join(text.split())
    tick_at(WEDNESDAY_10 + dt.timedelta(hours=3))  # unacknowledged: to the clinic admin
    escalation = to("admin@clinic.example")[0]
    assert "at 10:00 on Wednesday 10 June" in " ".join(escalation.body.split())


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_high_pain_on_a_log_alerts_too(scene: dict[str, Any]) -> None:
    factories.AlertFactory(patient=scene["patient"], kind=Alert.Kind.HIGH_PAIN)
    run_tasks()
    assert len(to("therapist@clinic.example")) == 1


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_only_kinds_marked_urgent_are_sent(scene: dict[str, Any], settings: Any) -> None:
    settings.NOTIFY_URGENT_ALERT_KINDS = ("red_flag", "plan_paused")
    factories.AlertFactory(patient=scene["patient"], kind=Alert.Kind.HIGH_PAIN)
    run_tasks()
    assert not mail.outbox
    assert not AlertEscalation.objects.exists()


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_clinicians_who_opted_in_get_a_push_too(
    scene: dict[str, Any], push_service: PushService
) -> None:
    subscribe_browser(push_service, scene["therapist"].user)
    red_flag(scene["patient"])
    run_tasks()

    assert len(push_service.received) == 1
    payload = push_service.received[0].payload
    assert payload["url"] == reverse("rehab:patient_detail", args=[scene["patient"].pk])
    assert "Olivia" in payload["title"]
    assert "Confidential" not in str(payload)
    assert push_service.received[0].ttl == str(24 * 60 * 60)
    assert len(to("therapist@clinic.example")) == 1  # and the email


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_a_browser_whose_keys_cannot_be_used_is_removed_and_the_others_get_the_alert_once(
    scene: dict[str, Any], push_service: PushService
) -> None:
    therapist = scene["therapist"].user
    subscribe_browser(push_service, therapist)
    # A subscription stored with a key of the right length that is no point on the curve
    # (pywebpush cannot encrypt to it: ValueError), newer, so it is tried first.
    PushSubscription.objects.create(
        user=therapist,
        endpoint=push_service.subscribe()["endpoint"],
        p256dh="x" * 87,
        auth="AAAAAAAAAAAAAAAAAAAAAA",
        created_at=WEDNESDAY_10 + dt.timedelta(seconds=1),
    )
    red_flag(scene["patient"])
    run_tasks()  # fails the test if the delivery job raised
    for minutes in (15, 30, 45):  # the scheduler's sweep of lost jobs finds nothing to send
        tick_at(WEDNESDAY_10 + dt.timedelta(minutes=minutes))

    assert len(push_service.received) == 1
    assert Notification.objects.get(channel="push").state == "sent"
    assert PushSubscription.objects.filter(user=therapist).count() == 1


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_the_therapist_is_whoever_built_the_plan_else_every_physiotherapist(
    scene: dict[str, Any],
) -> None:
    patient = factories.PatientFactory(clinic=scene["clinic"])  # no plan: nobody built one
    red_flag(patient)
    run_tasks()
    assert len(to("therapist@clinic.example")) == 1
    assert len(to("colleague@clinic.example")) == 1
    assert not to("admin@clinic.example")


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_a_clinician_invited_but_not_yet_joined_gets_no_clinic_alert_emails(
    scene: dict[str, Any],
) -> None:
    """An invited clinician's account is active from the invitation, but until they accept it
    (set a password) the address may be mistyped: no alert, escalation or digest reaches it.
    The clinic's alert contacts are addresses, emailed as before."""
    clinic, admin = scene["clinic"], scene["admin"]
    _clinician, _invitation, token = team_services.clinician_invite(
        clinic=clinic,
        email="typo@clinic.example",
        full_name="New Therapist",
        role="therapist",
        invited_by=admin.user,
    )
    team_services.clinician_invite(
        clinic=clinic,
        email="new-admin@clinic.example",
        full_name="New Admin",
        role="admin",
        invited_by=admin.user,
    )
    patient = factories.PatientFactory(clinic=clinic)  # no plan: every physiotherapist
    mail.outbox.clear()

    red_flag(patient)
    run_tasks()

    assert len(to("therapist@clinic.example")) == 1
    assert len(to("frontdesk@clinic.example")) == 1
    assert not to("typo@clinic.example")
    emails = {r.email for r in recipients.escalation_recipients(patient)}
    assert emails == {"admin@clinic.example"}
    assert "typo@clinic.example" not in {r.email for r in recipients.digest_recipients(clinic)}

    invitation_services.invitation_accept(token=token, password="Quiet-lantern-orchard-42")
    assert "typo@clinic.example" in {r.email for r in recipients.alert_recipients(patient)}
    assert "typo@clinic.example" in {r.email for r in recipients.digest_recipients(clinic)}


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_an_alert_always_reaches_an_inbox(scene: dict[str, Any]) -> None:
    clinic = scene["clinic"]
    clinic_settings_update(clinic=clinic, changed_by=None, alert_emails=[])
    notify_services.clinician_preferences_save(
        clinician=scene["therapist"], alert_emails=False, digest_emails=True
    )
    red_flag(scene["patient"])
    run_tasks()
    assert not to("therapist@clinic.example")
    assert len(to("admin@clinic.example")) == 1  # nobody else would hear of it


def test_an_unacknowledged_alert_escalates_once_in_opening_hours(scene: dict[str, Any]) -> None:
    friday_17 = dt.datetime(2026, 6, 12, 17, 0, tzinfo=LONDON)
    with time_machine.travel(friday_17, tick=False):
        alert = red_flag(scene["patient"])
        run_tasks()
    mail.outbox.clear()
    # Two hours of opening hours: one on Friday (17-18), one on Monday (08-09).
    assert AlertEscalation.objects.get(alert=alert).due_at == dt.datetime(
        2026, 6, 15, 9, 0, tzinfo=LONDON
    )
    for moment in (
        dt.datetime(2026, 6, 12, 19, 0, tzinfo=LONDON),  # Friday evening: closed
        dt.datetime(2026, 6, 13, 12, 0, tzinfo=LONDON),  # Saturday
        dt.datetime(2026, 6, 15, 8, 59, tzinfo=LONDON),  # Monday, a minute early
    ):
        tick_at(moment)
    assert not mail.outbox

    for minute in range(3):  # the tick at 09:00, and the ones after it
        moment = dt.datetime(2026, 6, 15, 9, minute, tzinfo=LONDON)
        with time_machine.travel(moment, tick=False):
            tasks.every_minute.enqueue(moment.isoformat())
            tasks.every_minute.enqueue(moment.isoformat())  # two schedulers
            run_tasks()
    assert [m.to for m in mail.outbox] == [["admin@clinic.example"]]
    assert "Not yet acknowledged" in mail.outbox[0].subject
    assert Notification.objects.filter(kind="escalation").count() == 1


def test_an_acknowledged_alert_does_not_escalate(scene: dict[str, Any]) -> None:
    with time_machine.travel(WEDNESDAY_10, tick=False):
        alert = red_flag(scene["patient"])
        run_tasks()
        rehab_services.alert_acknowledge(alert=alert, by=scene["therapist"].user)
    mail.outbox.clear()
    later = WEDNESDAY_10 + dt.timedelta(hours=3)
    tick_at(later)
    assert not mail.outbox
    assert not AlertEscalation.objects.exists()


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_an_alert_acknowledged_before_its_email_left_is_not_sent(scene: dict[str, Any]) -> None:
    alert = red_flag(scene["patient"])
    rehab_services.alert_acknowledge(alert=alert, by=scene["therapist"].user)
    run_tasks()
    assert not mail.outbox


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_smtp_down_retries_with_backoff_and_loses_nothing(
    scene: dict[str, Any], settings: Any
) -> None:
    down = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},  # nothing listens
        }
    }
    settings.MAILERS = down
    alert = red_flag(scene["patient"])
    run_tasks()

    emails = Notification.objects.filter(alert=alert, channel="email")
    assert emails.count() == 2  # therapist and contact
    assert set(emails.values_list("state", "attempts")) == {("queued", 1)}
    assert Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).exists()  # still open

    # Each retry waits longer; SMTP comes back before the fourth.
    for minutes in (1, 3, 11):
        with time_machine.travel(WEDNESDAY_10 + dt.timedelta(minutes=minutes), tick=False):
            run_tasks()
    assert set(emails.values_list("state", "attempts")) == {("queued", 4)}
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with time_machine.travel(WEDNESDAY_10 + dt.timedelta(minutes=45), tick=False):
        run_tasks()
    assert set(emails.values_list("state", flat=True)) == {"sent"}
    assert len(mail.outbox) == 2


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_smtp_down_for_good_ends_failed_and_the_dashboard_says_so(
    scene: dict[str, Any], settings: Any, client: Any
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    red_flag(scene["patient"])
    for hours in range(6):
        with time_machine.travel(WEDNESDAY_10 + dt.timedelta(hours=hours), tick=False):
            run_tasks()
    assert set(Notification.objects.values_list("state", "attempts")) == {("failed", 5)}
    assert PushSubscription.objects.count() == 0
    with time_machine.travel(WEDNESDAY_10 + dt.timedelta(hours=6), tick=False):
        client.force_login(scene["therapist"].user)
        page = client.get("/clinic/").content.decode()
    assert "could not be delivered" in page
    assert "Olivia" in page  # the alert itself is still on the dashboard


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_a_send_that_crashes_every_time_ends_failed_and_is_not_tried_for_ever(
    scene: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(email: Any) -> None:  # an error no send expects (a library's, a bug)
        raise RuntimeError("boom")

    monkeypatch.setattr(channels, "send_email", crash)
    red_flag(scene["patient"])
    # The jobs' claims, without their jobs: each job would raise in the worker and be lost.
    ids = planning.alert_notifications(Alert.objects.get().pk, enqueue=lambda pk: None)
    assert len(ids) == 2  # the therapist and the contact
    for step in range(12):  # the scheduler's sweep finds each lost job, which is tried again
        with time_machine.travel(WEDNESDAY_10 + dt.timedelta(minutes=16 * step), tick=False):
            if step:
                ids = planning.stuck(timezone.now(), enqueue=lambda pk: None)
            for pk in ids:
                with contextlib.suppress(RuntimeError):
                    delivery.deliver(pk)
    assert ids == []  # nothing tried any more
    assert set(Notification.objects.values_list("state", flat=True)) == {"failed"}


def test_the_assigned_therapist_comes_before_the_plans_builder(db: None) -> None:
    """Issue 21: a patient assigned to a clinician (Patient.therapist) alerts them first; once
    that clinician is deactivated, the plan's builder again."""
    from notify.recipients import _clinicians, therapists_for  # noqa: PLC0415

    builder = factories.ClinicianFactory()
    assigned = factories.ClinicianFactory(clinic=builder.clinic)
    patient = factories.PatientFactory(clinic=builder.clinic, therapist=assigned)
    factories.PlanFactory(patient=patient, created_by=builder.user)
    assert therapists_for(patient, _clinicians(builder.clinic)) == [assigned]
    assigned.user.is_active = False
    assigned.user.save()
    assert therapists_for(patient, _clinicians(builder.clinic)) == [builder]


def test_a_pending_escalation_follows_the_clinic_s_corrected_time_zone(
    scene: dict[str, Any],
) -> None:
    """(from review) An urgent alert's escalation time was counted in the clinic's opening
    hours once, when the alert was raised, and never again: a clinic admin who then corrected
    the clinic's time zone (a new clinic left at the default Europe/London) left the pending
    escalation at the old zone's time, hours late and in the middle of the clinic's night."""
    clinic = scene["clinic"]  # open 08:00-18:00 on weekdays, escalation after 120 minutes
    # Wednesday 12:30 in New York, where the clinic is; its zone still says London (17:30,
    # half an hour before closing there).
    raised = dt.datetime(2026, 6, 10, 12, 30, tzinfo=NEW_YORK)
    with time_machine.travel(raised, tick=False):
        red_flag(scene["patient"])
        run_tasks()
    with time_machine.travel(raised + dt.timedelta(minutes=5), tick=False):
        clinic_settings_update(
            clinic=clinic, changed_by=scene["admin"].user, timezone="America/New_York"
        )
    mail.outbox.clear()
    due = AlertEscalation.objects.get().due_at.astimezone(NEW_YORK)

    # Two hours of New York opening hours after 12:30: due at 14:30 the same afternoon.
    for moment in (
        dt.datetime(2026, 6, 10, 14, 31, tzinfo=NEW_YORK),
        dt.datetime(2026, 6, 10, 17, 59, tzinfo=NEW_YORK),
    ):
        tick_at(moment)
    escalations = Notification.objects.filter(kind="escalation")
    assert escalations.exists(), (
        "the escalation is still due at 09:30 London time on Thursday (04:30 in New York, "
        f"with the clinic closed), not two opening hours after the alert: due {due}"
    )
    assert [m.to for m in mail.outbox] == [["admin@clinic.example"]]


def test_new_escalation_minutes_or_hours_move_only_pending_escalations(
    scene: dict[str, Any],
) -> None:
    """(from review) The escalation minutes and the opening hours, changed while an alert is
    open, count again from when it was raised; one already escalated keeps its time."""
    clinic, admin = scene["clinic"], scene["admin"].user
    other = factories.PatientFactory(clinic=clinic, first_name="Amir")
    factories.PlanFactory(patient=other, created_by=scene["therapist"].user)
    with time_machine.travel(WEDNESDAY_10, tick=False):
        escalated = red_flag(other)
        run_tasks()
    tick_at(WEDNESDAY_10 + dt.timedelta(hours=2, minutes=1))  # 12:01: it escalates
    done_at = AlertEscalation.objects.get(alert=escalated, escalated_at__isnull=False).due_at
    raised = WEDNESDAY_10 + dt.timedelta(hours=2, minutes=2)
    with time_machine.travel(raised, tick=False):
        pending = red_flag(scene["patient"])
        run_tasks()
    with time_machine.travel(raised + dt.timedelta(minutes=3), tick=False):
        clinic_settings_update(clinic=clinic, changed_by=admin, alert_escalation_minutes=240)
    assert AlertEscalation.objects.get(alert=pending).due_at == raised + dt.timedelta(hours=4)
    assert AlertEscalation.objects.get(alert=escalated).due_at == done_at
    # Wednesdays now closed from 11:00: the four hours are Thursday's 08:00 to 12:00.
    hours = [*clinic.opening_hours]
    hours[2] = ["08:00", "11:00"]
    with time_machine.travel(raised + dt.timedelta(minutes=6), tick=False):
        clinic_settings_update(clinic=clinic, changed_by=admin, opening_hours=hours)
    assert AlertEscalation.objects.get(alert=pending).due_at == dt.datetime(
        2026, 6, 11, 12, 0, tzinfo=LONDON
    )
    assert AlertEscalation.objects.get(alert=escalated).due_at == done_at


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_emails_are_written_in_the_clinic_s_language(scene: dict[str, Any], settings: Any) -> None:
    """(from review) Notification emails were written in the site's language, whatever the
    clinic's (its setting names the language of its emails; the invitations follow it)."""
    settings.LANGUAGES = [("en-gb", "English"), ("fr", "French")]
    Clinic.objects.filter(pk=scene["clinic"].pk).update(language="fr")
    red_flag(scene["patient"])
    run_tasks()
    email = to("therapist@clinic.example")[0]
    html = email.alternatives[0].content
    assert '<html lang="fr">' in html
    for text in (email.body, html):
        assert "mercredi 10 juin" in " ".join(text.split())  # the date as French writes it
