"""mem0's shapes: its request bodies, its memory dict, its filters, and its entity ids in a mnemo
scope (`user_id`, `agent_id`, `run_id` → `thread_id`, `app_id` → namespace `app/<id>`).

Bodies ignore the fields mem0's clients send for its LLM extraction (custom instructions and
categories, output formats): mnemo stores what it is given, so they have nothing to steer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ...memtypes.errors import FieldProblem, InvalidInput
from ...memtypes.limits import MAX_ITEMS_PER_REQUEST
from ...memtypes.records import MAX_CONTENT_CHARS, MemoryRecord, Scope
from ...memtypes.types import MemoryType
from ..edge import NotSupported, iso, memory_scope

VENDOR = "mem0"
# mem0's memories are facts and preferences: mnemo's semantic type.
MEM0_TYPE = MemoryType.SEMANTIC
ENTITY_FIELDS = ("user_id", "agent_id", "run_id", "app_id")
ENTITY_TYPES = {"user": "user_id", "agent": "agent_id", "run": "run_id", "app": "app_id"}
APP_NAMESPACE = "app/"
INFER_NOTE = (
    "mnemo has no extraction model: each message was stored verbatim as one memory; in place of "
    "inference, filler and exact duplicates were dropped and near-duplicates merged (the newer wins)"
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Message(_Body):
    role: str = Field(default="user", max_length=64)
    content: str = Field(min_length=1, max_length=MAX_CONTENT_CHARS)


class AddBody(_Body):
    messages: list[Message] = Field(min_length=1, max_length=MAX_ITEMS_PER_REQUEST)

    @field_validator("messages", mode="before")
    @classmethod
    def _one_message(cls, value: Any) -> Any:
        """A string is one user message, an object one message (as mem0's clients send them)."""
        if isinstance(value, str):
            return [{"role": "user", "content": value}]
        return [value] if isinstance(value, dict) else value

    user_id: str | None = None
    agent_id: str | None = None
    run_id: str | None = None
    app_id: str | None = None
    filters: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    infer: bool = True
    timestamp: float | None = Field(default=None, description="when it happened, Unix seconds")
    expiration_date: str | None = None


class UpdateBody(_Body):
    text: str | None = Field(default=None, min_length=1, max_length=MAX_CONTENT_CHARS)
    data: str | None = Field(default=None, min_length=1, max_length=MAX_CONTENT_CHARS)  # the OSS server's
    metadata: dict[str, Any] | None = None
    timestamp: float | str | None = None
    expiration_date: str | None = None


class SearchBody(_Body):
    query: str = Field(min_length=1, max_length=8_000)
    filters: dict[str, Any] | None = None
    top_k: int = Field(default=10, ge=1, le=100)
    limit: int | None = Field(default=None, ge=1, le=100)  # the OSS server's name for top_k
    threshold: float | None = None
    user_id: str | None = None
    agent_id: str | None = None
    run_id: str | None = None


class ListBody(_Body):
    filters: dict[str, Any] | None = None
    page: int | None = Field(default=None, ge=1)
    page_size: int | None = Field(default=None, ge=1, le=1_000)


class BatchItem(_Body):
    memory_id: str = Field(min_length=1, max_length=64)
    text: str | None = Field(default=None, min_length=1, max_length=MAX_CONTENT_CHARS)
    metadata: dict[str, Any] | None = None


class BatchBody(_Body):
    memories: list[BatchItem] = Field(min_length=1, max_length=MAX_ITEMS_PER_REQUEST)


def entity_scope(ids: Mapping[str, Any]) -> Scope:
    """The mnemo scope of mem0's entity ids; `*` (any) and absent ones do not narrow it."""
    given = {name: ids.get(name) for name in ENTITY_FIELDS}
    for name, value in given.items():
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{name} must be a string", problems=[FieldProblem(name, "not a string")])
    wanted = {k: v for k, v in given.items() if v is not None and v != "*"}
    app = wanted.get("app_id")
    return memory_scope(
        {"thread_id": "run_id", "namespace": "app_id"},
        user_id=wanted.get("user_id"),
        agent_id=wanted.get("agent_id"),
        thread_id=wanted.get("run_id"),
        namespace=None if app is None else APP_NAMESPACE + app,
    )


def filter_scope(
    filters: Mapping[str, Any] | None, top: Mapping[str, Any] | None = None
) -> tuple[Scope, Range]:
    """mem0's filters (`{"user_id": …}`, `{"AND": [{…}, …]}`, `created_at` with gte/lte/gt/lt) as a
    scope and a time range; what mnemo cannot filter by (OR, NOT, metadata, categories, other
    operators) is a 501 naming it."""
    flat: dict[str, Any] = dict(top or {})
    created = Range()
    for key, value in _conditions(filters or {}):
        if key in ENTITY_FIELDS:
            flat[key] = value
        elif key == "created_at" and isinstance(value, dict):
            created = created.narrowed(value)
        else:
            raise NotSupported(VENDOR, f"filters: {key}")
    return entity_scope(flat), created


def _conditions(filters: Mapping[str, Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in filters.items():
        if key == "AND" and isinstance(value, list):
            for part in value:
                if not isinstance(part, dict):
                    raise InvalidInput(
                        "AND holds conditions", problems=[FieldProblem("filters.AND", "not objects")]
                    )
                out.extend(_conditions(part))
        else:
            out.append((key, value))
    return out


class Range:
    """An interval of instants from mem0's comparison operators (ISO dates or date-times)."""

    def __init__(self, start: float | None = None, end: float | None = None) -> None:
        self.start, self.end = start, end

    def narrowed(self, operators: Mapping[str, Any]) -> Range:
        start, end = self.start, self.end
        for op, raw in operators.items():
            moment = _instant(raw, f"filters.created_at.{op}")
            if op in ("gte", "gt"):
                start = moment if start is None else max(start, moment)
            elif op in ("lte", "lt"):
                end = moment if end is None else min(end, moment)
            else:
                raise NotSupported(VENDOR, f"filters: created_at {op}")
        return Range(start, end)

    def holds(self, moment: datetime) -> bool:
        ts = moment.timestamp()
        return (self.start is None or ts >= self.start) and (self.end is None or ts <= self.end)


def _instant(raw: Any, field: str) -> float:
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput(f"{field} is not a date", problems=[FieldProblem(field, "not ISO 8601")]) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def memory_out(record: MemoryRecord, score: float | None = None) -> dict[str, Any]:
    """A record as mem0 answers a memory."""
    namespace = record.scope.namespace or ""
    out: dict[str, Any] = {
        "id": record.id,
        "memory": record.content,
        "user_id": record.scope.user_id,
        "agent_id": record.scope.agent_id,
        "run_id": record.scope.thread_id,
        "app_id": namespace[len(APP_NAMESPACE) :] if namespace.startswith(APP_NAMESPACE) else None,
        "hash": record.content_hash,
        "metadata": record.metadata or None,
        "categories": record.tags,
        "created_at": iso(record.occurred_at),
        "updated_at": iso(record.created_at),
        "immutable": False,
        "expiration_date": None,
    }
    if score is not None:
        out["score"] = score
    return out


def unix_instant(raw: float | str | None, field: str) -> datetime | None:
    """mem0's `timestamp`: Unix seconds (or an ISO date-time, which its update takes too)."""
    if raw is None:
        return None
    if isinstance(raw, int | float):
        try:
            return datetime.fromtimestamp(raw, UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidInput(
                f"{field} is out of range", problems=[FieldProblem(field, "out of range")]
            ) from None
    return datetime.fromtimestamp(_instant(raw, field), UTC)
