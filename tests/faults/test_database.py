"""The app against a database that refuses connections (PostgreSQL restarting, failing over, a
pool with no connection to give): every answer is 503 with ``Retry-After`` (JSON under
``/api/``), never a 500, and nothing acknowledged is lost or stored twice: a phone that sends
the same log again once the database is back gets it stored exactly once.

The outage is real: the test's connection is pointed at a local port that refuses connections
(never the shared PostgreSQL server, which keeps running), then back. PostgreSQL only: SQLite
has no server to refuse (its in-memory test database cannot be closed and reopened).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import RETRY_AFTER_SECONDS, is_outage
from core.ids import from_opaque, opaque
from rehab.models import ExerciseLog
from tests import factories
from tests.api.conftest import make_active_plan
from tests.faults.conftest import phone

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: a database server that can refuse connections",
    ),
]


@contextlib.contextmanager
def database_refusing(port: int) -> Iterator[None]:
    """The default connection points at ``port`` (refusing) until the block ends."""
    saved = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(port))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@pytest.fixture
def production_errors(settings: Any) -> None:
    """``handler500`` answers only with DEBUG off, as in production."""
    settings.DEBUG = False


def assert_outage(response: Any, *, json: bool) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    if json:
        assert response["Content-Type"].startswith("application/json")
        assert "briefly unavailable" in response.json()["detail"]
    else:
        assert "Briefly unavailable" in response.content.decode()


@pytest.mark.usefixtures("production_errors")
def test_the_api_answers_503_and_a_retried_log_is_stored_once(refusing_port: int) -> None:
    prescription = make_active_plan(factories.PatientFactory())
    patient = prescription.phase.plan.patient
    client = phone(patient.user)
    before = client.post(
        "/api/v1/logs/",
        {"prescription": opaque(prescription.pk), "client_uuid": str(uuid.uuid4()), "sets_done": 1},
        format="json",
    )
    assert before.status_code == 201  # acknowledged before the outage
    log = {
        "prescription": opaque(prescription.pk),
        "client_uuid": str(uuid.uuid4()),
        "sets_done": 1,
        "pain": 2,
    }

    with database_refusing(refusing_port):
        assert_outage(client.post("/api/v1/logs/", log, format="json"), json=True)
        assert_outage(client.get("/api/v1/me/today/"), json=True)
        assert_outage(client.get("/api/v1/logs/"), json=True)
        anonymous = APIClient(raise_request_exception=False)
        sign_in = {"email": patient.user.email, "password": factories.PASSWORD}
        assert_outage(anonymous.post("/api/v1/auth/login/", sign_in, format="json"), json=True)

    # The database is back: the phone sends the same log again, and again.
    first = client.post("/api/v1/logs/", log, format="json")
    again = client.post("/api/v1/logs/", log, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert ExerciseLog.objects.filter(client_uuid=log["client_uuid"]).count() == 1
    assert ExerciseLog.objects.filter(pk=from_opaque(before.json()["id"])).exists()


@pytest.mark.usefixtures("production_errors")
def test_pages_answer_a_503_page(refusing_port: int) -> None:
    clinician = factories.ClinicianFactory()
    browser = Client(raise_request_exception=False)
    browser.force_login(clinician.user)  # the session is stored before the outage
    with database_refusing(refusing_port):
        assert_outage(browser.get(reverse("rehab:patient_list")), json=False)
        assert_outage(browser.get(reverse("clinic:health")), json=False)
        login = {"username": clinician.user.email, "password": factories.PASSWORD}
        assert_outage(
            Client(raise_request_exception=False).post("/accounts/login/", login), json=False
        )
    assert browser.get(reverse("rehab:patient_list")).status_code == 200


def test_a_pool_with_no_connection_to_give_is_an_outage(refusing_port: int) -> None:
    """psycopg's pool gives up after its timeout with ``PoolTimeout``, which Django raises as
    ``OperationalError``: the same 503 as a refused connection."""
    settings_dict = {
        **connection.settings_dict,
        "HOST": "127.0.0.1",
        "PORT": str(refusing_port),
        "CONN_MAX_AGE": 0,
        "OPTIONS": {
            **connection.settings_dict["OPTIONS"],
            "pool": {"min_size": 1, "max_size": 1, "timeout": 1},
        },
    }
    pooled = DatabaseWrapper(settings_dict, alias="fault_test_pool")
    try:
        with pytest.raises(OperationalError) as raised:
            pooled.ensure_connection()
        assert is_outage(raised.value)
        assert type(raised.value.__cause__).__name__ == "PoolTimeout"
    finally:
        pooled.close_pool()
