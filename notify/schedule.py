"""When a patient's next reminder falls: wall-clock times in the patient's own time zone.

Each day's slot is turned into an instant on that day, in the zone the patient has now, so a
daylight-saving change keeps a 08:00 reminder at 08:00, and a patient who travels (a new time
zone) gets it at 08:00 where they are.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from notify.hours import local_instant
from notify.models import ReminderSettings

DAYS_AHEAD = 8


@dataclass(frozen=True)
class Slot:
    at: dt.datetime  # UTC
    name: str  # ReminderSettings.Slot
    day: dt.date  # the patient's local date


def next_slot(
    settings: ReminderSettings, tz: zoneinfo.ZoneInfo, *, after: dt.datetime
) -> Slot | None:
    """The first reminder strictly after ``after``: on a chosen day, at a chosen time, not in
    the quiet hours. None when reminders are off or no time is set."""
    if not settings.enabled:
        return None
    times = [(name, at) for name, at in settings.slot_times() if not settings.is_quiet(at)]
    if not times:
        return None
    days = set(settings.days)
    start = after.astimezone(tz).date()
    for offset in range(DAYS_AHEAD):
        day = start + dt.timedelta(days=offset)
        if day.weekday() not in days:
            continue
        for name, at in times:
            instant = local_instant(day, at, tz)
            if instant > after:
                return Slot(at=instant, name=name, day=day)
    return None


def slot_instant(settings: ReminderSettings, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """The instant of the stored next slot in the zone ``tz``, as the settings read now (to
    notice a time zone or time that changed without the schedule being recomputed)."""
    if settings.next_slot_date is None:
        return None
    times = dict(settings.slot_times())
    at = times.get(settings.next_slot)
    if at is None:
        return None
    return local_instant(settings.next_slot_date, at, tz)
