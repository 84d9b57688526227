"""seed_scale: a tiny run makes consistent data on SQLite (executemany) and PostgreSQL (COPY)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import models
from django.db.models import Count, F, Q
from django.utils import timezone

from clinic.models import Clinic, Clinician, Message, Patient, User
from rehab import selectors
from rehab.management.scale.accounts import (
    BENCH_PATIENT_EMAIL,
    FOCUS_CLINICIAN_EMAIL,
    SCALE_PASSWORD,
    SLUG_PREFIX,
)
from rehab.models import (
    Alert,
    AtrsResponse,
    CheckIn,
    Exercise,
    ExerciseLog,
    Measurement,
    PhaseChange,
    Plan,
    PlanPhase,
    Prescription,
)
from tests import factories

# Every test seeds from the real library and protocol templates (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]

DAYS = 10
FOCUS = 8


# What every run makes (alerts only when a pain or a red flag calls for one; users too).
SEEDED: tuple[type[models.Model], ...] = (
    Clinic,
    Clinician,
    Patient,
    Plan,
    PlanPhase,
    Prescription,
    PhaseChange,
    ExerciseLog,
    CheckIn,
    AtrsResponse,
    Measurement,
    Message,
)


def seed(*extra: str) -> str:
    out = StringIO()
    call_command(
        "seed_scale",
        "--force",
        "--clinics=2",
        "--patients=20",
        f"--days={DAYS}",
        f"--focus-clinician-patients={FOCUS}",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_a_tiny_run_makes_every_kind_of_row_and_prints_counts_and_logins() -> None:
    output = seed()
    for model in (User, *SEEDED):
        assert model.objects.exists(), model.__name__
        assert model._meta.label in output
    assert "Generated in" in output
    assert FOCUS_CLINICIAN_EMAIL in output
    assert SCALE_PASSWORD in output
    assert Clinic.objects.filter(slug__startswith=SLUG_PREFIX).count() == 2
    assert Patient.objects.count() == 20
    assert set(Patient.objects.values_list("pathway", flat=True)) == {
        Patient.Pathway.OPERATIVE,
        Patient.Pathway.NON_OPERATIVE,
    }
    weeks = {p.week_on(p.local_today()) for p in Patient.objects.all()}
    assert len(weeks) > 5  # patients at many different weeks


def test_the_focus_clinician_and_bench_patient_can_sign_in() -> None:
    seed()
    clinician = Clinician.objects.select_related("clinic").get(user__email=FOCUS_CLINICIAN_EMAIL)
    assert clinician.clinic.slug == f"{SLUG_PREFIX}001"
    assert clinician.clinic.patients.filter(status=Patient.Status.ACTIVE).count() == FOCUS
    assert authenticate(email=FOCUS_CLINICIAN_EMAIL, password=SCALE_PASSWORD) == clinician.user
    patient = Patient.objects.get(user__email=BENCH_PATIENT_EMAIL)
    assert authenticate(email=BENCH_PATIENT_EMAIL, password=SCALE_PASSWORD) == patient.user
    # Every patient has an account; the password was hashed once and shared.
    assert not Patient.objects.filter(user__isnull=True).exists()
    assert User.objects.values("password").distinct().count() == 1
    # The bench patient's pages have something to show.
    today = selectors.today_for_patient(patient)
    assert today.plan is not None
    assert today.items
    # Judged as the app judges it (today, not over yet, counts what was done, never a debt):
    # the seed makes today's ticks up to the hour it runs.
    adherence = selectors.judged_adherence_for_patient(patient, today=patient.local_today(), days=7)
    assert adherence.percent is not None
    assert adherence.percent > 50, [(d.day, d.expected, d.done) for d in adherence.days]


def test_the_data_keeps_the_models_rules() -> None:
    seed()
    # Every log's prescription belongs to the patient's own plan; dates within the plan's life.
    assert not ExerciseLog.objects.exclude(prescription__phase__plan__patient=F("patient")).exists()
    assert not ExerciseLog.objects.filter(
        date__lt=F("prescription__phase__plan__anchor_date")
    ).exists()
    for log in ExerciseLog.objects.select_related("patient"):
        assert log.date <= log.patient.local_today()
        assert log.date > log.patient.local_today() - dt.timedelta(days=DAYS)
    # Active patients have exactly one active plan; the others a completed one.
    active_plans = Count("plans", filter=Q(plans__status=Plan.Status.ACTIVE))
    counts = Patient.objects.annotate(n=active_plans)
    assert all(p.n == 1 for p in counts.filter(status=Patient.Status.ACTIVE))
    assert all(p.n == 0 for p in counts.exclude(status=Patient.Status.ACTIVE))
    # Each plan's current phase and phase history are its own, and it starts with a change.
    assert not Plan.objects.exclude(current_phase__plan=F("pk")).exists()
    assert not PhaseChange.objects.exclude(to_phase__plan=F("plan")).exists()
    assert not Plan.objects.annotate(n=Count("phase_changes")).filter(n=0).exists()
    # A copy of the protocol: same phases and items.
    plan = Plan.objects.select_related("protocol").first()
    assert plan is not None
    assert plan.protocol is not None
    assert plan.phases.count() == plan.protocol.phases.count()
    assert (
        Prescription.objects.filter(phase__plan=plan).count()
        == plan.protocol.phases.aggregate(n=Count("items"))["n"]
    )
    # Advice to read (education items) is in the plans but never logged: it has no session.
    assert Prescription.objects.filter(exercise__category=Exercise.Category.EDUCATION).exists()
    assert not ExerciseLog.objects.filter(
        prescription__exercise__category=Exercise.Category.EDUCATION
    ).exists()
    # Check-ins once a day; ATRS totals add up; alerts follow pain >= 7.
    assert not CheckIn.objects.values("patient", "date").annotate(n=Count("pk")).filter(n__gt=1)
    for response in AtrsResponse.objects.all():
        assert response.total == response.compute_total()
    high = ExerciseLog.objects.filter(pain__gte=7)
    assert Alert.objects.filter(log__in=high).count() == high.count()
    assert not Alert.objects.filter(log__pain__lt=7).exists()
    # Unique client ids across the board (the constraint would have refused a clash).
    assert (
        ExerciseLog.objects.values("client_uuid").distinct().count() == ExerciseLog.objects.count()
    )
    # Nothing happened in the future.
    now = timezone.now()
    timed: type[models.Model]
    for timed, name in (
        (ExerciseLog, "created_at"),
        (CheckIn, "created_at"),
        (Alert, "created_at"),
        (AtrsResponse, "created_at"),
        (Measurement, "created_at"),
        (Message, "created_at"),
        (Plan, "activated_at"),
        (Plan, "updated_at"),
        (PhaseChange, "changed_at"),
        (Patient, "updated_at"),
    ):
        assert not timed._default_manager.filter(**{f"{name}__gt": now}).exists(), (timed, name)
    # And a sample of every model passes full_clean (validators and constraints).
    for model in (*SEEDED, Alert):
        for obj in model.objects.order_by("?")[:5]:
            obj.full_clean()


def test_new_rows_after_a_run_get_fresh_ids() -> None:
    seed()
    patient = Patient.objects.get(user__email=BENCH_PATIENT_EMAIL)
    log = ExerciseLog.objects.filter(patient=patient).first()
    assert log is not None
    copy = ExerciseLog.objects.create(
        patient=patient,
        prescription=log.prescription,
        date=log.date,
        sets_done=1,
        sets_prescribed=log.prescription.sets,
    )
    assert copy.pk > ExerciseLog.objects.exclude(pk=copy.pk).order_by("-pk").first().pk


def test_wipe_removes_only_scale_data() -> None:
    mine = factories.PatientFactory()
    seed()
    with pytest.raises(CommandError, match="--wipe"):
        seed()
    output = seed("--wipe")
    assert "Wiped" in output
    assert Patient.objects.filter(clinic__slug__startswith=SLUG_PREFIX).count() == 20
    call_command("seed_scale", "--force", "--wipe", "--patients=0", stdout=StringIO())
    assert not Clinic.objects.filter(slug__startswith=SLUG_PREFIX).exists()
    assert not User.objects.filter(email__endswith="@scale.example").exists()
    assert list(Patient.objects.all()) == [mine]
    assert User.objects.filter(pk=mine.user_id).exists()


def test_wipe_on_a_database_of_scale_data_only() -> None:
    seed()
    call_command("seed_scale", "--force", "--wipe", "--patients=0", stdout=StringIO())
    for model in (Clinic, Patient, Plan, ExerciseLog, CheckIn, Alert):
        assert not model.objects.exists(), model.__name__


def test_seed_scale_refuses_without_debug() -> None:
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_scale", "--patients=2", "--clinics=1", stdout=StringIO())


def _logged_or_checked_in_today() -> int:
    """Patients with an exercise log or a check-in dated their own local today."""
    return sum(
        ExerciseLog.objects.filter(patient=p, date=p.local_today()).exists()
        or CheckIn.objects.filter(patient=p, date=p.local_today()).exists()
        for p in Patient.objects.filter(status=Patient.Status.ACTIVE)
    )


def test_no_today_leaves_every_patients_day_fresh() -> None:
    # Late in the evening in London and Dublin: without the flag, most active patients have
    # already logged or checked in today.
    evening = timezone.now().astimezone(dt.UTC).replace(hour=21, minute=30)
    # Another clinic's patient: --wipe then deletes rows instead of TRUNCATE, whose SET
    # CONSTRAINTS ALL IMMEDIATE would outlast it in the test's one transaction.
    factories.PatientFactory()
    with time_machine.travel(evening, tick=False):
        seed()
        assert _logged_or_checked_in_today() > 0
        seed("--wipe", "--no-today")
        assert _logged_or_checked_in_today() == 0
        # The history before today is there as before.
        assert ExerciseLog.objects.filter(patient__user__email=BENCH_PATIENT_EMAIL).exists()
