"""Writes of what patients log: exercise ticks, check-ins, the ATRS; the alerts they raise.

A retried submit (the same ``client_uuid``) returns the stored row, never a second one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import Patient, User
from core import dates
from rehab import clinical
from rehab.models.alerts import Alert
from rehab.models.logbook import (
    AtrsRequest,
    AtrsResponse,
    AtrsSubmission,
    CheckIn,
    CheckInSubmission,
    ExerciseLog,
    Measurement,
)
from rehab.models.plans import PhaseChange, Plan, Prescription
from rehab.selectors.today import red_flags_waiting
from rehab.services.holds import plan_pause

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


def _record_date(date: dt.date | None, *, patient: Patient, future: StrOrPromise) -> dt.date:
    """A record's date: the patient's today if none is given; else not in the future
    (``future``: the words for it) and not before the injury (``core.dates``), or an error on
    ``date``."""
    today = patient.local_today()
    if date is None:
        return today
    try:
        dates.check_record_date(date, today=today, injury_date=patient.injury_date, future=future)
    except ValidationError as error:
        raise ValidationError({"date": error}) from None
    return date


def _client_uuid_in_use() -> ValidationError:
    """Another patient's row holds this client id (never said whose)."""
    return ValidationError(_("This id is already in use."), code="client_uuid_in_use")


