"""Near-duplicate decisions: when two memories are really the same, and which one is current.

Cosine similarity alone never merges: MiniLM puts "account 17 uses the enterprise plan" and
"account 42 uses the enterprise plan" above any useful threshold. Two memories may merge only when

- neither carries a caller id (the caller told us they are different things; the same id is an
  update of one record, decided by the id, not here),
- they agree on what makes a fact a fact: numbers, dates, amounts, identifiers ("#1003",
  "10.0.0.3"), names (capitalised words) and negation ("is" vs "is not"),
- intentions (a type with `due_dated`): the same `due_at` and `trigger` (different ones are
  different intentions),
- events (a type that `holds_events`): `occurred_at` within `EVENT_WINDOW_S` (further apart they
  are different events).

The newest wins (by `occurred_at`; the incoming one on a tie). The loser is never deleted: it is
marked `superseded_by` the winner and left out of retrieval unless `include_superseded` is asked,
and `POST /v1/memories/{id}/restore` undoes it.

A statement (of a type with `negation_updates`) that differs from a stored one only by negation
("Bob is allergic to peanuts" → "Bob is not allergic to peanuts") is the same fact, changed: an
update, so the newer supersedes too.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from ..memtypes.language.facts import signature
from ..memtypes.records import SCOPE_FIELDS, MemoryRecord
from ..memtypes.types import SPECS, MemoryType

DEFAULT_MERGE_THRESHOLDS: dict[MemoryType, float] = {t: s.merge_threshold for t, s in SPECS.items()}
# Two records of one event are told within this many seconds of each other.
EVENT_WINDOW_S = 120.0


@dataclass(frozen=True)
class DedupConfig:
    thresholds: Mapping[MemoryType, float] = field(default_factory=lambda: dict(DEFAULT_MERGE_THRESHOLDS))


def _close(a: datetime | None, b: datetime | None, window_s: float) -> bool:
    if a is None or b is None:
        return a is b
    return abs((a - b).total_seconds()) <= window_s


def same_identity(a: MemoryRecord, b: MemoryRecord) -> bool:
    """The identity rules that do not depend on the text: caller ids, intentions' times, events' times."""
    if a.external_id is not None or b.external_id is not None:
        return a.external_id == b.external_id
    spec = SPECS[a.type]
    if spec.due_dated and (a.due_at != b.due_at or a.trigger != b.trigger):
        return False
    return not spec.holds_events or _close(a.occurred_at, b.occurred_at, EVENT_WINDOW_S)


def may_merge(a: MemoryRecord, b: MemoryRecord) -> bool:
    """Near-duplicates by cosine may merge only if they also agree on identity, facts and negation."""
    if not same_identity(a, b):
        return False
    return signature(a.content).agrees_with(signature(b.content))


def is_negation_update(a: MemoryRecord, b: MemoryRecord) -> bool:
    """The same statement with its negation flipped: one fact, changed ("is" → "is not")."""
    if a.type is not b.type or not SPECS[a.type].negation_updates:
        return False
    if not same_identity(a, b):
        return False
    sa, sb = signature(a.content), signature(b.content)
    return sa.negated != sb.negated and sa.words == sb.words and sa.numbers == sb.numbers


def same_scope(record: MemoryRecord, payload: Mapping[str, Any]) -> bool:
    return all(record.scope.model_dump().get(k) == payload.get(k) for k in SCOPE_FIELDS)


def incoming_wins(incoming: MemoryRecord, stored_occurred_ts: float) -> bool:
    return incoming.occurred_at.timestamp() >= stored_occurred_ts


def sequential_runs(
    records: Sequence[MemoryRecord],
    vectors: Sequence[Sequence[float]],
    config: DedupConfig,
    replaces: Sequence[Collection[str]],
) -> list[list[int]]:
    """The batch cut into runs of consecutive items (positions, in order) that cannot change what is
    decided for each other: the pipeline writes one run after another, so a batch resolves exactly
    as the same items written one by one.

    An item starts a new run when it may be judged against an earlier item of the current run: the
    same content, the same `fact_key`, a supersede naming it (`replaces`: the ids and caller ids each
    item names), a negation update of it, or a
    near-duplicate (cosine at least the type's threshold, and `may_merge`). Only records of one
    type and scope can be judged against each other. Vectors are unit length, so a dot product is
    the cosine; a run's similarities are computed one item against the run so far.
    """
    runs: list[list[int]] = []
    if not records:
        return runs
    matrix = np.asarray(vectors, dtype=np.float32)
    start = 0
    for j, b in enumerate(records):
        members = range(start, j)
        near = matrix[start:j] @ matrix[j] if j > start else np.empty(0, dtype=np.float32)
        threshold = config.thresholds.get(b.type, 1.01)
        if any(
            _judged_together(records[i], b, float(near[i - start]) >= threshold, replaces[j]) for i in members
        ):
            runs.append(list(range(start, j)))
            start = j
    runs.append(list(range(start, len(records))))
    return runs


def _judged_together(a: MemoryRecord, b: MemoryRecord, near: bool, b_replaces: Collection[str]) -> bool:
    """Whether writing `a` first may change what is decided for `b` (see `sequential_runs`)."""
    if a.id in b_replaces or (a.external_id is not None and a.external_id in b_replaces):
        return True
    if a.type is not b.type or a.scope != b.scope:
        return False
    if a.content_hash == b.content_hash or (a.fact_key is not None and a.fact_key == b.fact_key):
        return True
    return (near and may_merge(b, a)) or is_negation_update(b, a)
