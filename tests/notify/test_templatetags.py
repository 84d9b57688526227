"""The notification pieces on other apps' pages: the out-of-hours notice after a check-in,
the reminder offer on Today, a patient's reminders on the clinician's patient page, the
dashboard's flags, the account page's links."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from clinic.models import Clinician, Patient
from notify import selectors as notify_selectors
from notify import services as notify_services
from notify.models import Notification
from rehab import services as rehab_services
from rehab.models.plans import Plan, Prescription
from tests import factories
from tests.conftest import client_for
from tests.notify.helpers import exercises_done

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
SATURDAY_NIGHT = dt.datetime(2026, 6, 13, 22, 0, tzinfo=LONDON)
TUESDAY_NOON = dt.datetime(2026, 6, 9, 12, 0, tzinfo=LONDON)


def check_in_with_a_red_flag(patient: Patient) -> str:
    client = client_for(patient.user)
    response = client.post(
        reverse("rehab:checkin"),
        {
            "client_uuid": str(uuid.uuid4()),
            "pain_at_rest": "3",
            "swelling": "mild",
            "flag_dvt": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_out_of_hours_the_patient_is_told_when_the_clinic_will_see_it_and_whom_to_call(
    patient: Patient,
) -> None:
    patient.clinic.out_of_hours_phone = "111"
    patient.clinic.emergency_number = "999"
    patient.clinic.save()
    with time_machine.travel(SATURDAY_NIGHT, tick=False):
        html = check_in_with_a_red_flag(patient)
    assert "could be a blood clot" in html  # the red-flag advice itself
    assert "The clinic is closed now. They will see this when they open (Monday at 8 a.m.)." in html
    assert "call your out-of-hours service on 111" in html
    assert "In an emergency, call 999." in html


def test_out_of_hours_the_reopening_is_told_in_the_patients_own_time(patient: Patient) -> None:
    # The clinic opens at 08:00 in London on Monday: 03:00 for a patient in New York.
    patient.timezone = "America/New_York"
    patient.save(update_fields=["timezone"])
    with time_machine.travel(SATURDAY_NIGHT, tick=False):
        html = check_in_with_a_red_flag(patient)
    assert "They will see this when they open (Monday at 3 a.m.)." in html


def test_in_opening_hours_no_out_of_hours_notice(patient: Patient) -> None:
    with time_machine.travel(TUESDAY_NOON, tick=False):
        html = check_in_with_a_red_flag(patient)
    assert "Your clinic has been alerted" in html
    assert "The clinic is closed now" not in html


def test_without_an_out_of_hours_number_the_patient_is_told_where_to_go(
    patient: Patient,
) -> None:
    with time_machine.travel(SATURDAY_NIGHT, tick=False):
        html = check_in_with_a_red_flag(patient)
    assert "contact your out-of-hours service or emergency department" in html
    # No emergency number set (the default): a neutral one, right wherever the patient is.
    assert "In an emergency, call your local emergency number." in html


def patient_with_one_exercise(clinician: Clinician) -> Patient:
    patient = factories.PatientFactory(clinic=clinician.clinic)
    plan = factories.PlanFactory(patient=patient, created_by=clinician.user)
    phase = factories.PlanPhaseFactory(plan=plan)
    plan.current_phase = phase
    plan.save(update_fields=["current_phase"])
    factories.PrescriptionFactory(phase=phase, days_per_week=7, times_per_day=1)
    return patient


def test_today_offers_reminders_after_the_first_completed_session(clinician: Clinician) -> None:
    patient = patient_with_one_exercise(clinician)
    client = client_for(patient.user)
    offer = "Would you like a reminder on the days your exercises are waiting?"
    assert offer not in client.get(reverse("rehab:today")).content.decode()

    exercises_done(patient)
    html = client.get(reverse("rehab:today")).content.decode()
    assert offer in html
    assert reverse("notify:reminders") in html

    # Once the patient has made a choice (even "off"), the offer is gone.
    notify_services.reminder_settings_save(patient=patient, enabled=False)
    assert offer not in client.get(reverse("rehab:today")).content.decode()


def test_no_reminder_offer_while_a_red_flag_pauses_exercise(clinician: Clinician) -> None:
    # The session was done this morning; a red flag reported since paused the plan. Today
    # says not to exercise until the physiotherapist has looked: no "reminder to exercise".
    patient = patient_with_one_exercise(clinician)
    exercises_done(patient)
    factories.red_flags_reported(patient, "dvt")
    html = client_for(patient.user).get(reverse("rehab:today")).content.decode()
    assert "Your exercises are paused" in html
    assert "Would you like a reminder on the days your exercises are waiting?" not in html


def test_one_set_of_three_is_not_called_a_session_done(clinician: Clinician) -> None:
    """One set ticked of the three prescribed: Today said "Well done: today's session is
    done." above a card still saying "Sets done: 1 of 3"."""
    patient = patient_with_one_exercise(clinician)
    rx = Prescription.objects.get(phase__plan__patient=patient)
    rx.sets = 3
    rx.save(update_fields=["sets"])
    client = client_for(patient.user)
    log, _created = rehab_services.log_record(
        patient=patient, prescription=rx, client_uuid=uuid.uuid4(), sets_done=1
    )
    html = client.get(reverse("rehab:today")).content.decode()
    assert "Sets done: 1 of 3" in html
    assert "session is done" not in html
    rehab_services.log_update(log=log, sets_done=3)
    assert "session is done" in client.get(reverse("rehab:today")).content.decode()


