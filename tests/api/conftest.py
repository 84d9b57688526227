"""Fixtures for the API tests: a small world of two clinics, and clients signed in with knox
tokens the way a phone or another program would be."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from clinic.models import Clinician, Patient, User
from rehab.models import Exercise, Plan, PlanPhase, Prescription, Protocol
from tests import factories


def token_client(user: User | None) -> APIClient:
    """A client sending ``Authorization: Token …`` for ``user`` (anonymous if None)."""
    client = APIClient()
    if user is not None:
        _instance, token = AuthToken.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@dataclass
class World:
    """Clinic A (clinician, colleague, patient with an active plan, another patient) and
    clinic B (its clinician and patient, each with an active plan), plus a staff user."""

    clinician: Clinician
    colleague: Clinician
    patient: Patient
    other_patient: Patient
    other_clinician: Clinician
    stranger: Patient
    staff: User
    exercise: Exercise
    protocol: Protocol
    plan: Plan
    phase: PlanPhase
    prescription: Prescription
    stranger_prescription: Prescription

    def client(self, who: str) -> APIClient:
        """A token client for ``who``: anonymous, patient, other_patient, stranger,
        clinician, colleague, other_clinician or staff."""
        users: dict[str, User | None] = {
            "anonymous": None,
            "patient": self.patient.user,
            "other_patient": self.other_patient.user,
            "stranger": self.stranger.user,
            "clinician": self.clinician.user,
            "colleague": self.colleague.user,
            "other_clinician": self.other_clinician.user,
            "staff": self.staff,
        }
        return token_client(users[who])


# Who may read one row of a patient's data (their own, their clinic's clinicians): the answers.
ROW_READS = {
    "anonymous": 401,
    "patient": 200,
    "other_patient": 404,
    "stranger": 404,
    "clinician": 200,
    "colleague": 200,
    "other_clinician": 404,
    "staff": 403,
}


def make_active_plan(patient: Patient, exercise: Exercise | None = None) -> Prescription:
    plan = factories.PlanFactory(patient=patient, status=Plan.Status.ACTIVE)
    phase = factories.PlanPhaseFactory(plan=plan, order=1, start_week=0, end_week=52)
    plan.current_phase = phase
    plan.save(update_fields=["current_phase"])
    return factories.PrescriptionFactory(
        phase=phase, exercise=exercise or factories.ExerciseFactory(), order=1
    )


@pytest.fixture
def world(db: None) -> World:
    clinician = factories.ClinicianFactory()
    colleague = factories.ClinicianFactory(clinic=clinician.clinic)
    other_clinician = factories.ClinicianFactory()
    patient = factories.PatientFactory(clinic=clinician.clinic)
    other_patient = factories.PatientFactory(clinic=clinician.clinic)
    stranger = factories.PatientFactory(clinic=other_clinician.clinic)
    exercise = factories.ExerciseFactory(earliest_week_operative=0, earliest_week_non_operative=0)
    protocol = factories.ProtocolFactory(pathway=Patient.Pathway.OPERATIVE)
    protocol_phase = factories.ProtocolPhaseFactory(
        protocol=protocol, order=1, start_week=0, end_week=6
    )
    factories.ProtocolItemFactory(phase=protocol_phase, exercise=exercise, order=1)
    prescription = make_active_plan(patient, exercise)
    stranger_prescription = make_active_plan(stranger, exercise)
    return World(
        clinician=clinician,
        colleague=colleague,
        patient=patient,
        other_patient=other_patient,
        other_clinician=other_clinician,
        stranger=stranger,
        staff=factories.StaffFactory(),
        exercise=exercise,
        protocol=protocol,
        plan=prescription.phase.plan,
        phase=prescription.phase,
        prescription=prescription,
        stranger_prescription=stranger_prescription,
    )


def today_of(patient: Patient) -> dt.date:
    return patient.local_today()


def body(response: Any) -> Any:
    """The JSON body, with a readable failure if it is not JSON."""
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    return response.json()


def status_for(world: World, who: str, method: str, url: str, data: Any = None) -> int:
    client = world.client(who)
    response = (
        getattr(client, method)(url, data, format="json")
        if data is not None
        else (getattr(client, method)(url))
    )
    if response.status_code != 204:
        body(response)  # every answer but 204 is JSON
    return int(response.status_code)


def assert_matrix(
    world: World, method: str, url: str, expected: dict[str, int], data: Any = None
) -> None:
    """Each caller in ``expected`` gets its status code (a fresh request each)."""
    got = {who: status_for(world, who, method, url, data) for who in expected}
    assert got == expected
