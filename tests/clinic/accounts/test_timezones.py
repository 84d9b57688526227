"""Pages show dates and times in their reader's time zone (clinic.accounts.timezones): a
patient's own, a clinician's clinic's. A review found them in UTC."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.models import AccessEvent
from clinic.accounts.timezones import reader_time_zone
from clinic.models import Clinician
from rehab.models.alerts import PlanHold
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# 03:30 UTC on 1 March is 19:30 on 29 February in Los Angeles (UTC-8).
SENT = dt.datetime(2024, 3, 1, 3, 30, tzinfo=dt.UTC)


def test_my_messages_shows_the_time_in_the_patients_time_zone(clinician: Clinician) -> None:
    patient = factories.PatientFactory.create(
        clinic=clinician.clinic, timezone="America/Los_Angeles"
    )
    factories.MessageFactory.create(patient=patient, created_at=SENT)
    html = client_for(patient.user).get("/me/messages/").content.decode()
    # The <time> element's machine value and its text: the patient's evening of 29 February.
    assert "2024-02-29T19:30:00-08:00" in html, (
        "message time shown in UTC, not the patient's: "
        + html[html.find("<time") : html.find("</time>") + 7]
    )


def test_access_history_shows_the_time_in_the_patients_time_zone(clinician: Clinician) -> None:
    patient = factories.PatientFactory.create(
        clinic=clinician.clinic, timezone="America/Los_Angeles"
    )
    event = AccessEvent.objects.create(
        actor=clinician.user,
        actor_name="Dr Who",
        actor_role="clinician:therapist",
        patient_ref=patient.pk,
        action="read",
        what="patient",
    )
    html = client_for(patient.user).get("/me/access-history/").content.decode()
    local = event.when.astimezone(patient.tz)
    shown = html[html.find("<time") : html.find("</time>") + 7]
    assert local.isoformat()[:19] in shown, shown
    assert f">{date_format(local, 'DATETIME_FORMAT')}</time>" in shown, shown  # as every page


def test_reviewed_notice_names_the_patients_day_of_the_report(clinician: Clinician) -> None:
    patient = factories.PatientFactory.create(
        clinic=clinician.clinic, timezone="America/Los_Angeles"
    )
    plan, _phases = factories.active_plan(patient)
    now = timezone.now()
    # Reported yesterday at 20:00 in Los Angeles: already the next day in UTC.
    local_yesterday = (now.astimezone(patient.tz) - dt.timedelta(days=1)).replace(
        hour=20, minute=0, second=0, microsecond=0
    )
    PlanHold.objects.create(
        plan=plan,
        flags=["dvt"],
        started_at=local_yesterday,
        resumed_at=now,
        resume_note="Reviewed, no clot.",
    )
    html = client_for(patient.user).get("/me/").content.decode()
    assert "has reviewed what you reported on" in html
    said = f"reported on {local_yesterday.day} {local_yesterday:%B}"
    assert said in html, f"expected {said!r}; the day shown is the UTC day"


def test_a_clinician_reads_the_thread_in_the_clinics_time_zone(clinician: Clinician) -> None:
    clinic = clinician.clinic
    clinic.timezone = "America/Los_Angeles"
    clinic.save()
    patient = factories.PatientFactory.create(clinic=clinic, timezone="Europe/London")
    factories.MessageFactory.create(patient=patient, created_at=SENT)
    html = (
        client_for(clinician.user)
        .get(reverse("rehab:patient_messages", args=[patient.pk]))
        .content.decode()
    )
    assert "2024-02-29T19:30:00-08:00" in html


def test_whose_time_zone(clinician: Clinician, patient: object) -> None:
    assert str(reader_time_zone(clinician.user)) == clinician.clinic.timezone
    assert reader_time_zone(factories.StaffFactory.create()) is None
