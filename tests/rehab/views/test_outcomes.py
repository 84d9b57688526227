"""The clinic's outcomes page: clinic admins only, aggregates by pathway, CSV, and a query
count that does not grow with the patients."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinician, Patient
from rehab.models import Alert, PhaseChange, Plan, Prescription
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _patients(clinic: object, n: int) -> None:
    surgery = dt.date.today() - dt.timedelta(weeks=26, days=3)
    for _ in range(n):
        patient = factories.PatientFactory.create(
            clinic=clinic,
            last_name="Quillfeather",  # a name no page text could contain by chance
            injury_date=dt.date.today() - dt.timedelta(weeks=27),
            surgery_date=surgery,
        )
        plan, (first, second) = factories.active_plan(patient, phases=2)
        # In the second phase since week 6: the median time to reach it.
        PhaseChange.objects.create(
            plan=plan,
            from_phase=first,
            to_phase=second,
            effective_on=surgery + dt.timedelta(weeks=6),
        )
        Plan.objects.filter(pk=plan.pk).update(current_phase=second)
        # One daily exercise, done on each of the 13 days before today: adherence ≥ 80 %.
        rx = factories.PrescriptionFactory(phase=second, times_per_day=1, days_per_week=7)
        Prescription.objects.filter(pk=rx.pk).update(
            created_at=timezone.now() - dt.timedelta(days=60)
        )
        for back in range(1, 14):
            factories.ExerciseLogFactory(
                prescription=rx, date=timezone.localdate() - dt.timedelta(days=back)
            )
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


def test_a_clinic_admin_reaches_it_from_the_clinic_settings(clinician: Clinician) -> None:
    """The page had no link anywhere in the app: it is listed on the clinic settings page
    (clinic admins only, as the page is), beside the risk-factor offsets."""
    admin = factories.ClinicAdminFactory.create(clinic=clinician.clinic)
    page = client_for(admin.user).get(reverse("clinic:clinic_settings")).content.decode()
    assert f'href="{reverse("rehab:clinic_outcomes")}"' in page


def test_the_aggregates_and_the_csv(clinician: Clinician) -> None:
    admin = factories.ClinicAdminFactory.create(clinic=clinician.clinic)
    _patients(clinician.clinic, 5)  # 5: the fewest patients a shared figure may be about
    other = factories.ClinicFactory.create()
    _patients(other, 3)  # another clinic's patients are not counted
    html = client_for(admin.user).get(reverse("rehab:clinic_outcomes")).content.decode()
    assert "5 patients" in html
    assert "Stage 1: 5" in html
    assert "≥ 80 %: 5" in html
    assert "Nilsson-Helander 2010" in html  # the published mean near week 26
    csv = client_for(admin.user).get(reverse("rehab:clinic_outcomes_csv")).content.decode()
    lines = csv.splitlines()
    assert "operative,patients,5,5," in lines
    assert any(
        line.startswith('operative,ATRS mean around week 26,60.0,5,"72.0 at week 26 (Nilsson')
        for line in lines
    ), csv
    assert "operative,suspected re-ruptures per 100 patients,100.0,5," in lines
    assert "operative,median weeks to reach: Stage 0,0.0,5," in lines
    assert "operative,median weeks to reach: Stage 1,6.0,5," in lines
    assert "operative,patients in care with adherence ≥ 80 % over 14 days,5,5," in lines
    assert "operative,patients in care with adherence < 50 % over 14 days,0,0," in lines
    assert "operative,patients in care with nothing prescribed over 14 days,0,0," in lines
    assert Patient.objects.filter(last_name="Quillfeather").count() == 8
    assert "Quillfeather" not in csv  # no names, in the file or the page
    assert "Quillfeather" not in html


@pytest.mark.parametrize("n", [1, 4])
def test_the_csv_withholds_figures_about_fewer_than_5_patients(
    clinician: Clinician, n: int
) -> None:
    """The CSV is shared outside the clinic: a count of 1 to 4 patients, or a median, mean or
    rate over fewer than 5, reads ``<5`` with no value; zeros are given. The page, for the
    clinic admin who can open each of these patients' records, keeps every figure and says
    so."""
    admin = factories.ClinicAdminFactory.create(clinic=clinician.clinic)
    _patients(clinician.clinic, n)
    csv = client_for(admin.user).get(reverse("rehab:clinic_outcomes_csv")).content.decode()
    lines = csv.splitlines()
    assert "operative,patients,,<5," in lines
    assert "operative,in phase: Stage 1,,<5," in lines
    assert "operative,median weeks to reach: Stage 1,,<5," in lines
    assert "operative,patients in care with adherence ≥ 80 % over 14 days,,<5," in lines
    assert "operative,patients in care with adherence < 50 % over 14 days,0,0," in lines
    assert "operative,patients in care with nothing prescribed over 14 days,0,0," in lines
    assert any(
        line.startswith('operative,ATRS mean around week 26,,<5,"72.0 at week 26 (Nilsson')
        for line in lines
    ), csv
    assert any(line.startswith("operative,ATRS mean around week 12,,0,") for line in lines)
    assert "operative,red flags per 100 patients,,<5," in lines
    assert "operative,suspected re-ruptures per 100 patients,,<5," in lines
    assert "non_operative,patients,0,0," in lines
    html = client_for(admin.user).get(reverse("rehab:clinic_outcomes")).content.decode()
    assert f"Stage 1: {n}" in html
    assert f"≥ 80 %: {n}" in html
    assert "leave out any figure about fewer than 5 patients" in html


def test_the_csv_leaves_a_rate_without_patients_empty_not_zero(clinician: Clinician) -> None:
    """No non-operative patients: their rates per 100 patients are unknown (empty, as the page's
    "–"), not 0 per 100, which would read as none reported among some patients."""
    admin = factories.ClinicAdminFactory.create(clinic=clinician.clinic)
    _patients(clinician.clinic, 1)
    csv = client_for(admin.user).get(reverse("rehab:clinic_outcomes_csv")).content.decode()
    lines = csv.splitlines()
    assert "non_operative,patients,0,0," in lines
    assert "non_operative,red flags per 100 patients,,0," in lines
    assert "non_operative,suspected re-ruptures per 100 patients,,0," in lines
    assert any(line.startswith("non_operative,ATRS mean around week 12,,0,") for line in lines)


def test_the_query_count_does_not_grow_with_patients(clinician: Clinician) -> None:
    admin = factories.ClinicAdminFactory.create(clinic=clinician.clinic)
    client = client_for(admin.user)
    _patients(clinician.clinic, 2)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("rehab:clinic_outcomes"))
    _patients(clinician.clinic, 18)  # 10×
    with CaptureQueriesContext(connection) as large:
        assert "20 patients" in client.get(reverse("rehab:clinic_outcomes")).content.decode()
    # Aggregates in the database: adherence (3: plans in care with their phase changes,
    # prescriptions, logs), patients and adherence bands, phases, time to each phase, ATRS,
    # alerts, references (9), whatever the number of patients.
    assert len(large) == len(small)


def test_the_page_names_each_published_figure_its_time_point_group_and_source(
    clinician: Clinician,
) -> None:
    """Beside the clinic's mean: the published statistic, its week, who was measured (with
    their number) and the source; UKSTAR's 8-week mean is not set beside "around week 12"."""
    admin = factories.ClinicAdminFactory.create(clinic=clinician.clinic)
    html = client_for(admin.user).get(reverse("rehab:clinic_outcomes")).content.decode()
    assert "non-operative (97, with the operative arm)" in html
    assert "Nilsson-Helander 2010, AJSM" in html
    assert "UKSTAR" not in html
    assert "No published figure within this window" in html
    # The time zeros differ, and the page says so.
    assert "the trials count from the injury" in html


def test_the_csv_names_each_published_figures_statistic_and_group(clinician: Clinician) -> None:
    """A published figure in the CSV says whether it is a mean or a median and who was measured
    (with their number), as the page does."""
    admin = factories.ClinicAdminFactory.create(clinic=clinician.clinic)
    csv = client_for(admin.user).get(reverse("rehab:clinic_outcomes_csv")).content.decode()
    assert (
        "72.0 at week 26 (Nilsson-Helander 2010, AJSM, doi 10.1177/0363546510376052): "
        "mean, operative (97, with the non-operative arm)"
    ) in csv


def test_the_browser_title_names_the_page_once(clinician: Clinician) -> None:
    """The title block added the page's title to base.html's, which already names it: the
    tab read "Outcomes – Outcomes – Rehab"."""
    admin = factories.ClinicAdminFactory.create(clinic=clinician.clinic)
    response = client_for(admin.user).get(reverse("rehab:clinic_outcomes"))
    title = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert title is not None
    assert " ".join(title.group(1).split()) == f"{response.context['title']} – {settings.SITE_NAME}"
