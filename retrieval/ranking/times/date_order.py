"""Which way round the asker writes a date in figures: "3/4" is the 4th of March where the month
comes first (the United States) and the 3rd of April elsewhere. A date with a part over 12 says its
own order ("18/02", "2/22"); one that does not is read in the convention of the asker's time zone,
which the reader of a question's times learns from the request (`asking_in`). Where the zone is a
bare UTC offset it says no country, and the reader keeps its own rule. Pure but for the asker's
zone, held for the length of one reading.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import tzinfo

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

_ASKERS_ZONE: ContextVar[tzinfo | None] = ContextVar("askers_zone", default=None)


@contextmanager
def asking_in(zone: tzinfo | None) -> Iterator[None]:
    """The asker's zone while a question's times are read."""
    token = _ASKERS_ZONE.set(zone)
    try:
        yield
    finally:
        _ASKERS_ZONE.reset(token)


def month_first() -> bool | None:
    """Whether the asker writes the month first (True), the day first (False), or None where their
    zone is a bare offset or unknown."""
    name = getattr(_ASKERS_ZONE.get(), "key", None)
    if not isinstance(name, str):
        return None
    return name in _MONTH_FIRST_ZONES or name.startswith(_MONTH_FIRST_PREFIXES)
