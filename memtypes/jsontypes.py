"""Field types that accept exactly the JSON type the API schema documents; the settings groups' base.

pydantic's lax mode would take "true" or 1 for a bool, "5" for an int and 0.5 for a date-time, and
Litestar validates request bodies in lax mode whatever the field says (`strict=False` at call time
overrides `Strict*` types); before-validators always run, so the checks live in them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from .limits import bounded_instant


def _bool(value: object) -> object:
    if not isinstance(value, bool):
        raise ValueError("must be a JSON boolean (true or false)")
    return value


def _integer(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a JSON integer")
    return value


def _number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a JSON number")
    return value


def _date_time(value: object) -> object:
    # From JSON only a string can be a date-time; Python callers may pass datetime objects.
    if not isinstance(value, str | datetime):
        raise ValueError("must be an ISO 8601 date-time string with a time zone")
    return value


JsonBool = Annotated[bool, BeforeValidator(_bool)]
JsonInt = Annotated[int, BeforeValidator(_integer)]
JsonFloat = Annotated[float, BeforeValidator(_number)]
# Bounded to the years 1900..2200 (memtypes/limits.py): outside them UTC conversion can overflow.
IsoDatetime = Annotated[AwareDatetime, BeforeValidator(_date_time), AfterValidator(bounded_instant)]
# A share or a probability, 0 to 1 both included: confidences, overlaps, lifts given as a share.
Share = Annotated[float, Field(ge=0.0, le=1.0)]


class SettingsGroup(BaseModel):
    """A group of the settings (`MNEMO_<GROUP>__*`): fixed once read, and a key it does not know (a
    misspelt setting) is an error rather than a default silently kept."""

    model_config = ConfigDict(frozen=True, extra="forbid")
