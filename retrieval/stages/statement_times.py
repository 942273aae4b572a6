"""The times a memory's payload gives, as knowledge updates read them (stages/rank.py,
stages/changed_events.py): when an event happened, whether a statement has a time of its own, where
one whose only time is when it was written stands in the write order, and whether an event is newer
than a statement as far as their times tell.

A statement's `occurred_at` is its writer's only where it differs from `created_at`: written without
one, a memory occurred when it was written (ingest/pipeline.py), both the same instant.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...memtypes.language.time_mentions import holds_from


def number(payload: Mapping[str, object], key: str) -> float | None:
    value = payload.get(key)
    return float(value) if isinstance(value, int | float) else None


def happened(event: Mapping[str, object]) -> float | None:
    """When an event's payload says it happened: the start its writer gave, else its time."""
    return number(event, "valid_from_ts") or number(event, "occurred_ts")


def given_time(payload: Mapping[str, object]) -> float | None:
    """The time a memory's writer gave it: its `valid_from`, else an `occurred_at` not its write time."""
    stated = number(payload, "valid_from_ts")
    occurred = number(payload, "occurred_ts")
    if stated is None and occurred is not None and occurred != number(payload, "created_ts"):
        return occurred
    return stated


def dated(payload: Mapping[str, object]) -> bool:
    """Whether a statement has a time of its own: one its writer gave, or the start its words name."""
    return given_time(payload) is not None or holds_from(str(payload.get("content", ""))) is not None


def write_order(payload: Mapping[str, object]) -> float | None:
    """Where a memory was written among the others (its `seq`), for one whose only time is when it was
    written (a conversation's turns, dated by their session, are not ordered so): no `valid_from`,
    and occurred when it was written (`given_time` None)."""
    seq = payload.get("seq")
    if not isinstance(seq, int | float) or number(payload, "occurred_ts") is None:
        return None
    return float(seq) if given_time(payload) is None else None


def event_is_newer(
    event: Mapping[str, object],
    statement: Mapping[str, object],
    gap: float,
    said: tuple[float, float] | None = None,
) -> bool:
    """Whether an event's payload is newer than a statement's, as far as their times tell (`gap`:
    one conversation's span; `said`: the period the statement's words say it holds from)."""
    at = happened(event)
    stated = given_time(statement)
    if stated is not None:
        return at is not None and at >= stated + gap
    if said is not None:  # after the day, month or year named: on it, the event may announce it
        return at is not None and at >= said[1]
    written = number(statement, "created_ts")
    event_written = number(event, "created_ts")
    if written is None or event_written is None or at is None:
        return False
    return at >= written + gap or abs(event_written - written) < gap
