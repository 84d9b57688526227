"""The API against a Redis that cannot be reached: the cache is a help, never a dependency.
Sign-in, today, the lists and a log answer as usual, and a log sent again is stored once.

The cache is configured as production configures it (``REDIS_URL``, ``config.env``), pointed at
a local port that refuses connections; the database works. The pages' own behaviour without
Redis is tested with the cache (tests/core/test_cache.py); this covers the API.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from config.env import env_caches
from core.ids import opaque
from rehab.models import ExerciseLog
from tests import factories
from tests.api.conftest import make_active_plan
from tests.faults.conftest import phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_unreachable(settings: Any, refusing_port: int) -> None:
    """Django's caches as production makes them from ``REDIS_URL``, at a refusing port."""
    settings.CACHES = env_caches(
        "REDIS_URL", environ={"REDIS_URL": f"redis://127.0.0.1:{refusing_port}/0"}
    )


@pytest.mark.usefixtures("redis_unreachable")
def test_a_phone_signs_in_reads_today_and_logs_once() -> None:
    prescription = make_active_plan(factories.PatientFactory())
    client = phone(prescription.phase.plan.patient.user)  # the sign-in's throttle counts in Redis
    today = client.get("/api/v1/me/today/")
    assert today.status_code == 200, today.content[:300]
    assert [item["prescription"]["id"] for item in today.json()["items"]] == [
        opaque(prescription.pk)
    ]
    log = {
        "prescription": opaque(prescription.pk),
        "client_uuid": str(uuid.uuid4()),
        "sets_done": 1,
    }
    first = client.post("/api/v1/logs/", log, format="json")
    again = client.post("/api/v1/logs/", log, format="json")
    assert (first.status_code, again.status_code) == (201, 200), first.content[:300]
    assert ExerciseLog.objects.filter(client_uuid=log["client_uuid"]).count() == 1
    # What the patient logged is in the next read: nothing stale from a cache.
    after = client.get("/api/v1/me/today/").json()
    assert [len(item["logs"]) for item in after["items"]] == [1]


@pytest.mark.usefixtures("redis_unreachable")
def test_a_clinician_reads_the_lists() -> None:
    clinician = factories.ClinicianFactory()
    make_active_plan(factories.PatientFactory(clinic=clinician.clinic))
    client = phone(clinician.user)
    for url in ["/api/v1/patients/", "/api/v1/plans/", "/api/v1/logs/", "/api/v1/alerts/"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])


@pytest.mark.usefixtures("redis_unreachable")
def test_the_sign_in_throttle_still_answers(db: None) -> None:
    """With no shared count to read, the sign-in still checks the password (and django-axes,
    whose count is in the database, still locks an account after five failures)."""
    user = factories.UserFactory()
    wrong = {"email": user.email, "password": "not-the-password-at-all"}
    codes = [
        APIClient(raise_request_exception=False)
        .post("/api/v1/auth/login/", wrong, format="json")
        .status_code
        for _ in range(5)
    ]
    assert codes == [400, 400, 400, 400, 429]
