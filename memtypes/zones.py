"""The asker's time zone: an IANA name (`America/Chicago`) or a fixed UTC offset (`+05:30`).

The days, weeks and months a question names ("tomorrow", "next week") are the asker's, not the
server's; a client that knows its zone but not a trustworthy clock sends the zone alone and leaves
`now` to the server. The zone's rules come from the installed tz database (the `tzdata` package
where the system has none): nothing is fetched.
"""

from __future__ import annotations

import re
from datetime import timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field

_OFFSET = re.compile(r"^(?P<sign>[+-])(?P<hours>\d{2}):(?P<minutes>\d{2})$")
_NAME = r"^(?:[A-Za-z][A-Za-z0-9_+\-]*)(?:/[A-Za-z0-9_+\-]+){0,2}$|^[+-]\d{2}:\d{2}$"
# The offsets in use, from Etc/GMT+12 (-12:00) to Pacific/Kiritimati (+14:00).
_WESTMOST, _EASTMOST = timedelta(hours=-12), timedelta(hours=14)


@lru_cache(maxsize=256)
def zone(name: str) -> tzinfo:
    """The zone `name` names; ValueError (saying what is accepted) where it names none."""
    offset = _OFFSET.match(name)
    if offset:
        minutes = int(offset["hours"]) * 60 + int(offset["minutes"])
        delta = timedelta(minutes=minutes if offset["sign"] == "+" else -minutes)
        if int(offset["minutes"]) >= 60 or not _WESTMOST <= delta <= _EASTMOST:
            raise ValueError(f"{name!r} is not a UTC offset between -12:00 and +14:00")
        return timezone(delta)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{name!r} is not a time zone: an IANA name such as `Europe/Berlin`, "
            "or an offset such as `+05:30`"
        ) from None


def _known_zone(name: str) -> str:
    zone(name)
    return name


TimeZoneName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=_NAME,
        description="the asker's time zone, an IANA name (`America/Chicago`) or a UTC offset (`+05:30`): "
        "the days, weeks and months the query names are read in it (default: `now`'s offset, UTC "
        "where `now` is left to the server)",
        examples=["America/Chicago", "+05:30"],
    ),
    AfterValidator(_known_zone),
]
