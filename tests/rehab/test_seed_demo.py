"""seed_demo: a demo clinic with people, active plans and logs; safe to run twice."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinic, Clinician, Patient, User
from rehab.management.commands.seed_demo import DEMO_PASSWORD
from rehab.models import ExerciseLog, Plan
from rehab.selectors import adherence_for_patients

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_people_plans_and_logs_and_prints_logins() -> None:
    output = run()
    for email in (
        "physio@demo.example",
        "clinic-admin@demo.example",
        "superuser@demo.example",
        "olivia@demo.example",
        "noah@demo.example",
    ):
        assert email in output
        assert authenticate(email=email, password=DEMO_PASSWORD) is not None
    assert DEMO_PASSWORD in output
    clinic = Clinic.objects.get(slug="demo")
    assert Clinician.objects.filter(clinic=clinic, role=Clinician.Role.ADMIN).count() == 1
    assert User.objects.get(email="superuser@demo.example").is_superuser
    pathways = set(Patient.objects.filter(clinic=clinic).values_list("pathway", flat=True))
    assert pathways == {Patient.Pathway.OPERATIVE, Patient.Pathway.NON_OPERATIVE}
    plans = Plan.objects.filter(
        patient__clinic=clinic, status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED]
    )
    assert plans.count() == 2
    # Noah's red flag has paused his plan until the physiotherapist reviews it (issue 16).
    assert plans.get(status=Plan.Status.PAUSED).patient.first_name == "Noah"
    assert all(plan.current_phase_id for plan in plans)
    weeks = {plan.week_on(plan.patient.local_today()) for plan in plans}
    assert len(weeks) == 2  # the two patients are at different weeks
    assert ExerciseLog.objects.filter(patient__clinic=clinic).count() > 20


def test_the_demo_physiotherapist_looks_after_the_demo_patients(client: Client) -> None:
    """Signed in as the demo's physiotherapist, the dashboard's "My patients" lists both demo
    patients (it said nobody was assigned, so the first page a tryer sees was empty)."""
    run()
    physio = User.objects.get(email="physio@demo.example")
    patients = Patient.objects.filter(clinic__slug="demo")
    assert {p.therapist.user for p in patients if p.therapist} == {physio}
    assert all(p.therapist_id for p in patients)
    client.force_login(physio)
    page = client.get(reverse("rehab:dashboard")).content.decode()
    mine = page.split('id="mine-heading"', 1)[1].split("</section>", 1)[0]
    assert "Olivia Operative" in mine
    assert "Noah Conservative" in mine


def test_seed_demo_history_gives_realistic_adherence() -> None:
    """The plan is backdated with its phase history, so last week's logs count as adherence."""
    run()
    patients = list(Patient.objects.filter(clinic__slug="demo"))
    today = timezone.localdate()
    adherence = adherence_for_patients(
        patients, start=today - dt.timedelta(days=7), end=today - dt.timedelta(days=1)
    )
    for patient in patients:
        percent = adherence[patient.pk].percent
        assert percent is not None
        assert 50 <= percent <= 100, (patient, percent)
    # Since each plan started too: its first weeks are logged, not left as if skipped.
    for patient in patients:
        plan = patient.plans.get()
        since_start = adherence_for_patients(
            [patient], start=plan.anchor_date, end=today - dt.timedelta(days=1)
        )[patient.pk]
        assert since_start.percent is not None
        assert 70 <= since_start.percent <= 100, (patient, since_start.percent)


def test_seed_demo_twice_changes_nothing() -> None:
    run()
    counts = (User.objects.count(), Patient.objects.count(), Plan.objects.count())
    logs = ExerciseLog.objects.count()
    run()
    assert (User.objects.count(), Patient.objects.count(), Plan.objects.count()) == counts
    assert ExerciseLog.objects.count() == logs


def test_seed_demo_refuses_without_debug() -> None:
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
