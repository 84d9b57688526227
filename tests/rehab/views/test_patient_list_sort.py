"""The patient list sorted by each column, "my patients" and "all", with the filters in the URL
and a constant number of queries at 300 patients."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinician, Patient
from rehab.selectors.clinician import PATIENT_SORTS
from tests import factories
from tests.conftest import client_for
from tests.rehab.views.test_dashboard import PATIENT_LIST_QUERIES, patient_with_plan

pytestmark = pytest.mark.django_db


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


@pytest.fixture
def four(clinician: Clinician) -> dict[str, Patient]:
    """Adams: week 8, 1 of 7 sessions, pain 8, three alerts; Brown: week 2, 7 of 7, pain 1, no
    alerts; Clark: week 5, 4 of 7, pain 5, one alert; Dixon: no plan, a check-in 10 days ago.
    Everyone but Dixon logged today."""
    clinic = clinician.clinic
    patients = {
        "Adams": patient_with_plan(
            clinic, days_done=1, pain=8, high_pain_alerts=3, last_name="Adams", injury_date=_ago(60)
        ),
        "Brown": patient_with_plan(
            clinic, days_done=7, pain=1, last_name="Brown", injury_date=_ago(20)
        ),
        "Clark": patient_with_plan(
            clinic, days_done=4, pain=5, high_pain_alerts=1, last_name="Clark", injury_date=_ago(40)
        ),
        "Dixon": factories.PatientFactory(clinic=clinic, last_name="Dixon", therapist=clinician),
    }
    factories.CheckInFactory(patient=patients["Dixon"], date=_ago(10), pain_at_rest=None)
    return patients


def _names(client: Any, **params: str) -> list[str]:
    response = client.get(reverse("rehab:patient_list"), params)
    assert response.status_code == 200
    return [row.patient.last_name for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Adams", "Brown", "Clark", "Dixon"]),
        ("-name", ["Dixon", "Clark", "Brown", "Adams"]),
        # Patients without a value (no plan, no pain, no activity) come last either way.
        ("week", ["Brown", "Clark", "Adams", "Dixon"]),
        ("-week", ["Adams", "Clark", "Brown", "Dixon"]),
        ("adherence", ["Adams", "Clark", "Brown", "Dixon"]),
        ("-adherence", ["Brown", "Clark", "Adams", "Dixon"]),
        ("pain", ["Brown", "Clark", "Adams", "Dixon"]),
        ("-pain", ["Adams", "Clark", "Brown", "Dixon"]),
        ("alerts", ["Brown", "Dixon", "Clark", "Adams"]),  # ties by name
        ("-alerts", ["Adams", "Clark", "Brown", "Dixon"]),
        ("activity", ["Dixon", "Adams", "Brown", "Clark"]),
        ("-activity", ["Adams", "Brown", "Clark", "Dixon"]),
    ],
)
def test_sorting_by_each_column(
    clinician: Clinician, four: dict[str, Patient], sort: str, expected: list[str]
) -> None:
    assert _names(client_for(clinician.user), sort=sort) == expected


@pytest.mark.parametrize(
    "sort", [f"{d}{c}" for c in PATIENT_SORTS if c != "name" for d in ("", "-")]
)
def test_a_sorted_page_shows_every_column(
    clinician: Clinician, four: dict[str, Patient], sort: str
) -> None:
    """A sort reads its column for every matching patient and the others for the page's rows
    only: each row is the same as the list by name shows it (plan, week, adherence, last pain,
    open alerts, last activity)."""
    client = client_for(clinician.user)
    by_name = client.get(reverse("rehab:patient_list")).context["rows"]
    sorted_rows = client.get(reverse("rehab:patient_list"), {"sort": sort}).context["rows"]
    assert {row.patient.pk: row for row in sorted_rows} == {row.patient.pk: row for row in by_name}


def test_the_headings_sort_and_say_how(clinician: Clinician, four: dict[str, Patient]) -> None:
    text = client_for(clinician.user).get(reverse("rehab:patient_list"), {"sort": "pain"}).text
    assert 'aria-sort="ascending"' in text
    assert "?sort=-pain" in text  # the sorted column's heading reverses it
    assert "?sort=adherence" in text
    text = client_for(clinician.user).get(reverse("rehab:patient_list"), {"sort": "-pain"}).text
    assert 'aria-sort="descending"' in text


def test_an_unknown_sort_is_by_name(clinician: Clinician, four: dict[str, Patient]) -> None:
    assert _names(client_for(clinician.user), sort="password") == [
        "Adams",
        "Brown",
        "Clark",
        "Dixon",
    ]


def test_my_patients_and_all(clinician: Clinician, four: dict[str, Patient]) -> None:
    client = client_for(clinician.user)
    assert _names(client, show="mine") == ["Dixon"]
    assert _names(client, show="mine", sort="-name") == ["Dixon"]
    assert len(_names(client, show="all")) == 4
    text = client.get(reverse("rehab:patient_list"), {"show": "mine", "sort": "pain"}).text
    # The search form keeps whose patients and the sort (the filter lives in the URL).
    assert '<input type="hidden" name="show" value="mine">' in text
    assert '<input type="hidden" name="sort" value="pain">' in text


def test_one_date_format(clinician: Clinician, four: dict[str, Patient]) -> None:
    text = client_for(clinician.user).get(reverse("rehab:patient_list")).text
    assert f"{_ago(10):%-d %b %Y}" in text  # Dixon's last activity
    assert f"{timezone.localdate():%d/%m/%Y}" not in text


def test_sorting_300_patients_keeps_the_query_count(
    clinician: Clinician, four: dict[str, Patient], django_assert_max_num_queries: Any
) -> None:
    """At most PATIENT_LIST_QUERIES (tests/rehab/views/test_dashboard.py) for every column: a
    computed column reads every matching patient (1) instead of a count and a page (2), then
    the same rows' plans, adherence and last pain/alerts/activity queries."""
    client = client_for(clinician.user)
    factories.PatientFactory.create_batch(296, clinic=clinician.clinic)
    sorts = [
        f"{d}{c}"
        for c in ("name", "week", "adherence", "pain", "alerts", "activity")
        for d in ("", "-")
    ]
    for sort in sorts:
        with django_assert_max_num_queries(PATIENT_LIST_QUERIES):
            response = client.get(reverse("rehab:patient_list"), {"sort": sort})
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 300
        shown = [row.patient.last_name for row in response.context["rows"]]
        if sort == "-adherence":
            assert shown[:3] == ["Brown", "Clark", "Adams"]
        if sort == "-alerts":
            assert shown[:2] == ["Adams", "Clark"]
