"""The schema both Qdrant backends keep: the vectors' names, the indexed payload fields, what a
point id may be. (What they ask of the engine is decided once, in mnemo.backends.qdrant.planner.)"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from enum import StrEnum

from ...memtypes.records import TIE_BREAK_FIELD

DENSE = "dense"  # the name of the one dense vector of every collection
SPARSE = "bm25"  # the name of the sparse (BM25) vector, IDF applied by the engine


class IndexKind(StrEnum):
    TENANT = "tenant"  # a keyword index that also partitions storage by tenant
    KEYWORD = "keyword"
    BOOL = "bool"
    FLOAT = "float"


# Every field a filter or the ranking formula reads. The timestamps are indexed as floats because the
# formula's conditions take ranges over them (`due_ts < now` for overdue items).
PAYLOAD_INDEXES: tuple[tuple[str, IndexKind], ...] = (
    ("tenant", IndexKind.TENANT),
    ("user_id", IndexKind.KEYWORD),
    ("agent_id", IndexKind.KEYWORD),
    ("thread_id", IndexKind.KEYWORD),
    ("namespace", IndexKind.KEYWORD),  # agent bindings' `<resource>/<key>`
    ("status", IndexKind.KEYWORD),
    ("content_hash", IndexKind.KEYWORD),
    ("external_id", IndexKind.KEYWORD),
    ("task_id", IndexKind.KEYWORD),
    ("fact_key", IndexKind.KEYWORD),
    ("trigger_key", IndexKind.KEYWORD),
    ("superseded", IndexKind.BOOL),
    (
        "tells_time",
        IndexKind.BOOL,
    ),  # the formula's when-question term (mnemo.memtypes.language.time_mentions)
    ("tells_schedule", IndexKind.BOOL),  # the same term, for a when-question about now or ahead
    # the formula's leave-or-advice term (mnemo.memtypes.language.preferences)
    ("states_preference", IndexKind.BOOL),
    ("speaker", IndexKind.KEYWORD),  # the formula's speaker term (mnemo.memtypes.language.speakers)
    ("occurred_ts", IndexKind.FLOAT),
    ("due_ts", IndexKind.FLOAT),
    ("created_ts", IndexKind.FLOAT),
    ("seq", IndexKind.FLOAT),  # write order: neighbouring turns are found by ordering on it
    # Validity: every current read leaves out what has expired or is still ahead.
    ("valid_from_ts", IndexKind.FLOAT),
    ("valid_until_ts", IndexKind.FLOAT),
    ("stale", IndexKind.BOOL),
    ("depends_on", IndexKind.KEYWORD),  # the memories that depend on one, found when it changes
    # Read by the ranking formula only. Qdrant takes a formula variable from a payload index when
    # the field has one, else from the stored payload (decoded per candidate per variable): indexed,
    # a retrieval's searches cost less engine CPU.
    ("importance", IndexKind.FLOAT),
    ("use_count", IndexKind.FLOAT),
    (TIE_BREAK_FIELD, IndexKind.FLOAT),
)


def canonical_ids(ids: Sequence[str]) -> list[str]:
    """The ids that can name a point at all, in canonical UUID form.

    A string that is not a UUID cannot exist in the index, so reads and deletes skip it instead of
    letting the engine fail the whole call (ids may come straight from a URL).
    """
    out: list[str] = []
    for raw in ids:
        try:
            out.append(str(uuid.UUID(raw)))
        except (ValueError, TypeError, AttributeError):
            continue
    return out


def dense_vector(vector: object) -> list[float] | None:
    """The "dense" vector out of whatever shape the engine returned it in."""
    if isinstance(vector, dict):
        vector = vector.get(DENSE)
    if isinstance(vector, list):  # both engines give a fresh list of Python floats: no copy
        return vector
    return None