def _stored_once[M: ExerciseLog | CheckIn | AtrsResponse | Measurement](
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


def _save_once[M: ExerciseLog | Measurement](
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


def care_ended_error() -> ValidationError:
    """A discharged or archived patient reads their record but reports nothing new."""
    return ValidationError(
        _(
            "Your care here has ended, so nothing new can be recorded. You can still read "
            "your record and download it. If you have a new problem, contact your clinic or "
            "your doctor."
        ),
        code="care_ended",
    )


def _ensure_in_care(patient: Patient) -> None:
    if patient.status != Patient.Status.ACTIVE:
        raise care_ended_error()


def plan_paused_error() -> ValidationError:
    return ValidationError(
        _(
            "Your exercises are paused until your physiotherapist has looked at what you "
            "reported. Do not exercise until they tell you to start again."
        ),
        code="plan_paused",
    )


def _phase_in_force(plan: Plan, day: dt.date) -> int | None:
    """The id of the plan's phase in force on ``day`` (its last phase change by then, else
    its current phase). One query."""
    change = (
        PhaseChange.objects.filter(plan=plan, effective_on__lte=day)
        .order_by("-effective_on", "-changed_at", "-pk")
        .values_list("to_phase_id", flat=True)
        .first()
    )
    return change if change is not None else plan.current_phase_id


def _alerts_pain(pain: int | None) -> bool:
    return pain is not None and pain >= clinical.ALERT_PAIN_THRESHOLD


def _raise_pain_alert(*, patient: Patient, pain: int | None, where: str, **links: Any) -> None:
    if _alerts_pain(pain):
        Alert.objects.create(
            patient=patient,
            kind=Alert.Kind.HIGH_PAIN,
            message=_("Pain %(pain)s/10 reported on %(where)s.") % {"pain": pain, "where": where},
            **links,
        )


def _log_where(prescription: Prescription) -> str:
    return _("the exercise log of %(exercise)s") % {"exercise": prescription.exercise.name}


@transaction.atomic
def log_record(
    *,
    patient: Patient,
    prescription: Prescription,
    client_uuid: uuid.UUID,
    date: dt.date | None = None,
    sets_done: int = 1,
    reps: int | None = None,
    hold_seconds: int | None = None,
    pain: int | None = None,
    effort: int | None = None,
    note: str = "",
) -> tuple[ExerciseLog, bool]:
    """Store what the patient did. A repeat of the same ``client_uuid`` returns the stored row
    (even if the plan has changed since the first try).

    Returns ``(log, created)``; a pain score at the alert threshold writes the alert with it.
    """
    try:
        date = _record_date(
            date, patient=patient, future=_("You cannot log an exercise for a future day.")
        )
        _ensure_in_care(patient)
        plan = prescription.phase.plan
        ours, paused = plan.patient_id == patient.pk, plan.status == Plan.Status.PAUSED
        if ours and paused and _paused_by(plan, patient=patient, day=date):
            raise plan_paused_error()
        if (
            not ours
            or not (paused or plan.status == Plan.Status.ACTIVE)
            or prescription.retired_at is not None
        ):
            raise ValidationError(
                {
                    "prescription": ValidationError(
                        _("This exercise is not part of your active plan."), code="not_in_plan"
                    )
                }
            )
        if date < plan.anchor_date:
            raise ValidationError(
                {
                    "date": ValidationError(
                        _("This day is before your plan started; choose a later day."),
                        code="before_plan_start",
                    )
                }
            )
        # Today, the current phase is in force (a move takes effect from today): no query.
        in_force = (
            plan.current_phase_id if date == patient.local_today() else _phase_in_force(plan, date)
        )
        if in_force != prescription.phase_id:
            raise ValidationError(
                {
                    "prescription": ValidationError(
                        _(
                            "This exercise belongs to a phase of your plan that has not "
                            "started on that day; your physiotherapist will move you on."
                        ),
                        code="phase_not_started",
                    )
                }
            )
        log = ExerciseLog(
            patient=patient,
            prescription=prescription,
            client_uuid=client_uuid,
            date=date,
            sets_done=sets_done,
            reps=reps,
            hold_seconds=hold_seconds,
            pain=pain,
            effort=effort,
            note=note,
        )
        return _save_once(
            log,
            read=("patient", "prescription"),
            then=(
                (
                    lambda row: _raise_pain_alert(
                        patient=patient, pain=pain, where=_log_where(prescription), log=row
                    )
                )
                if _alerts_pain(pain)
                else None
            ),
        )
    except ValidationError:
        existing = _stored_once(ExerciseLog, patient=patient, client_uuid=client_uuid)
        if existing is not None:
            return existing, False
        raise


def _paused_by(plan: Plan, *, patient: Patient, day: dt.date) -> bool:
    """Whether the red flag's hold on ``plan`` had begun by ``day`` (the patient's). A tick of
    an earlier day, sent late by a phone that was offline, says what was done before the red
    flag: it is stored, as every record of the past is."""
    started = (
        plan.holds.filter(resumed_at__isnull=True).values_list("started_at", flat=True).first()
    )
    return started is None or started.astimezone(patient.tz).date() <= day


# What a tick says was done: changing it is exercising, which a paused plan does not allow.
DONE_FIELDS = frozenset({"sets_done", "reps", "hold_seconds"})


def _plan_paused(patient: Patient) -> bool:
    return Plan.objects.filter(patient=patient, status=Plan.Status.PAUSED).exists()


@transaction.atomic
def log_update(*, log: ExerciseLog, **changes: Any) -> ExerciseLog:
    """Edit a log on the day it was made (in the patient's time zone). Once care has ended the
    record is read-only; while a red flag pauses the plan, how it felt (pain, effort, note)
    may still be told, but not more done (sets, reps, hold)."""
    if log.date != log.patient.local_today():
        raise ValidationError(_("Only today's entries can be changed."), code="not_today")
    allowed = {"sets_done", "reps", "hold_seconds", "pain", "effort", "note"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    _ensure_in_care(log.patient)
    more_done = any(changes[f] != getattr(log, f) for f in DONE_FIELDS & set(changes))
    if more_done and _plan_paused(log.patient):
        raise plan_paused_error()
    old_pain = log.pain
    for field, value in changes.items():
        setattr(log, field, value)
    log.full_clean(validate_unique=False)
    log.save(update_fields=[*changes, "updated_at"])
    # One alert per crossing of the threshold: 8 → 9 on the same log raises nothing new.
    if old_pain is None or old_pain < clinical.ALERT_PAIN_THRESHOLD:
        _raise_pain_alert(
            patient=log.patient, pain=log.pain, where=_log_where(log.prescription), log=log
        )
    return log


@transaction.atomic
def log_undo(*, log: ExerciseLog) -> None:
    """Undo a tick made today by mistake. Earlier days' logs are never deleted, nor any once
    care has ended or while a red flag pauses the plan (the clinician reviews the day as it
    was reported)."""
    if log.date != log.patient.local_today():
        raise ValidationError(_("Only today's entries can be undone."), code="not_today")
    _ensure_in_care(log.patient)
    if _plan_paused(log.patient):
        raise plan_paused_error()
    Alert.objects.filter(log=log).update(log=None)
    log.delete()


def _stored_once_a_day[R: CheckIn | AtrsResponse](
    model: type[R],
    later: type[CheckInSubmission | AtrsSubmission],
    record: str,
    *,
    patient: Patient,
    client_uuid: uuid.UUID,
) -> R | None:
    """The once-a-day row (a ``model``) that already took in the submit ``client_uuid``, if
    any: as the day's first (the row's own ``client_uuid``) or as a later one (a ``later`` row,
    whose foreign key to the day's row is ``record``). An id another patient's row holds is
    refused, without saying whose it is."""
    existing = _stored_once(model, patient=patient, client_uuid=client_uuid)
    if existing is not None:
        return existing
    try:
        submission = later.objects.select_related(record).get(client_uuid=client_uuid)
    except later.DoesNotExist:
        return None
    row = cast("R", getattr(submission, record))
    if row.patient_id != patient.pk:
        raise ValidationError({"client_uuid": _client_uuid_in_use()})
    return row


def _take_in_later[R: CheckIn | AtrsResponse](
    row: R,
    later: type[CheckInSubmission | AtrsSubmission],
    record: str,
    *,
    patient: Patient,
    client_uuid: uuid.UUID,
) -> R | None:
    """Remember that the day's stored ``row`` takes in the later submit ``client_uuid`` (a
    ``later`` row, its foreign key ``record``): None, unless a row already took it in: then
    that one, and nothing is to change. That is the same submit sent twice at once: the other
    request stored it while this one waited for the patient's lock. The INSERT comes first, as
    in ``_save_once``: the unique id refuses a repeat."""
    if row.client_uuid == client_uuid:
        return row
    try:
        with transaction.atomic():
            later.objects.create(**{record: row, "client_uuid": client_uuid})
    except IntegrityError:
        stored = _stored_once_a_day(
            type(row), later, record, patient=patient, client_uuid=client_uuid
        )
        if stored is None:
            raise  # not the client id: a fault to see, not to mask
        return stored
    return None


def _answer_red_flags(checkin: CheckIn, *, reported: Iterable[str], asked: set[str]) -> None:
    """Yes for those ``reported``; no for the other questions ``asked`` (a yes stays)."""
    for code in clinical.RED_FLAG_CODES:
        name = f"flag_{code}"
        if code in reported:
            setattr(checkin, name, True)
        elif code in asked and getattr(checkin, name) is None:
            setattr(checkin, name, False)


@transaction.atomic
def checkin_record(
    *,
    patient: Patient,
    client_uuid: uuid.UUID,
    pain_at_rest: int | None,
    swelling: str,
    red_flags: list[str] | tuple[str, ...] | None = None,
    note: str = "",
    date: dt.date | None = None,
) -> tuple[CheckIn, bool]:
    """The daily check-in. Red flags and pain ≥ 7 raise alerts; a red flag also pauses the
    patient's plan until a clinician resumes it. One per day: a second one the same day adds to
    the first. A red flag once reported stays reported that day, and a question left
    unanswered (pain at rest, the note) keeps the day's earlier answer; swelling is always
    answered. A red flag is new (an alert, a pause) unless one of the same is still waiting for
    a clinician's review: reported again after the review, the symptom is back.
    ``pain_at_rest`` is None when the patient did not answer it. ``red_flags``: the codes of
    the red-flag questions answered yes, the other questions asked answered no; None when the
    questions were not asked (they stay unanswered, never a "no" nobody said).

    A retried submit (the same ``client_uuid``: the day's first or a later one) returns the
    stored check-in and changes nothing: no second alert, no second pause after a clinician
    has reviewed the flag and resumed the plan."""
    existing = _stored_once_a_day(
        CheckIn, CheckInSubmission, "checkin", patient=patient, client_uuid=client_uuid
    )
    if existing is not None:
        return existing, False
    _ensure_in_care(patient)
    reported = () if red_flags is None else red_flags
    unknown = set(reported) - set(clinical.RED_FLAG_CODES)
    if unknown:
        raise ValidationError({"red_flags": _("Unknown red flag: %s") % ", ".join(sorted(unknown))})
    date = _record_date(date, patient=patient, future=_("You cannot check in for a future day."))
    # One at a time for a patient: two sent at once would both find no row for the day (or
    # both take in the same later submit).
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    checkin = CheckIn.objects.filter(patient=patient, date=date).first()
    created = checkin is None
    if checkin is None:
        checkin = CheckIn(patient=patient, date=date, client_uuid=client_uuid)
    else:
        stored = _take_in_later(
            checkin, CheckInSubmission, "checkin", patient=patient, client_uuid=client_uuid
        )
        if stored is not None:
            return stored, False
    previous_pain = None if created else checkin.pain_at_rest
    if pain_at_rest is not None:
        checkin.pain_at_rest = pain_at_rest
    checkin.swelling = swelling
    if note:
        checkin.note = note
    # Not asked, so left unanswered: every one when the client did not ask them (``red_flags``
    # None), the wound's without surgery, and a flag still waiting for a clinician's review
    # (the check-in shows it as reported, locked: the patient did not say "no").
    waiting = set(red_flags_waiting(patient))
    asked: set[str] = set()
    if red_flags is not None:
        asked = {
            flag.code
            for flag in clinical.red_flags_for(has_surgery=patient.surgery_date is not None)
        } - waiting
    _answer_red_flags(checkin, reported=reported, asked=asked)
    checkin.full_clean(validate_unique=False)
    checkin.save()
    new_flags = [f for f in checkin.red_flags if f.code in reported and f.code not in waiting]
    for flag in new_flags:
        Alert.objects.create(
            patient=patient,
            kind=Alert.Kind.RED_FLAG,
            code=flag.code,
            message=str(flag.clinician_label),
            checkin=checkin,
        )
    if new_flags:
        plan_pause(patient=patient, checkin=checkin, flags=[flag.code for flag in new_flags])
    if previous_pain is None or previous_pain < clinical.ALERT_PAIN_THRESHOLD:
        _raise_pain_alert(
            patient=patient, pain=pain_at_rest, where=_("the daily check-in"), checkin=checkin
        )
    return checkin, created


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
    existing = _stored_once_a_day(
        AtrsResponse, AtrsSubmission, "response", patient=patient, client_uuid=client_uuid
    )
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
    # The patient's row, locked: two submits of the same day queue here instead of racing
    # for the day's one row.
    Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk").get()
    response = AtrsResponse.objects.filter(patient=patient, date=date).first()
    created = response is None
    if response is None:
        response = AtrsResponse(patient=patient, client_uuid=client_uuid, date=date)
    else:
        stored = _take_in_later(
            response, AtrsSubmission, "response", patient=patient, client_uuid=client_uuid
        )
        if stored is not None:
            return stored, False
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


@transaction.atomic
def alert_acknowledge(*, alert: Alert, by: User) -> Alert:
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = by
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert
