"""The data migration of the 2026 clinical review (``*_shipped_defaults_2026_review``): it brings the shipped library
and templates to this release's fixtures, and never changes a patient's plan."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.forms.models import model_to_dict

from clinic.models import Patient
from rehab.models import (
    Exercise,
    ExerciseLog,
    Plan,
    PlanPhase,
    Prescription,
    Protocol,
    ProtocolItem,
    ProtocolPhase,
)
from rehab.services import plans as plan_services
from tests import factories

pytestmark = pytest.mark.django_db

# Found by name: its number follows whatever migrations come before it.
migration = importlib.import_module(
    "rehab.migrations."
    + next(
        Path(settings.BASE_DIR, "rehab", "migrations").glob("*_shipped_defaults_2026_review.py")
    ).stem
)
# The data migrations since that reword shipped rows the snapshot compares: with it, they bring
# the shipped rows to this release's fixtures.
LATER = tuple(
    importlib.import_module(f"rehab.migrations.{name}")
    for name in (
        "0021_template_notes_name_no_dose",
        "0023_non_operative_heel_raise_volume",
        "0025_shipped_gates_from_review",
    )
)
PATIENT_PHASE_FIELDS = {"patient_name", "patient_summary", "patient_care"}


def _plans_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Everything of the patients' plans but the new patient-text fields of their phases."""
    return {
        "plans": [model_to_dict(p) for p in Plan.objects.order_by("pk")],
        "phases": [
            {k: v for k, v in model_to_dict(p).items() if k not in PATIENT_PHASE_FIELDS}
            for p in PlanPhase.objects.order_by("pk")
        ],
        "prescriptions": [model_to_dict(rx) for rx in Prescription.objects.order_by("pk")],
        "logs": [model_to_dict(log) for log in ExerciseLog.objects.order_by("pk")],
    }


def _shipped_snapshot() -> dict[str, list[Any]]:
    return {
        "exercises": list(
            Exercise.objects.filter(clinic__isnull=True)
            .order_by("slug")
            .values(
                "slug",
                "name",
                "patient_name",
                "patient_summary",
                "patient_safety_notes",
                "earliest_week_operative",
                "earliest_week_non_operative",
                "default_hold_seconds",
                "default_duration_minutes",
            )
        ),
        "phases": list(
            ProtocolPhase.objects.filter(protocol__clinic__isnull=True)
            .order_by("protocol__slug", "order")
            .values("protocol__slug", "order", "name", "start_week", "end_week", "patient_care")
        ),
        "items": list(
            ProtocolItem.objects.filter(phase__protocol__clinic__isnull=True)
            .order_by("phase__protocol__slug", "phase__order", "order")
            .values("phase__order", "exercise__slug", "sets", "reps", "duration_minutes", "note")
        ),
    }


@pytest.fixture
def old_release(seeded: None) -> Patient:
    """A database as the previous release left it: old guardrail weeks and template layout,
    no patient text; a patient with a plan copied from the shipped template, with logs."""
    patient = factories.PatientFactory(pathway=Patient.Pathway.NON_OPERATIVE, surgery_date=None)
    protocol = Protocol.objects.get(slug="achilles-non-operative")
    plan = plan_services.plan_draft(patient=patient, created_by=None, protocol=protocol)[0]
    rx = Prescription.objects.filter(phase__plan=plan).first()
    assert rx is not None
    factories.ExerciseLogFactory(prescription=rx, patient=patient)
    # Roll the shipped rows back to what the previous release had.
    Exercise.objects.filter(slug="towel-calf-stretch").update(
        earliest_week_non_operative=12, patient_name="", patient_summary="", patient_safety_notes=[]
    )
    Exercise.objects.filter(slug="stationary-bike-in-boot").update(
        default_duration_minutes=None, default_hold_seconds=600
    )
    ProtocolPhase.objects.filter(protocol=protocol, order=6).delete()
    PlanPhase.objects.filter(plan=plan).update(patient_name="", patient_summary="", patient_care="")
    return patient


def test_the_migration_brings_the_shipped_rows_to_the_fixtures_and_keeps_plans(
    old_release: Patient,
) -> None:
    plans_before = _plans_snapshot()
    migration.forward(apps, None)
    for later in LATER:
        later.forward(apps, None)
    after_migration = _shipped_snapshot()
    assert _plans_snapshot() == plans_before  # no plan, phase, dose or log changed
    # Patients see "instructions updated" on the exercises whose words changed.
    assert Exercise.objects.get(slug="towel-calf-stretch").instructions_updated_at is not None
    call_command("loaddata", "library", "protocols", verbosity=0)
    assert _shipped_snapshot() == after_migration  # the fixtures' state, exactly
    towel = Exercise.objects.get(slug="towel-calf-stretch")
    assert towel.earliest_week_non_operative == 16
    assert towel.patient_name
    assert ProtocolPhase.objects.filter(protocol__slug="achilles-non-operative").count() == 6


def test_the_migration_gives_old_plan_phases_plain_words_without_changing_them(
    old_release: Patient,
) -> None:
    """A plan phase copied from the shipped template gets that phase's plain words; one a
    clinician wrote gets the words its patient read until now; one with patient text keeps it."""
    plan = Plan.objects.get(patient=old_release)
    shipped_copy, custom, written = plan.ordered_phases()[:3]
    PlanPhase.objects.filter(pk=custom.pk).update(
        goals="Our own goals",
        precautions="Our precaution",
        boot="Our boot",
        weight_bearing="",
        wedges="",
    )
    PlanPhase.objects.filter(pk=written.pk).update(patient_care="Already written")
    migration.forward(apps, None)
    shipped_copy.refresh_from_db()
    custom.refresh_from_db()
    written.refresh_from_db()
    template_phase = ProtocolPhase.objects.get(protocol__slug="achilles-non-operative", order=1)
    assert shipped_copy.patient_name == template_phase.patient_name
    assert shipped_copy.patient_care == template_phase.patient_care
    assert custom.patient_summary == "Our own goals"
    assert custom.patient_care == "Boot: Our boot\nOur precaution"
    assert written.patient_care == "Already written"


def test_the_migration_leaves_a_new_database_to_loaddata(db: None) -> None:
    migration.forward(apps, None)
    assert not Exercise.objects.exists()
    assert not Protocol.objects.exists()


def test_a_clinics_own_exercise_keeps_what_its_patients_read(db: None) -> None:
    exercise = factories.ExerciseFactory(
        clinic=factories.ClinicFactory(),
        summary="Our words",
        safety_notes=["Our safety note"],
        patient_summary="",
        patient_safety_notes=[],
    )
    migration.forward(apps, None)
    exercise.refresh_from_db()
    assert exercise.patient_summary == "Our words"
    assert exercise.patient_safety_notes == ["Our safety note"]
