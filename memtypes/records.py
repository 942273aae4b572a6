"""The memory record, what callers send to create one, and how a record maps to a stored payload."""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    field_validator,
    model_validator,
)

from .jsontypes import IsoDatetime, JsonFloat
from .language.preferences import states_preference
from .language.speakers import speaker_of
from .language.text import phrase_key
from .language.time_mentions import keeps_schedule, mentions_time
from .limits import metadata_problem
from .privacy.policy import SensitiveSpan
from .types import SPECS, MemoryType

MAX_CONTENT_CHARS = 32_000
MAX_ID_CHARS = 256
MAX_TAGS = 32
MAX_METADATA_JSON_CHARS = 16_000
# A memory's own metadata may be larger: a framework's key-value store keeps the item's value there
# (a LangGraph store value is any JSON document; its adapters promise values of a megabyte). The
# other limits (depth, nodes, keys) still hold, so a large value is a few large strings, which the
# engines store and read back as one node each.
MAX_MEMORY_METADATA_JSON_CHARS = 2 * 1024 * 1024
MAX_REFERENCES = 32  # ids a memory may name in `supersedes` or `depends_on`

_ID_NAMESPACE = uuid.UUID("6f1c8f0e-8d2b-4a59-9a43-0b6f4f1d2e10")
SCOPE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,255}$"
# A working-memory task's id is caller-chosen and ends up in Redis keys and URL path segments: a
# strict alphabet (no `*`, `{`, `/`, whitespace) and a length cap. Keys encode it again anyway
# (backends/redis/keys.py).
TASK_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$"
_WHITESPACE = re.compile(r"\s+")
# The scope components, each a payload field with a keyword index, filtered by exact match.
SCOPE_FIELDS = ("user_id", "agent_id", "thread_id", "namespace")
# A payload number between 0 and 1 that the id fixes: hybrid relevance adds a trace of it, so that
# candidates whose scores are otherwise equal (the same BM25 score and no cosine) are ordered the
# same way in every process. The engine keeps tied candidates in an order that changes between runs.
TIE_BREAK_FIELD = "tie_break"


# Times a filter or the ranking reads as numbers: `<name without _at>_ts`, absent when unset.
TIME_FIELDS = ("due_at", "valid_from", "valid_until", "superseded_at", "invalidated_at", "closed_at")


def time_key(name: str) -> str:
    """The payload's number for a time field: `due_at` → `due_ts`, `valid_from` → `valid_from_ts`."""
    return f"{name.removesuffix('_at')}_ts"


_TIME = TypeAdapter(datetime)


def time_payload(**times: datetime | None) -> dict[str, object]:
    """Payload updates of time fields: each as the record stores it and as its number (None clears)."""
    out: dict[str, object] = {}
    for name, moment in times.items():
        out[name] = None if moment is None else _TIME.dump_python(moment, mode="json")
        out[time_key(name)] = None if moment is None else moment.timestamp()
    return out


def stored_time(payload: Mapping[str, Any], name: str) -> datetime | None:
    """A time field of a stored payload (from its number)."""
    value = payload.get(time_key(name))
    return datetime.fromtimestamp(value, UTC) if isinstance(value, int | float) else None


def tie_break(point_id: str) -> float:
    digest = hashlib.blake2b(point_id.encode(), digest_size=8).digest()
    # Six decimals: the engine's payload store gives back a float with more digits in the last bit
    # off, and a copy that reads back unlike what was written would not compare equal.
    return round(int.from_bytes(digest, "big") / 2**64, 6)


def same_stored(written: Any, stored: Any) -> bool:
    """Whether a value read back from the vector store is the one written (JSON values).

    Qdrant's payload store parses some floats of 17 significant digits one unit in the last place
    off, so a float compares equal within a few of those units; everything else exactly."""
    if isinstance(written, float) and isinstance(stored, float):
        return math.isclose(written, stored, rel_tol=1e-15, abs_tol=0.0)
    if isinstance(written, dict) and isinstance(stored, dict):
        return written.keys() == stored.keys() and all(same_stored(v, stored[k]) for k, v in written.items())
    if isinstance(written, list) and isinstance(stored, list):
        pairs = zip(written, stored, strict=False)
        return len(written) == len(stored) and all(same_stored(a, b) for a, b in pairs)
    return bool(written == stored)


def check_json_size(value: dict[str, Any], limit: int = MAX_METADATA_JSON_CHARS) -> dict[str, Any]:
    """A metadata validator: refuse what would bloat every payload it is stored in, or what the
    engines cannot store and read back (depth, node count, keys, numbers: memtypes/limits.py)."""
    if (problem := metadata_problem(value)) is not None:
        raise ValueError(problem)
    if len(json.dumps(value, default=str)) > limit:
        raise ValueError(f"metadata is larger than {limit} characters of JSON")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


