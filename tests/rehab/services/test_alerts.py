"""An exercise's earliest safe week moved later in the library (rehab.services.alerts): the
clinician of each patient now doing it too early is alerted, whichever way it was edited."""

from __future__ import annotations

import pytest
from django.test import Client

from clinic.models import Clinician
from rehab.models import Alert, Exercise, Plan
from rehab.services import library as library_services
from tests import factories
from tests.admin_helpers import admin_url, post_data_from
from tests.rehab.clinical_loop import Scene, week3_non_operative

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(clinician: Clinician) -> Scene:
    return week3_non_operative(clinician)  # a non-operative patient in week 3


def _prescribe(scene: Scene, exercise: Exercise, *, phase: str = "early") -> None:
    factories.PrescriptionFactory.create(phase=getattr(scene, phase), exercise=exercise, order=9)


def _early_alerts() -> list[Alert]:
    return list(Alert.objects.filter(kind=Alert.Kind.EARLY_EXERCISE))


def test_a_raised_earliest_week_alerts_the_patients_clinician(
    scene: Scene, clinician: Clinician
) -> None:
    exercise = factories.ExerciseFactory.create(
        clinic=clinician.clinic, name="Single-leg balance", earliest_week_non_operative=2
    )
    _prescribe(scene, exercise)
    library_services.clinic_exercise_update(exercise=exercise, earliest_week_non_operative=5)
    [alert] = _early_alerts()
    assert alert.patient == scene.patient
    assert "Single-leg balance is usually not started before week 5" in alert.message
    assert "they will be in week 3" in alert.message
    assert alert.acknowledged_at is None


def test_nothing_is_said_when_it_is_still_safe_lowered_or_not_followed(
    scene: Scene, clinician: Clinician
) -> None:
    exercise = factories.ExerciseFactory.create(
        clinic=clinician.clinic, earliest_week_non_operative=1
    )
    _prescribe(scene, exercise, phase="early")
    library_services.clinic_exercise_update(exercise=exercise, earliest_week_non_operative=3)
    library_services.clinic_exercise_update(exercise=exercise, earliest_week_non_operative=0)
    # A draft plan is checked when it is activated; a completed one is no longer followed.
    for status in (Plan.Status.DRAFT, Plan.Status.COMPLETED):
        other = week3_non_operative(clinician)
        Plan.objects.filter(pk=other.plan.pk).update(status=status)
        _prescribe(other, exercise)
    library_services.clinic_exercise_update(exercise=exercise, earliest_week_non_operative=2)
    assert _early_alerts() == []


def test_a_later_phase_is_compared_with_its_own_start(scene: Scene, clinician: Clinician) -> None:
    exercise = factories.ExerciseFactory.create(
        clinic=clinician.clinic, earliest_week_non_operative=4
    )
    _prescribe(scene, exercise, phase="later")  # weeks 6–9: safe at 7, early at 8
    library_services.clinic_exercise_update(exercise=exercise, earliest_week_non_operative=6)
    assert _early_alerts() == []
    library_services.clinic_exercise_update(exercise=exercise, earliest_week_non_operative=8)
    assert len(_early_alerts()) == 1


def test_the_shared_library_edited_by_staff_alerts_too(scene: Scene) -> None:
    exercise = factories.ExerciseFactory.create(earliest_week_non_operative=0)
    _prescribe(scene, exercise)
    library_services.exercise_update(exercise=exercise, earliest_week_non_operative=6)
    assert [a.patient for a in _early_alerts()] == [scene.patient]


def test_the_admin_alerts_too(scene: Scene, staff_client: Client) -> None:
    exercise = factories.ExerciseFactory.create(earliest_week_non_operative=0)
    _prescribe(scene, exercise)
    url = admin_url(Exercise, "change", exercise.pk)
    data = post_data_from(staff_client.get(url), earliest_week_non_operative=6)
    assert staff_client.post(url, data).status_code == 302
    assert [a.patient for a in _early_alerts()] == [scene.patient]
