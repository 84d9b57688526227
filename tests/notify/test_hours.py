"""Opening hours: open or not, the next opening, and minutes counted only while open, in the
clinic's own time zone (a daylight-saving change moves nothing)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from clinic.models import Clinic, validate_opening_hours
from notify import hours

LONDON = zoneinfo.ZoneInfo("Europe/London")


def clinic(opening: list[list[str] | None] | None = None, tz: str = "Europe/London") -> Clinic:
    weekdays: list[list[str] | None] = [["08:00", "18:00"]] * 5 + [None, None]
    return Clinic(name="C", slug="c", timezone=tz, opening_hours=opening or weekdays)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (at(2026, 6, 10, 7, 59), False),
        (at(2026, 6, 10, 8, 0), True),
        (at(2026, 6, 10, 17, 59), True),
        (at(2026, 6, 10, 18, 0), False),
        (at(2026, 6, 13, 12, 0), False),  # Saturday
    ],
)
def test_open_or_not(moment: dt.datetime, open_: bool) -> None:
    assert hours.is_open(clinic(), moment) is open_


def test_the_next_opening() -> None:
    assert hours.next_opening(clinic(), at(2026, 6, 12, 18, 30)) == at(2026, 6, 15, 8, 0)
    assert hours.next_opening(clinic(), at(2026, 6, 10, 9, 0)) == at(2026, 6, 10, 9, 0)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (at(2026, 6, 10, 10, 0), 120, at(2026, 6, 10, 12, 0)),
        (at(2026, 6, 10, 17, 30), 120, at(2026, 6, 11, 9, 30)),
        (at(2026, 6, 12, 17, 0), 120, at(2026, 6, 15, 9, 0)),  # over the weekend
        (at(2026, 6, 13, 3, 0), 15, at(2026, 6, 15, 8, 15)),  # raised while closed
        (at(2026, 6, 10, 8, 0), 10 * 60 * 6, at(2026, 6, 17, 18, 0)),  # six working days
        # The clocks go back on Sunday 25 October: Monday 08:00 is still 08:00.
        (at(2026, 10, 23, 17, 0), 120, at(2026, 10, 26, 9, 0)),
    ],
)
def test_minutes_count_only_while_open(start: dt.datetime, minutes: int, due: dt.datetime) -> None:
    assert hours.add_open_minutes(clinic(), start, minutes) == due


def test_a_clinic_without_hours_counts_plain_minutes_and_is_always_open() -> None:
    closed_all_week = clinic([None] * 7)
    start = at(2026, 6, 13, 3, 0)
    assert hours.add_open_minutes(closed_all_week, start, 120) == start + dt.timedelta(hours=2)
    assert hours.is_open(closed_all_week, start)


def test_hours_in_the_clinic_s_own_zone() -> None:
    sydney = clinic(tz="Australia/Sydney")
    # 09:00 in Sydney on a Wednesday is 23:00 on Tuesday in London (June, AEST = UTC+10).
    assert hours.is_open(sydney, at(2026, 6, 9, 23, 0))
    assert not hours.is_open(sydney, at(2026, 6, 10, 10, 0))


@pytest.mark.parametrize(
    "value",
    [
        [["08:00", "18:00"]] * 6,
        [["18:00", "08:00"]] + [None] * 6,
        [["8 am", "6 pm"]] + [None] * 6,
        [["08:00"]] + [None] * 6,
        "Mon-Fri 8-6",
    ],
)
def test_bad_opening_hours_are_refused(value: object) -> None:
    with pytest.raises(ValidationError):
        validate_opening_hours(value)
