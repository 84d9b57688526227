"""A database outage answers 503 with Retry-After (JSON under /api/), anywhere it strikes; any
other error stays a 500 (JSON under /api/). The real outage: tests/faults/test_database.py."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from clinic.models import Clinician, Patient
from core.errors import RETRY_AFTER_SECONDS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production_errors(settings: Any) -> None:
    settings.DEBUG = False  # handler500 answers only with DEBUG off


def failing_client(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("error", [OperationalError("the server closed"), InterfaceError("gone")])
def test_an_outage_in_a_page_is_a_503_page(clinician: Clinician, error: Exception) -> None:
    with mock.patch("rehab.selectors.clinician.patients_matching", side_effect=error):
        response = failing_client(clinician.user).get(reverse("rehab:patient_list"))
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    assert "Briefly unavailable" in response.content.decode()


def test_an_outage_in_an_api_view_is_a_json_503(patient: Patient) -> None:
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(patient.user)
    with mock.patch(
        "rehab.selectors.today.today_for_patient", side_effect=OperationalError("pool timeout")
    ):
        response = api.get("/api/v1/me/today/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "briefly unavailable" in response.json()["detail"]


def test_other_errors_stay_500(clinician: Clinician, patient: Patient) -> None:
    with mock.patch("rehab.selectors.clinician.patients_matching", side_effect=ValueError):
        page = failing_client(clinician.user).get(reverse("rehab:patient_list"))
    assert page.status_code == 500
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(patient.user)
    with mock.patch("rehab.selectors.today.today_for_patient", side_effect=ValueError):
        response = api.get("/api/v1/me/today/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error."}
    assert "Retry-After" not in response
