"""What the pipelines ask of a vector index, and what it answers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from .formula import Condition, Excludes, Expr, FieldEquals, FieldIn, FieldRange, Missing
from .records import Scope
from .types import MemoryType

# Validity is compared to the millisecond: a time `t` is in [start, end) when start < t + 1 ms and
# end ≥ t + 1 ms (the filters have `<` and `≥` only); stored times are whole microseconds.
_INSTANT = 0.001


class View(StrEnum):
    """What an `as_of` read asks for: `true`, what held in the world at that time, as known now
    (superseded and expired memories whose validity covers it included); `known`, what mnemo held
    current at that time (written by then, not yet superseded or invalidated)."""

    TRUE = "true"  # what was true in the world at that time, as far as mnemo knows now
    KNOWN = "known"  # what mnemo held current at that time: written by then, not yet replaced


class Outdated(StrEnum):
    """Why a current read leaves a memory out (`left_out`)."""

    SUPERSEDED = "superseded"  # a newer memory replaced it
    EXPIRED = "expired"  # its `valid_until` has passed (an invalidation sets it)
    NOT_YET_VALID = "not_yet_valid"  # its `valid_from` is still ahead


@dataclass(frozen=True)
class AsOf:
    """A read at another time than now (epoch seconds), in one of the two views."""

    at: float
    view: View = View.TRUE

    def conditions(self, status: str | None) -> list[Condition]:
        t = self.at + _INSTANT
        if self.view is View.TRUE:
            out: list[Condition] = [
                Excludes((FieldRange("valid_until_ts", lt=t),)),
                Excludes((FieldRange("valid_from_ts", gte=t),)),
                Excludes((Missing("valid_from_ts"), FieldRange("occurred_ts", gte=t))),
                # Superseded before validity times were kept: when it stopped holding is unknown.
                Excludes((FieldEquals("superseded", True), Missing("valid_until_ts"))),
            ]
        else:
            out = [
                FieldRange("created_ts", lt=t),
                Excludes((FieldRange("superseded_ts", lt=t),)),
                Excludes((FieldRange("invalidated_ts", lt=t),)),
                Excludes((FieldEquals("superseded", True), Missing("superseded_ts"))),
            ]
        if status is not None:
            # The status it had then: one that changed after `at` (`closed_ts`) was still the first.
            out.append(Excludes((FieldRange("closed_ts", lt=t),)))
            out.append(Excludes((Missing("closed_ts"), Excludes((FieldEquals("status", status),)))))
        return out


def current_at(moment: datetime) -> float:
    """The instant a current read judges validity at: whole seconds, so that a filter built for one
    request is reused by the others of that second; rounded up, so that what was just invalidated
    (its validity ended now) is already left out."""
    return float(math.ceil(moment.timestamp()))


def current_conditions(now: float) -> list[Condition]:
    """What is current at `now`: not superseded, its validity not ended, nor still ahead."""
    t = now + _INSTANT
    return [
        FieldEquals("superseded", False),
        Excludes((FieldRange("valid_until_ts", lt=t),)),
        Excludes((FieldRange("valid_from_ts", gte=t),)),
    ]


def validity_excludes(now: float, earliest_end: float | None, latest_start: float | None) -> bool:
    """Whether `current_conditions(now)` may leave out a memory for its validity, among memories
    whose validity ends no earlier than `earliest_end` and begins no later than `latest_start`
    (None: none of them has an end, or a start)."""
    t = now + _INSTANT
    return (earliest_end is not None and earliest_end < t) or (latest_start is not None and latest_start >= t)


def outdated_conditions(reason: Outdated, now: float) -> list[Condition]:
    """What a current read at `now` leaves out for `reason` (each memory for one reason only)."""
    t = now + _INSTANT
    if reason is Outdated.SUPERSEDED:
        return [FieldEquals("superseded", True)]
    if reason is Outdated.EXPIRED:
        return [FieldEquals("superseded", False), FieldRange("valid_until_ts", lt=t)]
    return [
        FieldEquals("superseded", False),
        Excludes((FieldRange("valid_until_ts", lt=t),)),
        FieldRange("valid_from_ts", gte=t),
    ]


@dataclass(frozen=True)
class MemoryFilter:
    """Which points a read may see. `tenant` is mandatory: no read is ever unscoped.

    By default what is current: not superseded and, when `now` is given, valid at `now`.
    `include_superseded` drops that condition (every version); `as_of` replaces it by a view at
    another time; `outdated` asks for what a current read leaves out for that reason instead.
    """

    tenant: str
    scope: Scope = field(default_factory=Scope)
    include_superseded: bool = False
    now: float | None = None  # the instant validity is judged at (epoch seconds; None: not judged)
    as_of: AsOf | None = None
    outdated: Outdated | None = None
    stale: bool | None = None  # only stale memories (True), or only those not stale (False)
    depends_on: tuple[str, ...] = ()  # memories that depend on any of these ids
    external_ids: tuple[str, ...] = ()  # memories with any of these caller ids
    status: str | None = None  # prospective items only, e.g. "pending"
    content_hashes: tuple[str, ...] = ()  # any of these exact contents
    fact_key: str | None = None  # semantic facts about one subject
    due_before: float | None = None  # prospective items due before this instant (epoch seconds)
    due_from: float | None = None  # prospective items due at or after this instant
    occurred_from: float | None = None  # occurred at or after this instant (epoch seconds)
    occurred_until: float | None = None  # occurred before this instant
    trigger_keys: tuple[str, ...] = ()  # prospective items whose trigger phrase is one of these
    triggered: bool = False  # only prospective items with a trigger phrase
    namespaces: tuple[str, ...] = ()  # any of these namespaces (an agent's bound memory resources)
    speakers: tuple[str, ...] = ()  # conversation turns said by any of these (a speaker's words)

    def __post_init__(self) -> None:
        if not self.tenant:
            raise ValueError("a filter always names its tenant")

    @property
    def judges_validity(self) -> bool:
        """Whether `conditions` leave out what is not valid at `now` (a current read at a time)."""
        return (
            self.now is not None
            and self.outdated is None
            and self.as_of is None
            and not self.include_superseded
        )

    def conditions(self, validity: bool = True) -> list[Condition]:
        """Everything a point must satisfy, in the same vocabulary as the ranking formula's conditions.
        `validity=False`: a current read's without its validity conditions, for an engine that knows
        they would leave out none of the memories it reads (`validity_excludes`)."""
        out: list[Condition] = [FieldEquals("tenant", self.tenant)]
        out.extend(FieldEquals(key, value) for key, value in self.scope.items())
        if self.outdated is not None:
            out.extend(outdated_conditions(self.outdated, self.now or 0.0))
        elif self.as_of is not None:
            out.extend(self.as_of.conditions(self.status))
        elif not self.include_superseded:
            # Records always store `superseded`, so an equality (not "is not true") is enough.
            out.extend(
                current_conditions(self.now)
                if self.now is not None and validity
                else [FieldEquals("superseded", False)]
            )
        if self.status is not None and self.as_of is None:
            out.append(FieldEquals("status", self.status))
        if self.stale is not None:
            out.append(
                FieldEquals("stale", self.stale) if self.stale else Excludes((FieldEquals("stale", True),))
            )
        if self.fact_key is not None:
            out.append(FieldEquals("fact_key", self.fact_key))
        if self.due_before is not None or self.due_from is not None:
            out.append(FieldRange("due_ts", gte=self.due_from, lt=self.due_before))
        if self.occurred_from is not None or self.occurred_until is not None:
            out.append(FieldRange("occurred_ts", lt=self.occurred_until, gte=self.occurred_from))
        if self.triggered:
            out.append(Excludes((Missing("trigger_key"),)))
        # Any one of the given values, under the payload field that holds it (no values: no condition).
        any_of = {
            "depends_on": self.depends_on,
            "external_id": self.external_ids,
            "content_hash": self.content_hashes,
            "trigger_key": self.trigger_keys,
            "namespace": self.namespaces,
            "speaker": self.speakers,
        }
        out.extend(FieldIn(field, values) for field, values in any_of.items() if values)
        return out


@dataclass(frozen=True)
class SparseVector:
    """A sparse (BM25) vector: token ids and their weights."""

    indices: tuple[int, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class VectorPoint:
    id: str
    vector: list[float]
    payload: dict[str, Any]
    sparse: SparseVector | None = None  # points written before hybrid search have none


# A retrieval builds a point for every hit of every search, a few thousand: their constructors set
# the fields straight into the instance, where a frozen dataclass's own goes through
# object.__setattr__ field by field. Frozen all the same: assignment still raises.
@dataclass(frozen=True, init=False)
class StoredPoint:
    id: str
    payload: dict[str, Any]
    vector: list[float] | None = None

    def __init__(self, id: str, payload: dict[str, Any], vector: list[float] | None = None) -> None:
        self.__dict__.update(id=id, payload=payload, vector=vector)


@dataclass(frozen=True, init=False)
class ScoredPoint:
    id: str
    score: float
    payload: dict[str, Any]
    vector: list[float] | None = None

    def __init__(
        self, id: str, score: float, payload: dict[str, Any], vector: list[float] | None = None
    ) -> None:
        self.__dict__.update(id=id, score=score, payload=payload, vector=vector)


class Fusion(StrEnum):
    RRF = "rrf"  # reciprocal-rank fusion: 1/(k + rank) summed over the two lists
    DBSF = "dbsf"  # distribution-based score fusion: each list's scores normalized, then summed
    # The formula itself combines the two lists' scores (`$score[0]` dense, `$score[1]` BM25):
    # absolute values, so scores stay comparable across collections, unlike ranks.
    LINEAR = "linear"


@dataclass(frozen=True)
class SearchRequest:
    """The candidates of one type within `filter`, re-scored by `formula` when one is given.

    The relevance stage is the nearest neighbours of the dense `vector`, of the `sparse` (BM25)
    vector, or, with both, the two candidate lists fused (`fusion`; linear fusion leaves both lists
    to the formula, as `$score[0]` and `$score[1]`); each list takes `prefetch_limit` candidates.
    The formula (if any) ranks them, with the relevance stage's score as `$score`, and the best
    `limit` come back. Without a formula the relevance stage's own
    ranking comes back: that is how an explanation learns the `$score` the formula saw.
    """

    memory_type: MemoryType
    vector: list[float] | None
    filter: MemoryFilter
    limit: int
    prefetch_limit: int
    formula: Expr | None = None
    with_vector: bool = False
    sparse: SparseVector | None = None
    fusion: Fusion = Fusion.RRF
    rrf_k: int = 60
    # Two-stage ranking: the relevance stage's candidates are first cut to the best `stage_limit` by
    # `stage_formula` (a combination of the lists' scores, e.g. linear fusion, reading no payload),
    # and only those are ranked by `formula`, whose `$score` is then the stage formula's. Formula
    # terms that read the payload cost per candidate: ranking the union of two deep lists took
    # longer than the lists themselves.
    stage_formula: Expr | None = None
    stage_limit: int | None = None
    # Payloads of the best `payload_limit` hits only (None: of every hit); the others come back with
    # ids and scores alone (an empty payload), for the caller to read if it uses them.
    payload_limit: int | None = None

    def __post_init__(self) -> None:
        if self.vector is None and self.sparse is None:
            raise ValueError("a search needs a dense or a sparse query vector")
        if self.fused and self.fusion is Fusion.LINEAR and self.formula is None:
            raise ValueError("linear fusion is done by the formula: give one")
        if self.stage_formula is not None and (self.formula is None or self.stage_limit is None):
            raise ValueError("a stage formula cuts candidates for a formula: give both, and a stage limit")

    @property
    def fused(self) -> bool:
        return self.vector is not None and self.sparse is not None


@dataclass(frozen=True)
class NeighbourRequest:
    """The memories written just before (`before=True`) or after the one at `seq`, nearest first.

    `filter` already confines them to the memory's own scope and session window.
    """

    memory_type: MemoryType
    filter: MemoryFilter
    seq: float
    before: bool
    limit: int

    @property
    def start_from(self) -> float:
        """Where the walk along `seq` starts (inclusive): at the memory itself, which `conditions`
        leaves out. Sequence numbers are whole microseconds, so "after" is "at least half a unit more"."""
        return self.seq if self.before else self.seq + 0.5

    def conditions(self, validity: bool = True) -> list[Condition]:
        side = FieldRange("seq", lt=self.seq) if self.before else FieldRange("seq", gte=self.start_from)
        return [*self.filter.conditions(validity), side]
