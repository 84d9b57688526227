"""rehab.services.outcomes: what the clinic records (measurements)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import uuid
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from clinic.models import Patient
from rehab import services
from rehab.models import AtrsRequest, Measurement
from tests import factories
from tests.threads import in_threads

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


# --- atrs_request_create ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_atrs_requested_twice_at_once_is_one_open_request() -> None:
    """A double click on "Ask for the ATRS": both requests looked for an open request, found
    none and each added one (two open requests, one answer closes only one of them). The
    patient's row is locked first now: the second waits, then finds the first's request."""
    patient = factories.PatientFactory()
    barrier = threading.Barrier(2, timeout=2)
    original = AtrsRequest.objects.create

    def looked_then_wait(**kwargs: Any) -> AtrsRequest:
        # Both have looked for an open request before either adds (with a lock, one waits).
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return original(**kwargs)

    def ask() -> bool:
        _request, created = services.atrs_request_create(patient=patient, requested_by=None)
        return created

    with mock.patch.object(AtrsRequest.objects, "create", looked_then_wait):
        created = in_threads(ask, ask)

    assert sorted(created) == [False, True]
    assert AtrsRequest.objects.filter(patient=patient, response__isnull=True).count() == 1
