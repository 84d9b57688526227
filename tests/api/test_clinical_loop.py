"""Issue 16 part A in the API: the guardrails on advance and activate (400 naming each
exercise, unless reasons are given), ticks refused on a paused plan and for a discharged
patient, an unanswered pain at rest stored as null, high pain's advice."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.models import Clinician, Patient
from core.ids import opaque
from rehab.models import ExerciseLog, Plan
from tests.api.conftest import token_client
from tests.rehab.clinical_loop import Scene, from_week_2_now, week3_non_operative

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(clinician: Clinician) -> Scene:
    return week3_non_operative(clinician)


def _tick(client: APIClient, scene: Scene, **more: object) -> Any:
    """The patient's tick of one set of the current exercise, through the API."""
    return client.post(
        "/api/v1/logs/",
        {
            "client_uuid": str(uuid.uuid4()),
            "prescription": opaque(scene.current_rx.pk),
            "sets_done": 1,
            **more,
        },
        format="json",
    )


def test_advance_early_is_a_400_naming_each_exercise(clinician: Clinician, scene: Scene) -> None:
    client = token_client(clinician.user)
    url = f"/api/v1/plans/{opaque(scene.plan.pk)}/advance/"
    response = client.post(url, {"version": scene.plan.version}, format="json")
    assert response.status_code == 400
    body = response.json()
    text = " ".join(body["non_field_errors"])
    assert "Seated heel raise" in text
    assert "Two-leg bike" in text
    assert body["codes"]["non_field_errors"] == ["guardrail_reason_missing"]
    scene.plan.refresh_from_db()
    assert scene.plan.current_phase_id == scene.early.pk
    reasons = {opaque(scene.week4_rx.pk): "Cleared", opaque(scene.week6_rx.pk): "One leg"}
    response = client.post(
        url, {"version": scene.plan.version, "guardrail_reasons": reasons}, format="json"
    )
    assert response.status_code == 200, response.content
    scene.plan.refresh_from_db()
    assert scene.plan.current_phase_id == scene.later.pk


def test_guardrail_reasons_must_be_keyed_by_prescription_id(
    clinician: Clinician, scene: Scene
) -> None:
    client = token_client(clinician.user)
    response = client.post(
        f"/api/v1/plans/{opaque(scene.plan.pk)}/advance/",
        {"version": scene.plan.version, "guardrail_reasons": {"heel raise": "x"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["codes"]["guardrail_reasons"] == ["not_a_prescription_id"]


def test_activate_early_is_a_400_unless_reasons_are_given(
    clinician: Clinician, scene: Scene
) -> None:
    Plan.objects.filter(pk=scene.plan.pk).update(status=Plan.Status.DRAFT, current_phase=None)
    scene.week4_rx.phase = scene.early
    scene.week4_rx.save()
    client = token_client(clinician.user)
    url = f"/api/v1/plans/{opaque(scene.plan.pk)}/activate/"
    response = client.post(url, {}, format="json")
    assert response.status_code == 400
    assert "Seated heel raise" in " ".join(response.json()["non_field_errors"])
    response = client.post(
        url, {"guardrail_reasons": {opaque(scene.week4_rx.pk): "Seated only"}}, format="json"
    )
    assert response.status_code == 200, response.content


def test_activating_with_an_unreviewed_red_flag_answers_a_paused_plan(
    clinician: Clinician, scene: Scene
) -> None:
    Plan.objects.filter(pk=scene.plan.pk).update(status=Plan.Status.DRAFT, current_phase=None)
    reported = token_client(scene.patient.user).post(
        "/api/v1/checkins/",
        {"client_uuid": str(uuid.uuid4()), "swelling": "mild", "red_flags": ["pe"]},
        format="json",
    )
    assert reported.status_code == 201, reported.content
    response = token_client(clinician.user).post(
        f"/api/v1/plans/{opaque(scene.plan.pk)}/activate/", {}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paused"


def test_ticks_are_refused_on_a_paused_plan(scene: Scene) -> None:
    client = token_client(scene.patient.user)
    checkin = client.post(
        "/api/v1/checkins/",
        {"client_uuid": str(uuid.uuid4()), "swelling": "mild", "red_flags": ["rerupture"]},
        format="json",
    )
    assert checkin.status_code == 201, checkin.content
    assert checkin.json()["pain_at_rest"] is None
    today = client.get("/api/v1/me/today/").json()
    assert today["paused"] is True
    assert today["can_log"] is False
    response = _tick(client, scene)
    assert response.status_code == 400
    assert not ExerciseLog.objects.exists()


def test_an_earlier_ticks_sets_and_its_undo_are_refused_on_a_paused_plan(scene: Scene) -> None:
    client = token_client(scene.patient.user)
    tick = _tick(client, scene)
    assert tick.status_code == 201, tick.content
    url = f"/api/v1/logs/{tick.json()['id']}/"
    client.post(
        "/api/v1/checkins/",
        {"client_uuid": str(uuid.uuid4()), "swelling": "mild", "red_flags": ["dvt"]},
        format="json",
    )
    more = client.patch(url, {"sets_done": 3}, format="json")
    assert more.status_code == 400
    assert more.json()["codes"]["non_field_errors"] == ["plan_paused"]
    assert client.delete(url).status_code == 400
    felt = client.patch(url, {"pain": 4}, format="json")
    assert felt.status_code == 200, felt.content
    assert list(ExerciseLog.objects.values_list("sets_done", "pain")) == [(1, 4)]


def test_high_pain_comes_back_with_advice(scene: Scene) -> None:
    client = token_client(scene.patient.user)
    response = _tick(client, scene, pain=7)
    assert response.status_code == 201, response.content
    assert "Stop Toe curls now" in response.json()["advice"]


def test_a_discharged_patient_cannot_check_in(scene: Scene) -> None:
    Patient.objects.filter(pk=scene.patient.pk).update(status=Patient.Status.DISCHARGED)
    client = token_client(scene.patient.user)
    response = client.post(
        "/api/v1/checkins/",
        {"client_uuid": str(uuid.uuid4()), "swelling": "mild", "red_flags": ["dvt"]},
        format="json",
    )
    assert response.status_code == 400
    assert "Your care here has ended" in str(response.json())


def test_a_date_correction_that_makes_exercises_early_is_a_400_and_changes_nothing(
    clinician: Clinician, scene: Scene
) -> None:
    """The API's PATCH of a patient re-checks their plan as the patient page does: injured a
    week ago, not three, the current phase's exercise from week 2 would start early."""
    from_week_2_now(scene)
    later = timezone.localdate() - dt.timedelta(weeks=1)
    response = token_client(clinician.user).patch(
        f"/api/v1/patients/{opaque(scene.patient.pk)}/", {"injury_date": str(later)}, format="json"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert "Resisted ankle pumps" in " ".join(body["non_field_errors"])
    assert body["codes"]["non_field_errors"] == ["guardrail_reason_missing"]
    scene.patient.refresh_from_db()
    scene.plan.refresh_from_db()
    assert scene.patient.injury_date != later
    assert scene.plan.anchor_date == scene.patient.injury_date
