"""The migration that marks erased records (``*_patient_erased_at``) finds the records erased
before ``Patient.erased_at`` existed by what erasure left of them, and no other."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from clinic.models import Clinician, Patient
from clinic.services import patients as patient_services
from rehab.services import records as record_services
from tests import factories

pytestmark = pytest.mark.django_db

# Found by name: the integrator may renumber it.
migration = importlib.import_module(
    "clinic.migrations."
    + next(Path(settings.BASE_DIR, "clinic", "migrations").glob("*_patient_erased_at.py")).stem
)


def _erased_before_the_mark(admin: Clinician, patient: Patient) -> Patient:
    patient_services.patient_discharge(patient=patient)
    record_services.patient_erase(patient=patient, by=admin.user)
    Patient.objects.filter(pk=patient.pk).update(erased_at=None)
    patient.refresh_from_db()
    return patient


def test_records_erased_before_are_marked_and_no_other(admin: Clinician, patient: Patient) -> None:
    erased = _erased_before_the_mark(admin, patient)
    without_account = factories.PatientFactory(clinic=patient.clinic, user=None)
    erased_without_account = _erased_before_the_mark(admin, without_account)
    # An archived patient who happens to be called "Erased", with another number.
    namesake = factories.PatientFactory(
        clinic=patient.clinic,
        first_name="Erased",
        last_name="patient 1",
        email="",
        status=Patient.Status.ARCHIVED,
        user=None,
    )
    archived = factories.PatientFactory(clinic=patient.clinic, status=Patient.Status.ARCHIVED)

    migration.mark_erased(apps, None)

    marked = set(Patient.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    assert marked == {erased.pk, erased_without_account.pk}
    erased.refresh_from_db()
    assert erased.erased_at == erased.updated_at
    assert namesake.pk not in marked
    assert archived.pk not in marked
