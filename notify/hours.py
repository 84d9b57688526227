"""A clinic's opening hours: open now, when it opens next, and time counted in opening hours.

``Clinic.opening_hours`` holds seven entries, Monday first, each ``None`` (closed) or
``["08:00", "18:00"]``: wall-clock times in the clinic's time zone, so a daylight-saving
change moves nothing (each day's hours are turned into instants on that day).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator

from clinic.models import Clinic

LOOKAHEAD_DAYS = 15  # a clinic open at least one day a week opens within two weeks


def tz_of(clinic: Clinic) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(clinic.timezone)


def local_instant(day: dt.date, at: dt.time, tz: dt.tzinfo) -> dt.datetime:
    """The instant of wall-clock time ``at`` on ``day`` in ``tz``. A time the clocks skip
    (01:30 on the spring-forward night) is taken with the offset before the change, which is
    the first instant after the gap (02:30); a time that happens twice, the first time."""
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.UTC)


def _open_interval(clinic: Clinic, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    entry = clinic.opening_hours[day.weekday()] if clinic.opening_hours else None
    if not entry:
        return None
    tz = tz_of(clinic)
    opens, closes = (dt.time.fromisoformat(t) for t in entry)
    return local_instant(day, opens, tz), local_instant(day, closes, tz)


def _intervals_from(
    clinic: Clinic, start: dt.datetime
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The clinic's open intervals that end after ``start``, in order, for two weeks."""
    first_day = start.astimezone(tz_of(clinic)).date() - dt.timedelta(days=1)
    for offset in range(LOOKAHEAD_DAYS):
        interval = _open_interval(clinic, first_day + dt.timedelta(days=offset))
        if interval is not None and interval[1] > start:
            yield interval


def has_hours(clinic: Clinic) -> bool:
    return any(clinic.opening_hours or [])


def is_open(clinic: Clinic, at: dt.datetime) -> bool:
    """Open at ``at``. A clinic with no opening hours set counts as always open (nothing is
    held back for hours it never gave)."""
    if not has_hours(clinic):
        return True
    return any(opens <= at < closes for opens, closes in _intervals_from(clinic, at))


def next_opening(clinic: Clinic, after: dt.datetime) -> dt.datetime | None:
    """When the clinic next opens after ``after`` (``after`` itself if it is open then)."""
    for opens, _closes in _intervals_from(clinic, after):
        return max(opens, after)
    return None


def add_open_minutes(clinic: Clinic, start: dt.datetime, minutes: int) -> dt.datetime:
    """``start`` plus ``minutes`` counted only while the clinic is open: an alert raised at
    17:30 on a Friday with two hours to go is due at 09:30 on Monday (open 08:00–18:00).
    With no opening hours, plain minutes."""
    if not has_hours(clinic):
        return start + dt.timedelta(minutes=minutes)
    left = dt.timedelta(minutes=minutes)
    at = start
    while True:
        for opens, closes in _intervals_from(clinic, at):
            begin = max(opens, at)
            if begin + left <= closes:
                return begin + left
            left -= closes - begin
            at = closes
        # More than two weeks of opening hours to count: go on from where the window ended.
