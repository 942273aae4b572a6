"""Near-duplicate decisions: which of two memories about the same thing is current.

The newest wins (by `occurred_at`; the incoming one on a tie). The loser is never deleted: it is
marked `superseded_by` the winner and left out of retrieval unless `include_superseded` is asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from memtypes.records import SCOPE_FIELDS, MemoryRecord
from memtypes.types import MemoryType

DEFAULT_MERGE_THRESHOLDS: dict[MemoryType, float] = {
    MemoryType.SEMANTIC: 0.92,
    MemoryType.PROCEDURAL: 0.95,
    MemoryType.PROSPECTIVE: 0.95,
    MemoryType.EPISODIC: 0.98,
    MemoryType.WORKING: 1.01,  # never: working items are archived as they were
}


@dataclass(frozen=True)
class DedupConfig:
    thresholds: Mapping[MemoryType, float] = field(default_factory=lambda: dict(DEFAULT_MERGE_THRESHOLDS))


def same_scope(record: MemoryRecord, payload: Mapping[str, Any]) -> bool:
    return all(record.scope.model_dump().get(k) == payload.get(k) for k in SCOPE_FIELDS)


def incoming_wins(incoming: MemoryRecord, stored_occurred_ts: float) -> bool:
    return incoming.occurred_at.timestamp() >= stored_occurred_ts


def batch_near_duplicates(
    records: Sequence[MemoryRecord], vectors: Sequence[Sequence[float]], config: DedupConfig
) -> list[tuple[int, int]]:
    """Pairs (loser, winner) of near-duplicates inside one batch, each loser at most once.

    Only records of the same tenant, type and scope are compared; vectors are unit length, so the
    dot product is the cosine similarity.
    """
    if len(records) < 2:
        return []
    matrix = np.asarray(vectors, dtype=np.float32)
    similarity = matrix @ matrix.T
    pairs: list[tuple[int, int]] = []
    losers: set[int] = set()
    for i, a in enumerate(records):
        threshold = config.thresholds.get(a.type, 1.01)
        for j in range(i + 1, len(records)):
            b = records[j]
            if similarity[i, j] < threshold or a.type is not b.type or a.tenant != b.tenant:
                continue
            if a.scope != b.scope or i in losers or j in losers:
                continue
            loser, winner = (i, j) if b.occurred_at >= a.occurred_at else (j, i)
            pairs.append((loser, winner))
            losers.add(loser)
    return pairs
