"""Storing a patient's record once: a retried or replayed submit (the same ``client_uuid``)
returns the stored row, never a second one, and another patient's id is refused without saying
whose; a once-a-day record (a check-in, an ATRS answer) takes in the day's later submits and
remembers each one's id."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clinic.models import Patient
from rehab.models.logbook import (
    AtrsResponse,
    AtrsSubmission,
    CheckIn,
    CheckInSubmission,
    ExerciseLog,
    Measurement,
)


def _client_uuid_in_use() -> ValidationError:
    """Another patient's row holds this client id (never said whose)."""
    return ValidationError(_("This id is already in use."), code="client_uuid_in_use")


def stored_once[M: ExerciseLog | CheckIn | AtrsResponse | Measurement](
    model: type[M], *, patient: Patient, client_uuid: uuid.UUID
) -> M | None:
    """The row already stored under ``client_uuid`` (a retried or replayed submit), if any.

    An id another patient's row holds is refused, without saying whose it is.
    """
    try:
        existing = cast("M", model.objects.get(client_uuid=client_uuid))  # unique: no ORDER BY
    except model.DoesNotExist:
        return None
    if existing.patient_id != patient.pk:
        raise ValidationError({"client_uuid": _client_uuid_in_use()})
    return existing


def save_once[M: ExerciseLog | Measurement](
    row: M, *, read: tuple[str, ...], then: Callable[[M], None] | None = None
) -> tuple[M, bool]:
    """Validate and insert ``row`` and do ``then(row)`` in one savepoint of the caller's
    transaction; if a concurrent request with the same client id won the race, return the
    stored row instead. Returns ``(row, created)``.

    The INSERT comes first: a repeat is rare, so it is found by the unique ``client_uuid``
    refusing the second row rather than looked up before every write. Validation costs no
    query on the way in: the fields' own validators run (ExerciseLog's check constraints each
    have one, with its message; Measurement's "at least one value" is checked by its service),
    the foreign keys in ``read`` (rows the caller has just read) are not looked up again, and
    the check constraints are left to the database. Should the database refuse the row anyway,
    the full validation runs then, to say which rule the row broke.
    """
    row.full_clean(exclude=read, validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            row.save()
            if then is not None:
                then(row)
    except IntegrityError:
        stored = type(row).objects.filter(client_uuid=row.client_uuid)
        winner = cast("M | None", stored.filter(patient=row.patient).first())
        if winner is not None:
            return winner, False
        row.full_clean(validate_unique=False)  # a rule the database refused, in words
        if stored.exists():
            raise ValidationError({"client_uuid": _client_uuid_in_use()}) from None
        raise  # not the client id, not a rule the model knows: a fault to see, not to mask
    return row, True


@dataclass(frozen=True)
class OnceADay[R: CheckIn | AtrsResponse]:
    """A once-a-day record: the day's row (a ``model``), and the ``later`` rows that remember
    the day's later submits, each with its foreign key ``record`` to the day's row."""

    model: type[R]
    later: type[CheckInSubmission | AtrsSubmission]
    record: str


DAILY_CHECKIN = OnceADay(CheckIn, CheckInSubmission, "checkin")
DAILY_ATRS = OnceADay(AtrsResponse, AtrsSubmission, "response")


def stored_once_a_day[R: CheckIn | AtrsResponse](
    daily: OnceADay[R], *, patient: Patient, client_uuid: uuid.UUID
) -> R | None:
    """The once-a-day row that already took in the submit ``client_uuid``, if any: as the
    day's first (the row's own ``client_uuid``) or as a later one. An id another patient's
    row holds is refused, without saying whose it is."""
    existing = stored_once(daily.model, patient=patient, client_uuid=client_uuid)
    if existing is not None:
        return existing
    later = daily.later
    try:
        submission = later.objects.select_related(daily.record).get(client_uuid=client_uuid)
    except later.DoesNotExist:
        return None
    row = cast("R", getattr(submission, daily.record))
    if row.patient_id != patient.pk:
        raise ValidationError({"client_uuid": _client_uuid_in_use()})
    return row


def _take_in_later[R: CheckIn | AtrsResponse](
    daily: OnceADay[R], row: R, *, patient: Patient, client_uuid: uuid.UUID
) -> R | None:
    """Remember that the day's stored ``row`` takes in the later submit ``client_uuid``: None,
    unless a row already took it in: then that one, and nothing is to change. That is the same
    submit sent twice at once: the other request stored it while this one waited for the
    patient's lock. The INSERT comes first, as in ``save_once``: the unique id refuses a
    repeat."""
    if row.client_uuid == client_uuid:
        return row
    try:
        with transaction.atomic():
            daily.later.objects.create(**{daily.record: row, "client_uuid": client_uuid})
    except IntegrityError:
        stored = stored_once_a_day(daily, patient=patient, client_uuid=client_uuid)
        if stored is None:
            raise  # not the client id: a fault to see, not to mask
        return stored
    return None


def day_row[R: CheckIn | AtrsResponse](
    daily: OnceADay[R], *, patient: Patient, client_uuid: uuid.UUID, date: dt.date
) -> tuple[R, bool, bool]:
    """The patient's once-a-day row for ``date`` that the submit ``client_uuid`` goes into:
    ``(row, created, stored)``. The patient's row is locked first, so that two submits of the
    same day queue here instead of both finding no row for the day (or both taking in the
    same later submit).

    No row for the day yet: a new one, not saved (``created``). Else the day's row, which takes
    in this later submit (``_take_in_later``); ``stored`` when another request already took it
    in: the row is as stored, nothing is to change."""
    Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk").get()
    model = daily.model
    row = cast("R | None", model.objects.filter(patient=patient, date=date).first())
    if row is None:
        return model(patient=patient, date=date, client_uuid=client_uuid), True, False
    stored = _take_in_later(daily, row, patient=patient, client_uuid=client_uuid)
    if stored is not None:
        return stored, False, True
    return row, False, False