def test_the_patient_page_shows_reminders_and_the_last_delivery(clinician: Clinician) -> None:
    patient = patient_with_one_exercise(clinician)
    url = reverse("rehab:patient_detail", args=[patient.pk])
    client = client_for(clinician.user)
    html = client.get(url).content.decode()
    assert "Reminders" in html
    assert "Last delivered:" in html
    assert "never" in html

    notify_services.reminder_settings_save(
        patient=patient, enabled=True, morning=dt.time(8, 0), evening=dt.time(19, 30)
    )
    Notification.objects.create(
        key="r1",
        kind="reminder",
        channel="push",
        user=patient.user,
        patient=patient,
        state="sent",
        finished_at=dt.datetime.now(tz=dt.UTC) - dt.timedelta(hours=2),
    )
    html = client.get(url).content.decode()
    assert "On: 08:00 · 19:30, by notification." in html
    assert "2\xa0hours ago" in html
    assert "may have stopped accepting notifications" not in html
    # Once care has ended none is sent, whatever the settings (from review: it said "On").
    Patient.objects.filter(pk=patient.pk).update(status=Patient.Status.DISCHARGED)
    html = client.get(url).content.decode()
    assert "On: 08:00" not in html
    assert "Off: none is sent once care has ended." in html


def test_a_patient_s_reminder_times_name_their_zone_when_it_is_not_the_clinic_s(
    clinician: Clinician,
) -> None:
    """(from review) The reminder times are the patient's wall-clock times: for a patient in
    Auckland the clinician in London read "On: 08:00 · 19:30" as their own 08:00."""
    patient = patient_with_one_exercise(clinician)
    notify_services.reminder_settings_save(
        patient=patient,
        enabled=True,
        morning=dt.time(8, 0),
        evening=dt.time(19, 30),
        timezone_name="Pacific/Auckland",
    )
    html = client_for(clinician.user).get(reverse("rehab:patient_detail", args=[patient.pk]))
    text = " ".join(html.content.decode().split())
    assert "On: 08:00 · 19:30 (Pacific/Auckland time), by notification." in text


def failed(patient: Patient, *, days_ago: int, key: str, state: str = "expired") -> None:
    Notification.objects.create(
        key=key,
        kind="reminder",
        channel="push",
        user=patient.user,
        patient=patient,
        state=state,
        created_at=dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=days_ago),
        finished_at=dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=days_ago),
    )


def test_the_dashboard_flags_a_patient_whose_deliveries_failed_for_three_days(
    clinician: Clinician,
) -> None:
    failing = patient_with_one_exercise(clinician)
    recent = patient_with_one_exercise(clinician)
    recovered = patient_with_one_exercise(clinician)
    for patient in (failing, recent, recovered):
        notify_services.reminder_settings_save(patient=patient, enabled=True, morning=dt.time(8, 0))
    for day in (4, 3, 2, 1):
        failed(failing, days_ago=day, key=f"f{day}")
    failed(recent, days_ago=1, key="r1")  # one day only: not yet
    failed(recovered, days_ago=5, key="v5")
    failed(recovered, days_ago=1, key="v1", state="sent")  # delivered since

    html = client_for(clinician.user).get(reverse("rehab:dashboard")).content.decode()
    assert "Reminders have not reached this patient for 3 days or more." in html
    assert failing.full_name in html.split("Needs a look")[1]
    section = html.split("Needs a look")[1].split("</section>")[0]
    assert recent.full_name not in section
    assert recovered.full_name not in section

    page = client_for(clinician.user).get(reverse("rehab:patient_detail", args=[failing.pk]))
    assert "may have stopped accepting notifications" in page.content.decode()


