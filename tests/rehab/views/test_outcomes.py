"""The clinic's outcomes page: clinic admins only, aggregates by pathway, CSV, and a query
count that does not grow with the patients."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import Clinician, Patient
from rehab.models import Alert
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _patients(clinic: object, n: int) -> None:
    surgery = dt.date.today() - dt.timedelta(weeks=26, days=3)
    for index in range(n):
        patient = factories.PatientFactory.create(
            clinic=clinic,
            # A surname no published source shares (a generated "Costa" met "Costa 2020").
            last_name=f"Outcomespatient{index}",
            injury_date=dt.date.today() - dt.timedelta(weeks=27),
            surgery_date=surgery,
        )
        factories.active_plan(patient, phases=2)
        # About 26 weeks after surgery: counted around week 26 (items 6 each: total 60).
        factories.AtrsResponseFactory.create(
            patient=patient,
            date=surgery + dt.timedelta(weeks=26),
            **{f"item_{i}": 6 for i in range(1, 11)},
            total=60,
        )
        factories.AlertFactory.create(patient=patient, kind=Alert.Kind.RED_FLAG, code="rerupture")


def test_only_clinic_admins_see_it(clinician: Clinician, patient: Patient) -> None:
    admin = factories.ClinicAdminFactory.create(clinic=clinician.clinic)
    url = reverse("rehab:clinic_outcomes")
    assert client_for(admin.user).get(url).status_code == 200
    assert client_for(clinician.user).get(url).status_code == 404
    assert client_for(patient.user).get(url).status_code == 404
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_aggregates_and_the_csv(clinician: Clinician) -> None:
    admin = factories.ClinicAdminFactory.create(clinic=clinician.clinic)
    _patients(clinician.clinic, 4)
    other = factories.ClinicFactory.create()
    _patients(other, 3)  # another clinic's patients are not counted
    html = client_for(admin.user).get(reverse("rehab:clinic_outcomes")).content.decode()
    assert "4 patients" in html
    assert "Stage 0: 4" in html
    assert "Nilsson-Helander 2010" in html  # the published mean near week 26
    csv = client_for(admin.user).get(reverse("rehab:clinic_outcomes_csv")).content.decode()
    lines = csv.splitlines()
    assert "operative,patients,4,4," in lines
    assert any(
        line.startswith('operative,ATRS mean around week 26,60.0,4,"72.0 at week 26 (Nilsson')
        for line in lines
    ), csv
    assert "operative,suspected re-ruptures per 100 patients,100.0,4," in lines
    for patient in Patient.objects.all():
        assert patient.last_name not in csv


def test_the_query_count_does_not_grow_with_patients(clinician: Clinician) -> None:
    admin = factories.ClinicAdminFactory.create(clinic=clinician.clinic)
    client = client_for(admin.user)
    _patients(clinician.clinic, 2)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("rehab:clinic_outcomes"))
    _patients(clinician.clinic, 18)  # 10×
    with CaptureQueriesContext(connection) as large:
        assert "20 patients" in client.get(reverse("rehab:clinic_outcomes")).content.decode()
    # Aggregates in the database: patients, phases, ATRS, alerts, references (5), whatever
    # the number of patients.
    assert len(large) == len(small)
