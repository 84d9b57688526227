"""Outcomes recorded or requested by the clinic: measurements, a request for the ATRS."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clinic.models import Patient, User
from rehab.models.logbook import AtrsRequest, Measurement
from rehab.services.logbook import _record_date, _save_once, _stored_once


@transaction.atomic
def atrs_request_create(*, patient: Patient, requested_by: User | None) -> tuple[AtrsRequest, bool]:
    """Ask the patient to fill in the ATRS. An unanswered request is reused, not repeated.

    Returns ``(request, created)``.
    """
    open_request = (
        AtrsRequest.objects.select_for_update()
        .filter(patient=patient, response__isnull=True)
        .order_by("-requested_at")
        .first()
    )
    if open_request is not None:
        return open_request, False
    return AtrsRequest.objects.create(patient=patient, requested_by=requested_by), True


@transaction.atomic
def measurement_record(
    *,
    patient: Patient,
    recorded_by: User | None,
    client_uuid: uuid.UUID,
    date: dt.date | None = None,
    heel_rise_reps_injured: int | None = None,
    heel_rise_reps_uninjured: int | None = None,
    calf_cm_injured: Decimal | None = None,
    calf_cm_uninjured: Decimal | None = None,
    note: str = "",
) -> tuple[Measurement, bool]:
    """Record heel-rise reps and calf circumference. A repeated ``client_uuid`` returns the
    stored row (a double submit makes one row). Returns ``(measurement, created)``."""
    existing = _stored_once(Measurement, patient=patient, client_uuid=client_uuid)
    if existing is not None:
        return existing, False
    date = _record_date(
        date, patient=patient, future=_("A measurement cannot be dated in the future.")
    )
    values = (
        heel_rise_reps_injured,
        heel_rise_reps_uninjured,
        calf_cm_injured,
        calf_cm_uninjured,
    )
    if all(value is None for value in values):
        raise ValidationError(_("Enter at least one measurement."), code="measurement_empty")
    measurement = Measurement(
        patient=patient,
        recorded_by=recorded_by,
        client_uuid=client_uuid,
        date=date,
        heel_rise_reps_injured=heel_rise_reps_injured,
        heel_rise_reps_uninjured=heel_rise_reps_uninjured,
        calf_cm_injured=calf_cm_injured,
        calf_cm_uninjured=calf_cm_uninjured,
        note=note,
    )
    return _save_once(measurement, read=("patient", "recorded_by"))
