"""Plausible dates: the one place that says which dates people may type.

Two windows:

- **Stored** (``FLOOR`` to ``CEILING``): every date column of the app lies in it, by a database
  constraint (``within_window``), so no stored date is year 1 or 9999 and date arithmetic on it
  (a plan's weeks) cannot overflow.
- **Typed**, relative to today (the patient's today) and to the patient's record, checked by
  the validators below, which the models' ``clean``, the services and so every form,
  serializer and admin page use: an injury not in the future and not more than
  ``INJURY_MAX_YEARS`` before the patient was registered; a surgery on or after the injury and
  within ``SURGERY_MAX_DAYS`` of it; a date of birth in the past, not before ``FLOOR`` and not
  after the injury; a record (check-in, ATRS, measurement, exercise log) not before the injury
  and not in the future.

Each refusal has a code (``future_date``, ``before_injury``, …) the API documents.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FLOOR = dt.date(1900, 1, 1)
CEILING = dt.date(2100, 12, 31)
INJURY_MAX_YEARS = 10
SURGERY_MAX_DAYS = 366

CHECK_THE_YEAR = _("This date is not plausible; check the year.")


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def within_window(field: str, *, name: str) -> CheckConstraint:
    """The database's guard: ``field`` (nullable or not) lies in the stored window."""
    return CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": FLOOR, f"{field}__lte": CEILING}),
        name=name,
        violation_error_message=CHECK_THE_YEAR,
        violation_error_code="implausible_date",
    )


def check_stored(value: dt.date) -> None:
    if not FLOOR <= value <= CEILING:
        raise ValidationError(CHECK_THE_YEAR, code="implausible_date")


def check_injury_date(value: dt.date, *, today: dt.date, registered: dt.date) -> None:
    """Not in the future, and not more than ``INJURY_MAX_YEARS`` before the patient was
    registered (``registered``: today for a new patient)."""
    if value > today:
        raise ValidationError(_("The injury date cannot be in the future."), code="future_date")
    if value < years_before(registered, INJURY_MAX_YEARS):
        raise ValidationError(
            _("The injury date is more than %(years)d years ago; check the year.")
            % {"years": INJURY_MAX_YEARS},
            code="injury_too_long_ago",
        )


def check_surgery_date(value: dt.date, *, injury_date: dt.date | None) -> None:
    """Within ``SURGERY_MAX_DAYS`` after the injury (not before it: the model's own rule)."""
    if injury_date is None:
        check_stored(value)
    elif (value - injury_date).days > SURGERY_MAX_DAYS:
        raise ValidationError(
            _("The surgery date is more than a year after the injury; check the year."),
            code="surgery_too_late",
        )


def check_birth_date(value: dt.date, *, today: dt.date, injury_date: dt.date | None) -> None:
    """In the past, not before ``FLOOR``, and not after the injury."""
    if value > today:
        raise ValidationError(_("The date of birth cannot be in the future."), code="future_date")
    check_stored(value)
    if injury_date is not None and value > injury_date:
        raise ValidationError(
            _("The date of birth is after the injury date; check both."), code="born_after_injury"
        )


def check_record_date(
    value: dt.date, *, today: dt.date, injury_date: dt.date, future: StrOrPromise | None = None
) -> None:
    """A record of the patient's rehabilitation: not in the future (``future``: the words for
    it), not before the injury."""
    if value > today:
        raise ValidationError(future or _("This date is in the future."), code="future_date")
    if value < injury_date:
        raise ValidationError(
            _("This date is before the injury (%(injury)s).") % {"injury": injury_date},
            code="before_injury",
        )
