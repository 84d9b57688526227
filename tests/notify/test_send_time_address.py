"""An email goes to the address the person has when it is sent, not the one they had when it
was queued: the outbox row of a person who signs in names them (``user``), never a copy of
their address; only an address typed in for the clinic's alert contacts is kept, and it goes
only while it is still one of them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.core import mail

from clinic.models import Clinic, Patient, User
from clinic.services import messages as message_services
from clinic.services import patients as patient_services
from notify import delivery, planning, recipients
from notify import services as notify_services
from notify.models import Notification
from rehab.models import Alert
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
WEDNESDAY_10 = dt.datetime(2026, 6, 10, 10, 0, tzinfo=LONDON)


@pytest.fixture
def scene() -> dict[str, Any]:
    clinic = factories.ClinicFactory(alert_emails=["frontdesk@clinic.example"])
    therapist = factories.ClinicianFactory(clinic=clinic, user__email="therapist@clinic.example")
    patient = factories.PatientFactory(clinic=clinic, therapist=therapist, first_name="Olivia")
    alert = factories.AlertFactory(patient=patient, kind=Alert.Kind.RED_FLAG)
    return {"clinic": clinic, "therapist": therapist, "patient": patient, "alert": alert}


def queue_alert_emails(patient: Patient, alert: Alert) -> dict[str, Notification]:
    """The alert's emails claimed (as ``planning.alerts`` does), not yet sent: by address or
    by the user's id."""
    queued: dict[str, Notification] = {}
    for recipient in recipients.alert_recipients(patient):
        [pk] = planning.claims.claim_each(
            kind=Notification.Kind.ALERT,
            slot=f"a{alert.pk}",
            recipient=recipient,
            channels=["email"],
            enqueue=lambda pk: None,
            patient=patient,
            alert=alert,
        )
        name = f"u{recipient.user.pk}" if recipient.user else recipient.email
        queued[name] = Notification.objects.get(pk=pk)
    return queued


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_the_queued_row_keeps_no_copy_of_a_person_s_address(scene: dict[str, Any]) -> None:
    queued = queue_alert_emails(scene["patient"], scene["alert"])
    mine = queued[f"u{scene['therapist'].user.pk}"]
    assert mine.email == ""
    assert mine.key.endswith(f":u{scene['therapist'].user.pk}:email")  # idempotency by person
    assert queued["frontdesk@clinic.example"].email == "frontdesk@clinic.example"


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_a_clinician_s_new_address_gets_the_email_queued_before_the_change(
    scene: dict[str, Any],
) -> None:
    queued = queue_alert_emails(scene["patient"], scene["alert"])
    User.objects.filter(pk=scene["therapist"].user.pk).update(email="new@clinic.example")

    delivery.deliver(queued[f"u{scene['therapist'].user.pk}"].pk)

    assert [m.to for m in mail.outbox] == [["new@clinic.example"]]


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_nothing_goes_to_a_deactivated_clinician(scene: dict[str, Any]) -> None:
    queued = queue_alert_emails(scene["patient"], scene["alert"])
    User.objects.filter(pk=scene["therapist"].user.pk).update(is_active=False)

    delivery.deliver(queued[f"u{scene['therapist'].user.pk}"].pk)

    assert not mail.outbox
    notification = Notification.objects.get(pk=queued[f"u{scene['therapist'].user.pk}"].pk)
    assert notification.state == Notification.State.CANCELLED


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_an_alert_contact_removed_before_the_send_is_not_told(scene: dict[str, Any]) -> None:
    queued = queue_alert_emails(scene["patient"], scene["alert"])
    Clinic.objects.filter(pk=scene["clinic"].pk).update(alert_emails=["desk@clinic.example"])

    delivery.deliver(queued["frontdesk@clinic.example"].pk)

    assert not mail.outbox
    notification = Notification.objects.get(pk=queued["frontdesk@clinic.example"].pk)
    assert notification.state == Notification.State.CANCELLED


def test_a_patient_s_corrected_address_gets_the_reply_notice_queued_before(
    scene: dict[str, Any],
) -> None:
    patient = scene["patient"]
    notify_services.reminder_settings_save(patient=patient, replies="email")
    message_services.message_send(
        patient=patient, author=scene["therapist"].user, body="Fine.", from_patient=False
    )
    recipient = recipients.patient_recipient(patient)
    assert recipient is not None
    [pk] = planning.claims.claim_each(
        kind=Notification.Kind.REPLY,
        slot="m1",
        recipient=recipient,
        channels=["email"],
        enqueue=lambda pk: None,
        patient=patient,
    )
    assert Notification.objects.get(pk=pk).email == ""
    patient_services.patient_update(
        patient=Patient.objects.get(pk=patient.pk), email="corrected@example.org"
    )

    delivery.deliver(pk)

    assert [m.to for m in mail.outbox] == [["corrected@example.org"]]
