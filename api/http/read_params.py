"""What the read routes share: their scope and time parameters, and what a current read leaves out."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from typing import Annotated

from litestar.params import QueryParameter

from ...memtypes.errors import FieldProblem, InvalidInput
from ...memtypes.limits import bounded_instant
from ...memtypes.ports import VectorIndex
from ...memtypes.queries import MemoryFilter, Outdated, View, current_at
from ...memtypes.records import SCOPE_ID_PATTERN, Scope, utcnow
from ...memtypes.requests import AsOfRequest
from ...memtypes.types import MemoryType

ScopeIdParam = Annotated[str | None, QueryParameter(pattern=SCOPE_ID_PATTERN, max_length=256)]
AsOfParam = Annotated[
    str | None,
    QueryParameter(
        format="date-time",
        max_length=64,
        description="read as at this time (ISO 8601 with a time zone) instead of now; `as_of_view` says how",
    ),
]
AsOfViewParam = Annotated[
    View,
    QueryParameter(
        description="with `as_of`: `true` (what held in the world then, as known now) or `known` (what "
        "mnemo held current then: written by then, not yet superseded or invalidated)"
    ),
]


def as_of_of(raw: str | None, view: View) -> AsOfRequest | None:
    return None if raw is None else AsOfRequest(at=instant(raw, "as_of"), view=view)


def current_filter(flt: MemoryFilter) -> MemoryFilter:
    """The filter of a read judged now."""
    return replace(flt, now=current_at(utcnow()))


async def outdated_counts(
    index: VectorIndex, flt: MemoryFilter, types: list[MemoryType]
) -> dict[str, int] | None:
    """How many memories a current read with `flt` leaves out, by reason (None: the read is not a
    current one, so it leaves nothing out for being outdated)."""
    if flt.as_of is not None or flt.include_superseded or flt.now is None:
        return None
    reasons = list(Outdated)
    counts = await asyncio.gather(*(index.count(t, replace(flt, outdated=r)) for r in reasons for t in types))
    per_reason = [sum(counts[k * len(types) : (k + 1) * len(types)]) for k in range(len(reasons))]
    return {r.value: n for r, n in zip(reasons, per_reason, strict=True)}


def instant(raw: str, field: str) -> datetime:
    """An ISO 8601 date-time with a time zone, strictly: no epoch numbers, no naive times."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInput(
            f"{field} must be an ISO 8601 date-time with a time zone",
            problems=[FieldProblem(field, "not an ISO 8601 date-time with a time zone")],
        )
    try:
        return bounded_instant(moment)  # years 1900..2200: far ones overflow UTC conversion
    except ValueError as exc:
        raise InvalidInput(f"{field} {exc}", problems=[FieldProblem(field, str(exc))]) from None


def scope_of(
    user_id: str | None, agent_id: str | None, thread_id: str | None, namespace: str | None = None
) -> Scope:
    try:
        return Scope(user_id=user_id, agent_id=agent_id, thread_id=thread_id, namespace=namespace)
    except ValueError as exc:
        raise InvalidInput("invalid scope", problems=[FieldProblem("scope", str(exc))]) from None
