"""Two times on the write path: ending a memory's validity when it is superseded or invalidated.

A memory holds in the world from its `valid_from` (else from when it occurred) until its
`valid_until` (else until something replaces it). Superseding it ends its validity where the newer
one's begins, and notes when mnemo learned that (`superseded_at`); an invalidation ends it at the
time the caller names (else now) and keeps the reason. An end already earlier is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ...memtypes.records import MemoryRecord, stored_time, time_payload


def valid_start(payload: Mapping[str, Any]) -> datetime:
    """When a stored memory began to hold: its `valid_from`, else when it occurred."""
    start = stored_time(payload, "valid_from") or stored_time(payload, "occurred")
    return start or datetime.fromtimestamp(0, UTC)


def _end(payload: Mapping[str, Any], end: datetime) -> datetime:
    """The validity end of a stored memory that stops holding at `end`: never before it began, and an
    earlier end is kept."""
    until = stored_time(payload, "valid_until")
    end = max(end, valid_start(payload))
    return end if until is None else min(until, end)


def superseded_update(stored: Mapping[str, Any], by: MemoryRecord, at: datetime) -> dict[str, object]:
    """The fields a stored memory superseded by `by` gets: current no more, valid until `by` begins."""
    update: dict[str, object] = {"superseded": True, "superseded_by": by.id}
    return update | time_payload(superseded_at=at, valid_until=_end(stored, by.valid_start))


def superseded_record(record: MemoryRecord, by: Mapping[str, Any], at: datetime) -> MemoryRecord:
    """An incoming record that a stored, newer memory (`by`, its payload) supersedes as it arrives."""
    start = valid_start(by)
    until = start if record.valid_until is None else min(record.valid_until, start)
    return record.model_copy(update={"superseded_at": at, "valid_until": max(until, record.valid_start)})


def invalidated_update(
    stored: Mapping[str, Any], end: datetime, reason: str, at: datetime
) -> dict[str, object]:
    """The fields of a memory whose validity the caller ends at `end`, noted at `at`."""
    update: dict[str, object] = {"invalidation_reason": reason}
    return update | time_payload(invalidated_at=at, valid_until=_end(stored, end))
