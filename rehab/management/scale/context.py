"""What every part of a run shares: the moment it runs at, the tables it writes and the ids of
their rows, the one password hash of every account, and each time zone's clock."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from rehab.management.scale.tables import Tables


class Seeding:
    """One run's shared state. ``now`` is when the run happens: nothing is dated after it."""

    def __init__(self, *, now: dt.datetime, postgres: bool, password_hash: str) -> None:
        self.now = now
        self.password_hash = password_hash
        self.tables = Tables(postgres=postgres)
        self.ids = self.tables.ids
        self._today_by_tz: dict[str, dt.date] = {}
        self._offset_by_tz: dict[str, dt.timezone] = {}

    def local_today(self, tz_name: str) -> dt.date:
        if tz_name not in self._today_by_tz:
            local = self.now.astimezone(zoneinfo.ZoneInfo(tz_name))
            self._today_by_tz[tz_name] = local.date()
            offset = local.utcoffset() or dt.timedelta(0)
            self._offset_by_tz[tz_name] = dt.timezone(offset)
        return self._today_by_tz[tz_name]

    def at(self, day: dt.date, tz_name: str, hour: int, minute: int = 0) -> dt.datetime:
        """``hour:minute`` on ``day`` in the patient's zone (its current UTC offset)."""
        return dt.datetime(
            day.year, day.month, day.day, hour, minute, tzinfo=self._offset_by_tz[tz_name]
        )

    def past(self, moment: dt.datetime) -> dt.datetime:
        """``moment``, or now if it is later (today's visits that have not happened yet)."""
        return min(moment, self.now)
