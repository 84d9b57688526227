"""rehab.services.outcomes: what the clinic records (measurements)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clinic.models import Patient
from rehab import services
from rehab.models import Measurement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


# --- measurement_record -----------------------------------------------------------------------


def test_measurement_is_recorded_once_per_uuid(clinician: object, patient: Patient) -> None:
    client_uuid = uuid.uuid4()
    for _ in range(2):
        measurement, _ = services.measurement_record(
            patient=patient,
            recorded_by=clinician.user,
            client_uuid=client_uuid,
            heel_rise_reps_injured=9,
            heel_rise_reps_uninjured=20,
            calf_cm_injured=Decimal("35.5"),
        )
    assert Measurement.objects.count() == 1
    assert measurement.heel_rise_lsi == 45.0
    assert measurement.recorded_by == clinician.user
    assert measurement.date == dt.date(2025, 3, 10)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"heel_rise_reps_injured": 201},
        {"calf_cm_injured": Decimal("9.9")},
        {"heel_rise_reps_injured": 5, "date": dt.date(2025, 3, 11)},
    ],
)
def test_bad_measurements_are_refused(patient: Patient, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        services.measurement_record(
            patient=patient,
            recorded_by=None,
            client_uuid=uuid.uuid4(),
            **kwargs,
        )
    assert not Measurement.objects.exists()
