"""The asker's time zone: IANA names and fixed offsets, anything else refused with what is accepted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from mnemo.memtypes.requests import RetrieveRequest
from mnemo.memtypes.zones import zone


@pytest.mark.parametrize(
    ("name", "offset_in_january"),
    [
        ("America/Chicago", timedelta(hours=-6)),
        ("Australia/Melbourne", timedelta(hours=11)),
        ("UTC", timedelta(0)),
        ("+05:30", timedelta(hours=5, minutes=30)),
        ("-12:00", timedelta(hours=-12)),
        ("+14:00", timedelta(hours=14)),
    ],
)
def test_a_zone_gives_its_offset(name: str, offset_in_january: timedelta) -> None:
    assert datetime(2027, 1, 15, 12, tzinfo=UTC).astimezone(zone(name)).utcoffset() == offset_in_january


@pytest.mark.parametrize(
    "name", ["Mars/Olympus_Mons", "+14:30", "-13:00", "+05:60", "../../etc/passwd", "/etc/localtime"]
)
def test_what_names_no_zone_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match=r"time zone|UTC offset"):
        zone(name)


def test_a_request_refuses_an_unknown_zone_naming_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        RetrieveRequest.model_validate({"query": "q", "timezone": "Europe/Atlantis"})
    assert refused.value.errors()[0]["loc"] == ("timezone",)
    assert (
        RetrieveRequest.model_validate({"query": "q", "timezone": "Europe/Berlin"}).timezone
        == "Europe/Berlin"
    )
