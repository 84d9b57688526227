"""Redis down (an unreachable ``REDIS_URL``): the site carries on, slower at worst, and loses
nothing. Sessions are in the database; rate limits and the API sign-in throttle fail open with
one warning each; template fragments are each process's own."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from clinic.models import Clinician, Patient
from config.env import env_caches
from core.ids import opaque
from rehab.models import ExerciseLog
from tests.api.conftest import make_active_plan
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once
PASSWORD = "a-long-enough-password"


@pytest.fixture(autouse=True)
def _redis_down(settings: Any) -> None:
    settings.CACHES = env_caches("REDIS_URL", environ={"REDIS_URL": UNREACHABLE})
    settings.RATE_LIMIT_ENABLED = True


def _email_with_password(patient: Patient) -> str:
    """The patient's sign-in email, their password set to PASSWORD."""
    assert patient.user is not None
    patient.user.set_password(PASSWORD)
    patient.user.save()
    return patient.user.email


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "core.cache"]


def test_the_cache_is_djangos_redis_backend_and_really_down() -> None:
    from django.core.cache.backends.redis import RedisCache  # noqa: PLC0415
    from redis.exceptions import ConnectionError as RedisConnectionError  # noqa: PLC0415

    assert type(caches["default"]) is RedisCache
    with pytest.raises(RedisConnectionError):
        caches["default"].get("anything")


def test_a_patient_signs_in_opens_today_and_ticks_nothing_lost(
    patient: Patient, caplog: pytest.LogCaptureFixture
) -> None:
    assert patient.user is not None
    patient.user.set_password(PASSWORD)
    patient.user.save()
    rx = make_active_plan(patient)
    client = Client()
    response = client.post(reverse("login"), {"username": patient.user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    assert client.get(reverse("rehab:today")).status_code == 200
    client_uuid = uuid.uuid4()
    fields = {"client_uuid": client_uuid, "prescription": opaque(rx.pk), "sets_done": 1}
    assert client.post(reverse("rehab:log_create"), fields).status_code == 302
    assert client.get(reverse("rehab:today")).status_code == 200
    assert ExerciseLog.objects.filter(client_uuid=client_uuid, patient=patient).count() == 1
    assert _warnings(caplog) == []  # nothing on these pages needs Redis


def test_the_clinician_pages_answer(clinician: Clinician, patient: Patient) -> None:
    make_active_plan(patient)
    client = client_for(clinician.user)
    for url in (
        reverse("rehab:dashboard"),
        reverse("rehab:patient_list"),
        reverse("rehab:alerts"),
        reverse("rehab:patient_detail", args=[patient.pk]),
        reverse("rehab:plan_builder", args=[patient.plans.get().pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_a_rate_limited_form_fails_open_with_one_warning(
    patient: Patient, caplog: pytest.LogCaptureFixture
) -> None:
    assert patient.user is not None
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        response = Client().post(reverse("password_reset"), {"email": patient.user.email})
    assert response.status_code == 302
    [warning] = _warnings(caplog)
    assert "rate limit password_reset" in warning


def test_the_api_sign_in_throttle_fails_open_with_one_warning(
    patient: Patient, caplog: pytest.LogCaptureFixture
) -> None:
    email = _email_with_password(patient)
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        response = Client().post(
            reverse("api:login"),
            json.dumps({"email": email, "password": PASSWORD}),
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    [warning] = _warnings(caplog)
    assert "API throttle login" in warning
