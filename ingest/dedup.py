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
_BLOCK = 256  # rows of cosines computed at once when a batch is cut into runs
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

    An item starts a new run when it may be judged against an earlier item of the current run: one
    it names in `supersedes` (`replaces`: the ids and caller ids each item names), or one of its
    type and scope with the same content, the same `fact_key`, the same words with the negation
    flipped (`is_negation_update`), or close enough in meaning to be a near-duplicate (cosine at
    least the type's threshold, and `may_merge`). Keys find the candidates, so a run of n items
    costs n lookups and one row of cosines per item, not n² comparisons of text; vectors are unit
    length, so a dot product is the cosine.
    """
    runs: list[list[int]] = []
    matrix = np.asarray(vectors, dtype=np.float32)
    start, seen = 0, _RunKeys()
    block = np.empty((0, 0), dtype=np.float32)
    keys = [_keys(r) for r in records]
    statements = [_statement(r) for r in records]  # each text parsed once
    for j, b in enumerate(records):
        if j % _BLOCK == 0:  # the cosines of the next rows with every earlier row, in one product
            block = matrix[j : j + _BLOCK] @ matrix[: j + _BLOCK].T
        near = block[j % _BLOCK, start:j]
        judged = seen.named(replaces[j], keys[j]) or seen.negated(records, j, statements[j])
        if j > start and (judged or _near_duplicate(records, near, start, config, b)):
            runs.append(list(range(start, j)))
            start, seen = j, _RunKeys()
        seen.add(j, b, keys[j], statements[j])
    if records:
        runs.append(list(range(start, len(records))))
    return runs


Key = tuple[object, ...]


@dataclass
class _RunKeys:
    """What the items of the current run are known by."""

    names: set[str] = field(default_factory=set)  # ids and caller ids
    keys: set[Key] = field(default_factory=set)  # (type, scope, what) of content, fact_key
    statements: dict[Key, list[int]] = field(default_factory=dict)  # words without negation

    def add(self, position: int, record: MemoryRecord, keys: list[Key], statement: Key | None) -> None:
        self.names.add(record.id)
        if record.external_id is not None:
            self.names.add(record.external_id)
        self.keys.update(keys)
        if statement is not None:
            self.statements.setdefault(statement, []).append(position)

    def named(self, names: Collection[str], keys: list[Key]) -> bool:
        """An item of the run is named (`supersedes`), or has the same content or `fact_key`."""
        return any(name in self.names for name in names) or any(key in self.keys for key in keys)

    def negated(self, records: Sequence[MemoryRecord], j: int, statement: Key | None) -> bool:
        """An item of the run says what `records[j]` says, its negation flipped."""
        earlier = self.statements.get(statement, []) if statement is not None else []
        return any(is_negation_update(records[j], records[i]) for i in earlier)


def _keys(record: MemoryRecord) -> list[Key]:
    own = (record.type, record.scope)
    keys: list[Key] = [(*own, "content", record.content_hash)]
    if record.fact_key is not None:
        keys.append((*own, "fact", record.fact_key))
    return keys


def _statement(record: MemoryRecord) -> Key | None:
    """What a negation update of it says too (None: its type has no negation updates)."""
    if not SPECS[record.type].negation_updates:
        return None
    sig = signature(record.content)
    return (record.type, record.scope, sig.words, sig.numbers)


def _near_duplicate(
    records: Sequence[MemoryRecord], near: np.ndarray, start: int, config: DedupConfig, b: MemoryRecord
) -> bool:
    """An item of the run from `start` is a near-duplicate `b` may merge with (`near`: the cosines)."""
    threshold = config.thresholds.get(b.type, 1.01)
    close = [records[start + int(k)] for k in np.flatnonzero(near >= threshold)]
    return any(a.type is b.type and a.scope == b.scope and may_merge(b, a) for a in close)