NonBlankStr = Annotated[str, AfterValidator(_not_blank)]
# A memory named by its id or its caller's id (`MemoryIn.id`).
Reference = Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS)]


class Scope(BaseModel):
    """Who a memory belongs to inside a tenant. Absent fields mean "not scoped by this"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: str | None = Field(default=None, pattern=SCOPE_ID_PATTERN)
    agent_id: str | None = Field(default=None, pattern=SCOPE_ID_PATTERN)
    thread_id: str | None = Field(default=None, pattern=SCOPE_ID_PATTERN)
    namespace: str | None = Field(
        default=None,
        pattern=SCOPE_ID_PATTERN,
        description="`<memory resource>/<key>`: set by agent bindings (MNEMO_CONFIG)",
    )

    def items(self) -> list[tuple[str, str]]:
        return [(k, v) for k in SCOPE_FIELDS if (v := getattr(self, k)) is not None]


class MemoryIn(BaseModel):
    """One memory as a caller writes it (`POST /v1/memories`, one line of an ingest file)."""

    model_config = ConfigDict(extra="forbid")

    type: MemoryType
    content: NonBlankStr = Field(min_length=1, max_length=MAX_CONTENT_CHARS)
    scope: Scope = Field(default_factory=Scope)
    id: str | None = Field(default=None, min_length=1, max_length=MAX_ID_CHARS, description="caller's id")
    occurred_at: IsoDatetime | None = None
    importance: JsonFloat | None = Field(default=None, ge=0.0, le=1.0)
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)
    metadata: dict[str, Any] = Field(default_factory=dict)
    due_at: IsoDatetime | None = None
    trigger: str | None = Field(default=None, min_length=1, max_length=500)
    task_id: str | None = Field(default=None, pattern=SCOPE_ID_PATTERN)
    fact_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="semantic facts only: the subject a fact is about; a newer fact with the same key "
        "supersedes the older one (e.g. `alice.drink`)",
    )
    # What the write path's privacy screen found (ingest/prefilter.py); None: not screened yet. Not a
    # field: a caller cannot say what its memory holds.
    _sensitive: list[SensitiveSpan] | None = PrivateAttr(default=None)

    @property
    def sensitive(self) -> list[SensitiveSpan] | None:
        return self._sensitive

    def screened(self, sensitive: list[SensitiveSpan], **update: Any) -> MemoryIn:
        """A copy with `update` applied (redacted fields) and what the screen found."""
        copy = self.model_copy(update=update)
        copy._sensitive = sensitive
        return copy

    valid_from: IsoDatetime | None = Field(
        default=None, description="when what it says began to hold in the world (absent: since it occurred)"
    )
    valid_until: IsoDatetime | None = Field(
        default=None, description="when what it says stops holding (absent: until something replaces it)"
    )
    supersedes: list[Reference] = Field(
        default_factory=list,
        max_length=MAX_REFERENCES,
        description="memories of the same type this one replaces, by id or caller id: each stops being "
        "current, its validity ended where this one's begins",
    )
    depends_on: list[Reference] = Field(
        default_factory=list,
        max_length=MAX_REFERENCES,
        description="memories this one depends on or was derived from, by id or caller id: when one "
        "is superseded, invalidated, deleted or forgotten, this one is marked stale",
    )

    @model_validator(mode="after")
    def _valid_window(self) -> MemoryIn:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be later than valid_from")
        return self

    @model_validator(mode="after")
    def _type_fields(self) -> MemoryIn:
        for spec in SPECS.values():
            given = any(getattr(self, name) is not None for name in spec.own_fields)
            if given and self.type is not spec.memory_type:
                fields = " and ".join(spec.own_fields)
                verb = "is" if len(spec.own_fields) == 1 else "are"
                raise ValueError(f"{fields} {verb} for {spec.memory_type.value} memories")
        return self

    @field_validator("tags")
    @classmethod
    def _short_tags(cls, value: list[str]) -> list[str]:
        if any(not t or len(t) > 64 for t in value):
            raise ValueError("each tag must be 1..64 characters")
        return value

    @field_validator("metadata")
    @classmethod
    def _small_metadata(cls, value: dict[str, Any]) -> dict[str, Any]:
        return check_json_size(value, MAX_MEMORY_METADATA_JSON_CHARS)


class MemoryRecord(BaseModel):
    """A stored memory, as returned by the API."""

    id: str
    external_id: str | None = None
    type: MemoryType
    tenant: str
    scope: Scope
    content: str
    content_hash: str
    token_count: int
    token_counts: dict[str, int]
    importance: float
    importance_tier: str | None = None  # caller | consensus | single | heuristic (None: written before)
    occurred_at: datetime
    created_at: datetime
    last_accessed_at: datetime | None = None
    access_count: int = 0
    use_count: int = 0
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    due_at: datetime | None = None
    trigger: str | None = None
    status: str | None = None
    supersedes: str | None = None
    superseded_by: str | None = None
    task_id: str | None = None
    cleared_at: datetime | None = None
    fact_key: str | None = None
    sensitive: list[SensitiveSpan] = Field(
        default_factory=list,
        description="secrets and personal data found in it when written (the tenant's privacy policy "
        "`tag` or `redact`): kind, field and where",
    )
    # Write order (microseconds since the epoch, strictly increasing per writer): the turns written
    # just before and after a memory in its scope are its neighbours in a conversation.
    seq: int | None = None
    # Two times (docs/concepts.md): when it holds in the world, beside when mnemo learned it
    # (`created_at`) and when it stopped being current knowledge (`superseded_at`, `invalidated_at`).
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    superseded_at: datetime | None = None
    invalidated_at: datetime | None = None
    invalidation_reason: str | None = None
    closed_at: datetime | None = None  # when a prospective memory left its first status (done, cancelled)
    depends_on: list[str] = Field(default_factory=list)
    stale: bool = False  # something it depends on was superseded, invalidated, deleted or forgotten
    stale_cause: str | None = None

    @property
    def valid_start(self) -> datetime:
        """When it began to hold: its `valid_from`, else when it occurred."""
        return self.valid_from or self.occurred_at

    def to_payload(self) -> dict[str, Any]:
        """The Qdrant payload: the record plus numeric timestamps the ranking formula reads."""
        payload = self.model_dump(mode="json", exclude={"scope", "id"}, exclude_none=True)
        payload.update(self.scope.model_dump(exclude_none=True))
        payload["superseded"] = self.superseded_by is not None
        if not self.depends_on:  # as a record written before dependencies were kept: a rewrite is unchanged
            del payload["depends_on"]
        payload["occurred_ts"] = self.occurred_at.timestamp()
        payload["created_ts"] = self.created_at.timestamp()
        payload[TIE_BREAK_FIELD] = tie_break(self.id)
        for name in TIME_FIELDS:
            if (moment := getattr(self, name)) is not None:
                payload[time_key(name)] = moment.timestamp()
        if self.trigger is not None:
            payload["trigger_key"] = phrase_key(self.trigger)
        # Who said a conversation turn: the formula lifts the turns of the speakers a query names.
        speaker = speaker_of(self.content) if SPECS[self.type].holds_events else None
        if speaker:
            payload["speaker"] = speaker
        # Whether the content states a time: the formula lifts such memories for when-questions; a
        # note's schedule ("Sundays at 17:00") for those about now or ahead (a conversation turn's
        # keeps the transcripts' reading).
        payload["tells_time"] = mentions_time(self.content)
        payload["tells_schedule"] = not speaker and keeps_schedule(self.content)
        # Whether it states a preference or a rule: lifted for questions that ask leave or advice.
        payload["states_preference"] = states_preference(self.content)
        return payload

    @classmethod
    def from_payload(cls, point_id: str, payload: dict[str, Any]) -> MemoryRecord:
        fields = {k: v for k, v in payload.items() if k in cls.model_fields}
        fields["scope"] = Scope(**{k: payload[k] for k in SCOPE_FIELDS if k in payload})
        return cls(id=point_id, **fields)


def normalize_content(content: str) -> str:
    return _WHITESPACE.sub(" ", content.strip())


def memory_id(
    tenant: str,
    memory_type: MemoryType,
    scope: Scope,
    external_id: str | None,
    chash: str,
    distinct_by: str | None = None,
) -> str:
    """The unkeyed deterministic id (`chash`: a sha256 of the normalized content): what
    `mnemo.memtypes.ids.IdKeys` keys per tenant, and what stores written before ids were keyed hold.

    `distinct_by`: what else than the words makes a memory without a caller id this one: an event's
    time, an intention's due time and trigger. The same words at another time are another event
    ("User logged in from 10.0.0.3" on Monday and on Tuesday) or another intention.
    """
    if external_id is not None:
        # A namespace (an agent binding's resource and key) is part of an external id's identity, so
        # the same caller id under two conversation keys names two memories, never one overwritten.
        parts = ("ext", tenant, memory_type.value, external_id)
        key = "\x1f".join(parts if scope.namespace is None else (*parts, f"ns={scope.namespace}"))
    else:
        scope_key = "\x1e".join(f"{k}={v}" for k, v in scope.items())
        key = "\x1f".join(("hash", tenant, memory_type.value, scope_key, chash))
        if distinct_by is not None:
            key += f"\x1f{distinct_by}"
    return str(uuid.uuid5(_ID_NAMESPACE, key))


def utcnow() -> datetime:
    return datetime.now(UTC)
