"""The memory types, declared in one place: one `MemoryTypeSpec` each.

Everything else reads the registry, never a type's name: the write path (which fields a type may
carry, what makes two memories one, when near-duplicates merge, where importance starts), retrieval
(which types are searched by default, budget shares, ranking, the context's sections), the lifecycle
routes and the API's enums. What a type does differently is a *trait* of its spec: "holds events",
"has a due date", "counts uses"... Code asks for the trait (`SPECS[t].holds_events`), or, where a
feature belongs to exactly one type (the live working memory of a task, the trigger search of
intentions), for the one type that has it (`SCRATCHPAD_TYPE`, `INTENTION_TYPE`).

Adding a type: a `MemoryType` member and its spec here; a trait only if it behaves in a way no
existing trait describes (then the code that reads the new trait).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class MemoryType(StrEnum):
    EPISODIC = "episodic"
    SEMANTIC = "semantic"
    PROCEDURAL = "procedural"
    PROSPECTIVE = "prospective"
    WORKING = "working"


DAY_SECONDS = 86_400.0


@dataclass(frozen=True)
class TypePolicy:
    """Defaults of one memory type: its budget share and how its hits are ranked."""

    memory_type: MemoryType
    budget_share: float
    half_life_days: float
    w_similarity: float
    w_recency: float
    w_importance: float
    w_usage: float = 0.0
    w_due: float = 0.0
    w_overdue: float = 0.0
    w_trigger: float = 0.0
    due_scale_days: float = 3.0

    def collection(self, prefix: str) -> str:
        return collection_name(prefix, self.memory_type)


def collection_name(prefix: str, memory_type: MemoryType) -> str:
    """The engine collection (Qdrant collection, Edge shard directory) that holds one type."""
    return f"{prefix}_{memory_type.value}"


@dataclass(frozen=True)
class MemoryTypeSpec:
    """One memory type: its defaults, and the traits that make the service treat it differently."""

    policy: TypePolicy  # budget share and ranking defaults
    title: str  # its section's title in a rendered context
    section: int  # sections render in ascending order of this
    merge_threshold: float  # near-duplicates merge at this cosine similarity (above 1: never)
    importance_base: float = 0.25  # where the heuristic importance of its memories starts
    searched_by_default: bool = True  # searched when a retrieval names no types
    own_fields: tuple[str, ...] = ()  # fields only this type may carry (422 on any other type)
    # Dated events, conversation turns among them: an explicit `occurred_at` is part of a memory's
    # identity (its id; near-duplicates merge only within `EVENT_WINDOW_S`), a turn's speaker is
    # stored and ranked, a selected turn's neighbours are offered, and the context shows them oldest
    # first under time headers. Thread turns, hook transcripts and working-memory evictions land here.
    holds_events: bool = False
    # Intentions: `due_at` and `trigger` are part of identity, rank by due time and trigger phrase
    # (not by the query's time window), render with a `[due …]` prefix, and pending ones whose
    # trigger the query names are searched for on their own.
    due_dated: bool = False
    statuses: tuple[str, ...] = ()  # its lifecycle (complete/cancel routes); the first is a new memory's
    counts_uses: bool = False  # `POST /v1/memories/{id}/used` counts successful uses (usage ranks)
    # How to do things: a question that asks how ("how do I …", "what do I do if …") lifts its memories.
    answers_how: bool = False
    # "X is Y" then "X is not Y": the same statement negated is an update and supersedes the older.
    negation_updates: bool = False
    # A newer statement about the same subject is lifted above an older one at retrieval
    # (retrieval/stages/rank.py); the words two must share to count as one subject (0: a name suffices).
    newer_first_overlap: float | None = None
    # A task's live scratchpad, in Redis (api `/v1/working`): read first into the context under its
    # own budget; the collection is the archive of cleared tasks (`cleared_at`, kept as it was).
    task_scratchpad: bool = False

    @property
    def memory_type(self) -> MemoryType:
        return self.policy.memory_type

    def collection(self, prefix: str) -> str:
        return collection_name(prefix, self.memory_type)


_SPECS = (
    MemoryTypeSpec(
        # Episodic recency is light and slow: conversations are asked about months later, and a
        # strong fast decay buried the turns that answer them; a little still breaks ties toward the
        # recent (benchmarks/README.md, "Tried and left off").
        # Episodic importance is 0: a turn's importance is almost always the write path's keyword
        # heuristic ("important", "need to", dates...), which long turns hit more often than short
        # ones, so it put long assistant turns above the user turns that hold the answer.
        # Importance is still stored and shown; `ranking.weights.episodic.importance` weights it
        # again for a request.
        TypePolicy(
            MemoryType.EPISODIC, 0.30, half_life_days=90, w_similarity=0.70, w_recency=0.05, w_importance=0.0
        ),
        title="Episodic memory (what happened)",
        section=4,
        merge_threshold=0.94,  # only within EVENT_WINDOW_S of each other: a retold event, punctuated anew
        holds_events=True,
        # Events are told at length and every turn of a conversation names its speaker: a newer event
        # is a correction of an older one only if they share this much of their words (Jaccard) and it
        # changes a number (a time, date, amount or count: "lands at 10:00" → "now lands at 12:30").
        # With names alone, every turn of a conversation would lift its speaker's older ones
        # (benchmarks/README.md, "Tried and left off").
        newer_first_overlap=0.35,
    ),
    MemoryTypeSpec(
        TypePolicy(
            MemoryType.SEMANTIC, 0.35, half_life_days=90, w_similarity=0.70, w_recency=0.05, w_importance=0.0
        ),
        title="Semantic memory (facts and preferences)",
        section=1,
        merge_threshold=0.92,
        importance_base=0.35,
        own_fields=("fact_key",),
        negation_updates=True,
        newer_first_overlap=0.0,
    ),
    MemoryTypeSpec(
        TypePolicy(
            MemoryType.PROCEDURAL,
            0.20,
            half_life_days=180,
            w_similarity=0.70,
            w_recency=0.0,
            w_importance=0.0,
            w_usage=0.10,
        ),
        title="Procedural memory (how to do things)",
        section=2,
        merge_threshold=0.95,
        importance_base=0.4,
        counts_uses=True,
        answers_how=True,
        negation_updates=True,
        newer_first_overlap=0.0,
    ),
    MemoryTypeSpec(
        TypePolicy(
            MemoryType.PROSPECTIVE,
            0.15,
            half_life_days=30,
            w_similarity=0.70,
            w_recency=0.0,
            w_importance=0.0,
            w_due=0.20,
            w_overdue=0.20,
            w_trigger=0.50,
        ),
        title="Prospective memory (to do later)",
        section=3,
        merge_threshold=0.95,
        importance_base=0.45,
        own_fields=("due_at", "trigger"),
        due_dated=True,
        statuses=("pending", "done", "cancelled"),
    ),
    MemoryTypeSpec(
        TypePolicy(
            MemoryType.WORKING, 0.0, half_life_days=1, w_similarity=0.60, w_recency=0.30, w_importance=0.10
        ),
        title="Working memory",
        section=0,  # the task's live working memory, when present, always comes first
        merge_threshold=1.01,  # never: working items are archived as they were
        # Its collection is the archive of cleared task scratchpads; the live working memory comes
        # from Redis under its own budget.
        searched_by_default=False,
        task_scratchpad=True,
    ),
)

SPECS: dict[MemoryType, MemoryTypeSpec] = {s.memory_type: s for s in _SPECS}
POLICIES: dict[MemoryType, TypePolicy] = {t: s.policy for t, s in SPECS.items()}

# Types searched when a retrieval does not name any (in declaration order).
DEFAULT_RETRIEVAL_TYPES: tuple[MemoryType, ...] = tuple(t for t in MemoryType if SPECS[t].searched_by_default)

# Order of sections in the rendered context.
SECTION_ORDER: tuple[MemoryType, ...] = tuple(sorted(MemoryType, key=lambda t: SPECS[t].section))


def types_where(trait: Callable[[MemoryTypeSpec], object]) -> tuple[MemoryType, ...]:
    """The types whose spec has `trait`, in declaration order."""
    return tuple(t for t in MemoryType if trait(SPECS[t]))


def _the_one(trait: Callable[[MemoryTypeSpec], object], what: str) -> MemoryType:
    found = types_where(trait)
    if len(found) != 1:
        raise RuntimeError(f"exactly one memory type must be {what}; the registry has {len(found)}")
    return found[0]


def names(types: tuple[MemoryType, ...]) -> str:
    """Types as a message names them: "semantic", "semantic or procedural"."""
    return " or ".join(t.value for t in types)


# The features that belong to one type, by the trait that names it.
EVENT_TYPE = _the_one(lambda s: s.holds_events, "where conversation turns and events are written")
INTENTION_TYPE = _the_one(lambda s: s.due_dated, "the intentions with due dates and triggers")
SCRATCHPAD_TYPE = _the_one(lambda s: s.task_scratchpad, "a task's live working memory")
FACT_TYPE = _the_one(lambda s: "fact_key" in s.own_fields, "the facts keyed by `fact_key`")
