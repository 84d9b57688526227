"""Outcomes recorded or requested by the clinic: measurements, a request for the ATRS."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clinic.models import Patient, User
from rehab import measures
from rehab.models.logbook import AtrsRequest, AtrsResponse, Measurement
from rehab.services.logbook.rules import _record_date
from rehab.services.logbook.storing import save_once, stored_once


@transaction.atomic
def atrs_request_create(*, patient: Patient, requested_by: User | None) -> tuple[AtrsRequest, bool]:
    """Ask the patient to fill in the ATRS. An unanswered request is reused, not repeated; one
    is refused on a day the patient has answered already (their day: one answer a day, which
    answers a request once).

    Returns ``(request, created)``. The patient's row is locked first: two requests at once
    (a double click) find each other, not two open requests.
    """
    Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk").get()
    patient.check_not_erased()
    open_request = (
        AtrsRequest.objects.filter(patient=patient, response__isnull=True)
        .order_by("-requested_at")
        .first()
    )
    if open_request is not None:
        return open_request, False
    if AtrsResponse.objects.filter(patient=patient, date=patient.local_today()).exists():
        raise ValidationError(
            _(
                "%(name)s has filled in the ATRS today; its answers are on the outcomes tab. "
                "You can ask again from tomorrow."
            )
            % {"name": patient.full_name},
            code="answered_today",
        )
    return AtrsRequest.objects.create(patient=patient, requested_by=requested_by), True


@transaction.atomic
def measurement_record(
    *,
    patient: Patient,
    recorded_by: User | None,
    client_uuid: uuid.UUID,
    date: dt.date | None = None,
    note: str = "",
    at_home: bool = False,
    **values: Decimal | int | bool | None,
) -> tuple[Measurement, bool]:
    """Record the measurements of one day (``values``: any of ``measures.VALUE_FIELDS``; by
    the patient ``at_home``: only ``measures.HOME_FIELDS``, marked as such). Impossible values
    are refused (``measures.validate``). A repeated ``client_uuid`` returns the stored row (a
    double submit makes one row). Returns ``(measurement, created)``."""
    allowed = measures.HOME_FIELDS if at_home else measures.VALUE_FIELDS
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"Not a measurement: {', '.join(sorted(unknown))}")
    patient.check_not_erased()
    existing = stored_once(Measurement, patient=patient, client_uuid=client_uuid)
    if existing is not None:
        return existing, False
    date = _record_date(
        date, patient=patient, future=_("A measurement cannot be dated in the future.")
    )
    if all(value is None for value in values.values()):
        raise ValidationError(_("Enter at least one measurement."), code="measurement_empty")
    measures.validate(values)
    measurement = Measurement(
        patient=patient,
        recorded_by=recorded_by,
        client_uuid=client_uuid,
        date=date,
        note=note,
        at_home=at_home,
        **values,
    )
    return save_once(measurement, read=("patient", "recorded_by"))
