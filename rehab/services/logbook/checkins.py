"""The daily check-in: pain at rest, swelling, red flags. A new red flag raises an alert and
pauses the plan; one check-in a day, a later one adds to it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clinic.models import Patient
from rehab import clinical
from rehab.models.alerts import Alert
from rehab.models.logbook import CheckIn
from rehab.selectors.notices import red_flags_waiting
from rehab.services.holds import plan_pause
from rehab.services.logbook.rules import _ensure_in_care, _raise_pain_alert, _record_date
from rehab.services.logbook.storing import DAILY_CHECKIN, day_row, stored_once_a_day


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
    swelling: str | None = None,
    red_flags: list[str] | tuple[str, ...] | None = None,
    note: str = "",
    date: dt.date | None = None,
) -> tuple[CheckIn, bool]:
    """The daily check-in. Red flags and pain ≥ 7 raise alerts; a red flag also pauses the
    patient's plan until a clinician resumes it. One per day: a second one the same day adds to
    the first. A red flag once reported stays reported that day, and a question left
    unanswered (pain at rest, swelling, the note) keeps the day's earlier answer. A red flag
    is new (an alert, a pause) unless one of the same is still waiting for a clinician's
    review: reported again after the review, the symptom is back.
    ``pain_at_rest`` and ``swelling`` are None when the patient did not answer them (a red
    flag is never held back for an unanswered question). ``red_flags``: the codes of
    the red-flag questions answered yes, the other questions asked answered no; None when the
    questions were not asked (they stay unanswered, never a "no" nobody said).

    A retried submit (the same ``client_uuid``: the day's first or a later one) returns the
    stored check-in and changes nothing: no second alert, no second pause after a clinician
    has reviewed the flag and resumed the plan."""
    existing = stored_once_a_day(DAILY_CHECKIN, patient=patient, client_uuid=client_uuid)
    if existing is not None:
        return existing, False
    _ensure_in_care(patient)
    reported = () if red_flags is None else red_flags
    unknown = set(reported) - set(clinical.RED_FLAG_CODES)
    if unknown:
        raise ValidationError({"red_flags": _("Unknown red flag: %s") % ", ".join(sorted(unknown))})
    date = _record_date(date, patient=patient, future=_("You cannot check in for a future day."))
    checkin, created, stored = day_row(
        DAILY_CHECKIN, patient=patient, client_uuid=client_uuid, date=date
    )
    if stored:
        return checkin, False
    previous_pain = None if created else checkin.pain_at_rest
    if pain_at_rest is not None:
        checkin.pain_at_rest = pain_at_rest
    if swelling is not None:
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
