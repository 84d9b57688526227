"""Lists written into a sentence ("Belt, Sturdy chair"): a comma follows a name at once, never
after a space, on the clinic's pages, the handout and the patient's Today."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from clinic.models import Clinician, Patient
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _equipped_exercise(clinic: object | None = None) -> object:
    exercise = factories.ExerciseFactory(clinic=clinic, name="Calf raise with props")
    exercise.equipment.add(
        factories.EquipmentFactory(name="Belt"), factories.EquipmentFactory(name="Sturdy chair")
    )
    return exercise


def _no_space_before_a_comma(html: str) -> None:
    assert re.search(r"Belt\s+,", html) is None
    assert re.search(r"Belt,\s*Sturdy chair", html)


def test_the_library_and_an_exercise_list_equipment_with_plain_commas(
    clinician: Clinician,
) -> None:
    exercise = _equipped_exercise(clinician.clinic)
    client = client_for(clinician.user)
    _no_space_before_a_comma(client.get(reverse("rehab:library")).text)
    _no_space_before_a_comma(client.get(reverse("rehab:library_detail", args=[exercise.pk])).text)


def test_the_handout_and_today_list_equipment_with_plain_commas(
    clinician: Clinician, patient: Patient
) -> None:
    plan, (phase,) = factories.active_plan(patient)
    factories.PrescriptionFactory(phase=phase, exercise=_equipped_exercise())
    html = client_for(clinician.user).get(reverse("rehab:plan_handout", args=[plan.pk])).text
    _no_space_before_a_comma(html)
    _no_space_before_a_comma(client_for(patient.user).get(reverse("rehab:today")).text)