def test_another_clinic_s_dashboard_shows_none_of_it(
    clinician: Clinician, other_clinician: Clinician
) -> None:
    failing = patient_with_one_exercise(clinician)
    notify_services.reminder_settings_save(patient=failing, enabled=True, morning=dt.time(8, 0))
    failed(failing, days_ago=4, key="f4")
    html = client_for(other_clinician.user).get(reverse("rehab:dashboard")).content.decode()
    assert "Needs a look" not in html
    assert failing.full_name not in html


def failed_alert(patient: Patient, *, hours_ago: int, key: str) -> None:
    Notification.objects.create(
        key=key,
        kind="alert",
        channel="email",
        email="team@example.com",
        patient=patient,
        state="failed",
        created_at=dt.datetime.now(tz=dt.UTC) - dt.timedelta(hours=hours_ago),
    )


def test_the_dashboard_flags_are_each_list_in_name_order_and_count_every_undelivered_alert(
    clinician: Clinician, other_clinician: Clinician
) -> None:
    """Paused plans and failing reminders, each list by name, a patient on both lists when
    both; only active patients of the clinic; every undelivered alert notification of the last
    day counted, two of one patient twice."""
    names = {"both": ("Ann", "Cole"), "failing": ("Ben", "Abbot"), "paused": ("Cy", "Baker")}
    made = {}
    for key, (first, last) in names.items():
        made[key] = patient_with_one_exercise(clinician)
        Patient.objects.filter(pk=made[key].pk).update(first_name=first, last_name=last)
    discharged = patient_with_one_exercise(clinician)
    elsewhere = patient_with_one_exercise(other_clinician)
    for patient in (made["both"], made["paused"], elsewhere):
        Plan.objects.filter(patient=patient).update(status=Plan.Status.PAUSED)
    Patient.objects.filter(pk=discharged.pk).update(status=Patient.Status.DISCHARGED)
    for patient in (made["both"], made["failing"], discharged, elsewhere):
        failed(patient, days_ago=4, key=f"r{patient.pk}")
    alerts = [(made["paused"], 1), (made["paused"], 2), (made["failing"], 3), (made["both"], 30)]
    alerts += [(discharged, 4), (elsewhere, 1)]
    for n, (patient, hours_ago) in enumerate(alerts):
        failed_alert(patient, hours_ago=hours_ago, key=f"a{n}")

    flags = notify_selectors.dashboard_flags(clinician.clinic)

    assert [p.full_name for p in flags.paused] == ["Cy Baker", "Ann Cole"]
    assert [p.full_name for p in flags.failing] == ["Ben Abbot", "Ann Cole"]
    assert [p.pk for p in flags.paused] == [made["paused"].pk, made["both"].pk]
    assert flags.undelivered_alerts == 4  # the discharged patient's too, not the day-old one


@pytest.mark.parametrize(
    ("who", "links"),
    [
        ("patient", ["notify:reminders"]),
        ("clinician", ["notify:clinician_settings"]),
        ("clinic_admin", ["notify:clinician_settings", "clinic:clinic_settings"]),
    ],
)
def test_the_account_page_links_to_the_right_settings(
    who: str, links: list[str], clinician: Clinician, patient: Patient
) -> None:
    users: dict[str, Any] = {
        "patient": patient.user,
        "clinician": clinician.user,
        "clinic_admin": factories.ClinicAdminFactory(clinic=clinician.clinic).user,
    }
    html = client_for(users[who]).get(reverse("clinic:account")).content.decode()
    for name in ("notify:reminders", "notify:clinician_settings", "clinic:clinic_settings"):
        assert (f'href="{reverse(name)}"' in html) is (name in links), name


@pytest.mark.skipif(
    not hasattr(Plan.Status, "PAUSED"),
    reason="plans are paused by a red flag once the clinical loop (issue 16) adds the status",
)
def test_the_dashboard_flags_a_paused_plan(clinician: Clinician) -> None:
    patient = patient_with_one_exercise(clinician)
    Plan.objects.filter(patient=patient).update(status=Plan.Status.PAUSED)
    html = client_for(clinician.user).get(reverse("rehab:dashboard")).content.decode()
    section = html.split("Needs a look")[1].split("</section>")[0]
    assert patient.full_name in section
    assert "Plan paused" in section
