"""The ATRS questionnaire: a patient's answer, its total computed here, one a day (a later
one edits it); it answers the clinic's open request made by its day, and a low total around 3
months alerts the therapist."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clinic.models import Patient
from rehab import clinical
from rehab.models.alerts import Alert
from rehab.models.logbook import AtrsRequest, AtrsResponse
from rehab.services.logbook.rules import _ensure_in_care, _record_date
from rehab.services.logbook.storing import DAILY_ATRS, day_row, stored_once_a_day


@transaction.atomic
def atrs_record(
    *,
    patient: Patient,
    client_uuid: uuid.UUID,
    items: dict[str, int],
    date: dt.date | None = None,
) -> tuple[AtrsResponse, bool]:
    """Store an ATRS response; the total is computed here, never taken from the client.

    One answer a day (a database constraint): a same-day resubmission edits the day's answer
    (``created`` is then False). It answers the clinic's open request, if any, made on or
    before the answer's day (the patient's day): an older answer does not. A total below 40
    around 3 months (``clinical.atrs_is_low``) raises one alert to the therapist.

    A retried submit (the same ``client_uuid``: the day's first or a later one) returns the
    stored answer and changes nothing: a later submit sent again does not put its answers back
    over a still later one's.
    """
    existing = stored_once_a_day(DAILY_ATRS, patient=patient, client_uuid=client_uuid)
    if existing is not None:
        return existing, False
    _ensure_in_care(patient)
    missing = [name for name in AtrsResponse.ITEM_FIELDS if items.get(name) is None]
    if missing:
        raise ValidationError(
            {name: _("Answer this question (0–10).") for name in missing}, code="atrs_missing"
        )
    date = _record_date(
        date, patient=patient, future=_("The questionnaire cannot be dated in the future.")
    )
    response, created, stored = day_row(
        DAILY_ATRS, patient=patient, client_uuid=client_uuid, date=date
    )
    if stored:
        return response, False
    for name in AtrsResponse.ITEM_FIELDS:
        setattr(response, name, items[name])
    response.total = 0
    response.full_clean(exclude=["total", "patient"], validate_unique=False)
    response.total = response.compute_total()
    response.save()
    # The clinic's open request is answered by an answer for the day it was made or later; an
    # older one (a late offline sync, a back-dated submit) is stored for its own day and the
    # fresh questionnaire the clinician asked for is still offered.
    day_after = dt.datetime.combine(date + dt.timedelta(days=1), dt.time.min, tzinfo=patient.tz)
    AtrsRequest.objects.filter(
        patient=patient, response__isnull=True, requested_at__lt=day_after
    ).update(response=response)
    week = patient.week_on(date)
    if (
        clinical.atrs_is_low(total=response.total, week=week)
        and not Alert.objects.filter(atrs=response, kind=Alert.Kind.LOW_ATRS).exists()
    ):
        Alert.objects.create(
            patient=patient,
            kind=Alert.Kind.LOW_ATRS,
            message=_(
                "ATRS %(total)s of 100 in week %(week)s: below %(threshold)s around 3 months "
                "predicts a poor return to sport."
            )
            % {"total": response.total, "week": week, "threshold": clinical.ATRS_LOW_THRESHOLD},
            atrs=response,
        )
    return response, created
