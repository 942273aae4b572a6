"""The asker's clock as the readers of a question's times see it (`AskersClock`): their wall-clock
time, written as UTC so that days, weeks and months are counted on it as if in UTC, and their zone,
which says the order they write a date in figures in: "3/4" is the 4th of March where the month
comes first (the United States) and the 3rd of April elsewhere. A date with a part over 12 says its
own order ("18/02", "2/22"); one that does not is read in the convention of the asker's zone. Where
the zone is a bare UTC offset it says no country, and the reader keeps its own rule.

Pure: the clock is built from the request's `now` (given in the asker's zone) and handed to each
reader as an argument, so what a date in figures means depends only on what the reader is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

# Zones of the United States (and its territories), where the month comes first. Every zone of the
# tz database under these names is one of them.
_MONTH_FIRST_ZONES = frozenset({
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix",
    "America/Anchorage", "America/Adak", "America/Boise", "America/Detroit", "America/Juneau",
    "America/Sitka", "America/Nome", "America/Yakutat", "America/Metlakatla", "America/Menominee",
    "America/Puerto_Rico", "Pacific/Honolulu", "Pacific/Guam", "Pacific/Saipan", "Pacific/Pago_Pago",
    "EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT",
})  # fmt: skip
_MONTH_FIRST_PREFIXES = ("US/", "America/Indiana/", "America/Kentucky/", "America/North_Dakota/")


@dataclass(frozen=True)
class AskersClock:
    """`now`: the asker's wall-clock time written as UTC; `zone`: the zone the request's time was
    given in (None for a time without one)."""

    now: datetime
    zone: tzinfo | None

    @classmethod
    def of(cls, now: datetime) -> AskersClock:
        """The clock of a request's `now`: its wall clock at the UTC offset it is given in (UTC days
        for a `now` in UTC)."""
        offset = now.utcoffset() or timedelta(0)
        return cls(now.astimezone(UTC) + offset, now.tzinfo)

    @property
    def month_first(self) -> bool | None:
        """Whether the asker writes the month first (True), the day first (False), or None where
        their zone is a bare offset or unknown."""
        name = getattr(self.zone, "key", None)
        if not isinstance(name, str):
            return None
        return name in _MONTH_FIRST_ZONES or name.startswith(_MONTH_FIRST_PREFIXES)

    def instant(self, moment: datetime) -> datetime:
        """The instant a wall-clock time on this clock (written as UTC) is: in a named zone at the
        offset of its own day; an open end (`datetime.min`, `datetime.max`) stays open."""
        if self.zone is None or moment.replace(tzinfo=None) in (datetime.min, datetime.max):
            return moment
        return moment.replace(tzinfo=self.zone).astimezone(UTC)
