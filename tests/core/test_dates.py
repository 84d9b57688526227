"""The plausible window of dates (core.dates): the database's stored window and the rules
relative to today and to the patient's record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core import dates

TODAY = dt.date(2026, 6, 15)


def code_of(check: object, *args: object, **kwargs: object) -> str | None:
    try:
        check(*args, **kwargs)  # type: ignore[operator]
    except ValidationError as error:
        return error.code
    return None


@pytest.mark.parametrize(
    ("injury", "code"),
    [
        (TODAY, None),
        (dt.date(2016, 6, 15), None),  # exactly ten years before
        (dt.date(2016, 6, 14), "injury_too_long_ago"),
        (dt.date(1, 1, 1), "injury_too_long_ago"),
        (TODAY + dt.timedelta(days=1), "future_date"),
        (dt.date(9999, 12, 31), "future_date"),
    ],
)
def test_an_injury_is_not_in_the_future_nor_long_before_registration(
    injury: dt.date, code: str | None
) -> None:
    assert code_of(dates.check_injury_date, injury, today=TODAY, registered=TODAY) == code


def test_the_bounded_past_counts_from_the_registration_not_today() -> None:
    """A record made in 2026 stays valid in 2040: the injury was plausible when registered."""
    injury = dt.date(2026, 1, 1)
    later = dt.date(2040, 1, 1)
    assert code_of(dates.check_injury_date, injury, today=later, registered=TODAY) is None


@pytest.mark.parametrize(
    ("surgery", "code"),
    [
        (dt.date(2026, 6, 1), None),
        (dt.date(2027, 6, 2), None),  # 366 days after
        (dt.date(2027, 6, 3), "surgery_too_late"),
        (dt.date(9999, 12, 31), "surgery_too_late"),
    ],
)
def test_a_surgery_is_within_a_year_of_the_injury(surgery: dt.date, code: str | None) -> None:
    injury = dt.date(2026, 6, 1)
    assert code_of(dates.check_surgery_date, surgery, injury_date=injury) == code


@pytest.mark.parametrize(
    ("born", "code"),
    [
        (dt.date(1980, 1, 1), None),
        (dt.date(1899, 12, 31), "implausible_date"),
        (dt.date(1, 1, 1), "implausible_date"),
        (TODAY + dt.timedelta(days=1), "future_date"),
        (dt.date(2026, 6, 2), "born_after_injury"),
    ],
)
def test_a_date_of_birth_is_past_plausible_and_before_the_injury(
    born: dt.date, code: str | None
) -> None:
    injury = dt.date(2026, 6, 1)
    assert code_of(dates.check_birth_date, born, today=TODAY, injury_date=injury) == code


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (TODAY, None),
        (dt.date(2026, 6, 1), None),
        (dt.date(2026, 5, 31), "before_injury"),
        (dt.date(1, 1, 1), "before_injury"),
        (TODAY + dt.timedelta(days=1), "future_date"),
    ],
)
def test_a_record_lies_between_the_injury_and_today(day: dt.date, code: str | None) -> None:
    injury = dt.date(2026, 6, 1)
    assert code_of(dates.check_record_date, day, today=TODAY, injury_date=injury) == code


def test_years_before_a_29_february() -> None:
    assert dates.years_before(dt.date(2028, 2, 29), 10) == dt.date(2018, 2, 28)
