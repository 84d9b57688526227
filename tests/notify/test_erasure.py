"""Erasing a patient's record leaves nothing in notify that could identify them."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.models import Clinician, Patient
from clinic.services import patients as patient_services
from notify import services as notify_services
from notify.models import Notification, PushSubscription, ReminderSettings
from rehab.services.records import patient_erase
from tests import factories
from tests.notify.helpers import subscribe_browser
from tests.notify.push_service import PushService

pytestmark = pytest.mark.django_db


def test_erasure_forgets_settings_browsers_and_what_was_sent_to_the_patient(
    clinician: Clinician, patient: Patient, push_service: PushService
) -> None:
    admin = factories.ClinicAdminFactory(clinic=clinician.clinic)
    subscribe_browser(push_service, patient.user)
    notify_services.reminder_settings_save(patient=patient, enabled=True, morning=dt.time(8))
    Notification.objects.create(
        key="r",
        kind="reminder",
        channel="email",
        user=patient.user,
        email=patient.email,
        patient=patient,
        state="sent",
    )
    alert = Notification.objects.create(
        key="a",
        kind="alert",
        channel="email",
        user=clinician.user,
        email=clinician.user.email,
        patient=patient,
        state="sent",
    )
    patient_services.patient_discharge(patient=patient)

    patient_erase(patient=patient, by=admin.user)

    assert not ReminderSettings.objects.exists()
    assert not PushSubscription.objects.exists()
    assert list(Notification.objects.all()) == [alert]  # the clinic's own record stays
