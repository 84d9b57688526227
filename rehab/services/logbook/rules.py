"""What every report a patient makes obeys: its date (not in the future, not before the
injury), nothing new once care has ended, no more exercise while a red flag pauses the plan;
and a pain score at the threshold raises an alert."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clinic.models import Patient
from core import dates
from rehab import clinical
from rehab.models.alerts import Alert

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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
