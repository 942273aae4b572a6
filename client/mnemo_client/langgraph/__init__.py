"""`MnemoStore`: a LangGraph `BaseStore` whose items are mnemo memories (extra `langgraph`).

    store = MnemoStore("http://127.0.0.1:8080", api_key=..., user_id="alice")
    graph = builder.compile(store=store)          # nodes reach it through get_store()

An item is one memory of `memory_type` (semantic by default): its key is the memory's caller id, its
namespace the memory's `scope.namespace` (`lg/<label>/<label>…`, labels escaped to the scope
alphabet) beside the store's own `user_id` / `agent_id`, so `mnemo forget --user alice` removes the
store's items too. The value, the namespace and the update time ride in the memory's metadata; the
memory's content (what is embedded and searched) is the text at the `index` paths of the put, else
every string in the value. Memories are written with no prefilter and no dedup: a store keeps what
it is given, as given.

A search with a query is a mnemo retrieval (scores are mnemo's: similarity, recency, importance);
without one, items come newest first. Value filters (`{"k": v}`, `$eq $ne $gt $gte $lt $lte`,
dotted paths) and namespace prefixes are applied here, over the store's memories, which the store
lists page by page: keep a store's scope to one user or agent where the tenant is large.
Bad input keeps LangGraph's shape (`InvalidNamespaceError`); a refusal of mnemo is the client's typed
`MnemoError`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from langgraph.store.base import (
    BaseStore,
    GetOp,
    InvalidNamespaceError,
    Item,
    ListNamespacesOp,
    MatchCondition,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
)
from langgraph.store.base.embed import get_text_at_path

try:
    from langgraph.store.base import validate_op_namespace
except ImportError:  # langgraph-checkpoint before it had one: the same checks here

    def validate_op_namespace(op: Op) -> None:
        paths = [op.namespace] if isinstance(op, GetOp | PutOp) else []
        paths += [op.namespace_prefix] if isinstance(op, SearchOp) else []
        paths += [c.path for c in op.match_conditions or ()] if isinstance(op, ListNamespacesOp) else []
        for label in (label for path in paths for label in path):
            if not isinstance(label, str) or not label or "." in label or "\x00" in label:
                raise InvalidNamespaceError(f"invalid namespace label {label!r}")


from mnemo_client.async_client import AsyncMnemo
from mnemo_client.errors import NotFound
from mnemo_client.models import FACT_TYPE, MemoryRecord
from mnemo_client.sync_client import Mnemo

__all__ = ["MnemoStore"]

META = "langgraph"  # the metadata key of a store item: {namespace, key, value, updated_at, indexed}
ROOT = "lg"  # the first label of every encoded namespace (a scope id starts with a letter or digit)
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@-")
_MAX_SCOPE_CHARS = 256
_PAGE = 500


def encode_namespace(namespace: tuple[str, ...]) -> str:
    """The scope namespace of a LangGraph namespace: injective, within the scope id alphabet."""
    labels = ["".join(c if c in _SAFE else "".join(f"+{b:02X}" for b in c.encode()) for c in label)
              for label in namespace]  # fmt: skip
    encoded = "/".join([ROOT, *labels])
    if len(encoded) > _MAX_SCOPE_CHARS:
        raise InvalidNamespaceError(
            f"namespace {namespace} is too long for a mnemo scope ({len(encoded)} > 256)"
        )
    return encoded


def _content(value: Mapping[str, Any], index: list[str] | None) -> str:
    texts = [t for path in index for t in get_text_at_path(value, path)] if index else _strings(value)
    text = "\n".join(t for t in texts if t.strip())
    return text or json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def caller_id(scope: Mapping[str, str], namespace: tuple[str, ...], key: str) -> str:
    """The memory's caller id: one per (scope, namespace, key). mnemo names a memory by its caller id
    across the tenant's scopes, so two users' stores with the same key must not share one (the same
    derivation as the TypeScript MnemoStore, so both reach the same items)."""
    identity = [scope.get("user_id"), scope.get("agent_id"), list(namespace), key]
    digest = hashlib.sha256(json.dumps(identity, ensure_ascii=False, separators=(",", ":")).encode())
    return f"lg-{digest.hexdigest()}"


def _key(record: MemoryRecord) -> str:
    key = record.metadata[META].get("key")
    return key if isinstance(key, str) else record.external_id or record.id


def _item(record: MemoryRecord, score: float | None = None) -> SearchItem:
    meta = record.metadata[META]
    # `updated_at` is the writer's clock before the write and `created_at` the server's as it
    # stores it: an item is never updated before it was created.
    written = meta.get("updated_at")
    updated = max(datetime.fromisoformat(written), record.created_at) if written else record.created_at
    return SearchItem(
        namespace=tuple(meta["namespace"]), key=_key(record), value=meta["value"],
        created_at=record.created_at, updated_at=updated, score=score,
    )  # fmt: skip


def _plain(item: SearchItem) -> Item:
    return Item(value=item.value, key=item.key, namespace=item.namespace,
                created_at=item.created_at, updated_at=item.updated_at)  # fmt: skip


def _is_item(record: MemoryRecord) -> bool:
    meta = record.metadata.get(META)
    return isinstance(meta, dict) and isinstance(meta.get("namespace"), list) and "value" in meta


def _at(value: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _compare(actual: Any, operator: str, expected: Any) -> bool:
    if operator == "$eq":
        return bool(actual == expected)
    if operator == "$ne":
        return bool(actual != expected)
    if operator not in ("$gt", "$gte", "$lt", "$lte"):
        raise ValueError(f"unsupported filter operator {operator!r} (use $eq $ne $gt $gte $lt $lte)")
    try:
        a, b = float(actual), float(expected)
    except (TypeError, ValueError):
        return False
    if math.isnan(a) or math.isnan(b):
        return False
    return {"$gt": a > b, "$gte": a >= b, "$lt": a < b, "$lte": a <= b}[operator]


def _matches(actual: Any, expected: Any) -> bool:
    if isinstance(expected, Mapping):
        if any(str(k).startswith("$") for k in expected):
            return all(_compare(actual, op, v) for op, v in expected.items())
        return isinstance(actual, Mapping) and all(_matches(actual.get(k), v) for k, v in expected.items())
    if isinstance(expected, list | tuple):
        return (
            isinstance(actual, list | tuple)
            and len(actual) == len(expected)
            and all(_matches(a, e) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(expected, float) and math.isnan(expected):
        return False
    return bool(actual == expected) and isinstance(actual, bool) == isinstance(expected, bool)


def _passes(value: Mapping[str, Any], filters: Mapping[str, Any] | None) -> bool:
    return all(_matches(_at(value, path), expected) for path, expected in (filters or {}).items())


def _under(namespace: tuple[str, ...], prefix: tuple[str, ...]) -> bool:
    return namespace[: len(prefix)] == tuple(prefix)


def _fits(namespace: tuple[str, ...], condition: MatchCondition) -> bool:
    path = tuple(condition.path)
    if len(namespace) < len(path):
        return False
    part = (
        namespace[: len(path)]
        if condition.match_type == "prefix"
        else namespace[len(namespace) - len(path) :]
    )
    return all(p == "*" or p == n for p, n in zip(path, part, strict=True))


def _namespaces(items: Iterable[SearchItem], op: ListNamespacesOp) -> list[tuple[str, ...]]:
    found = {item.namespace for item in items}
    kept = {
        ns if op.max_depth is None else ns[: op.max_depth]
        for ns in found
        if all(_fits(ns, c) for c in op.match_conditions or ())
    }
    return sorted(kept)[op.offset : op.offset + op.limit]


def _hits(records: Iterable[MemoryRecord], memories: Iterable[Any]) -> list[tuple[Any, float]]:
    """(namespace, key) and score of each retrieved memory that is an indexed item of the store."""
    by_id = {r.id: r for r in records if _is_item(r) and r.metadata[META].get("indexed", True)}
    return [
        ((tuple(record.metadata[META]["namespace"]), _key(record)), memory.score)
        for memory in memories
        if (record := by_id.get(memory.id)) is not None
    ]


def _newest_first(items: list[SearchItem]) -> list[SearchItem]:
    return sorted(items, key=lambda i: (i.updated_at, i.namespace, i.key), reverse=True)


class MnemoStore(BaseStore):
    """LangGraph's long-term memory store on mnemo. Give a URL (and `api_key`), or the clients.

    `user_id` / `agent_id`: the scope every item is written and read in (the store sees only its own
    scope). `memory_type`: the mnemo type items are (semantic). `search_budget_tokens`: the token budget
    of a search with a query (the retrieval packs at most this much). `index`: the default value paths
    that make an item's searchable text (a put's own `index` wins).
    """

    __slots__ = ("_async", "_scope", "_sync", "index", "memory_type", "search_budget_tokens")

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        memory_type: str = FACT_TYPE.value,
        search_budget_tokens: int = 8000,
        index: list[str] | None = None,
        client: Mnemo | None = None,
        async_client: AsyncMnemo | None = None,
        timeout: float = 30.0,
    ) -> None:
        if url is None and (client is None or async_client is None):
            raise TypeError("MnemoStore: give url (and api_key), or both client and async_client")
        self._sync = client or Mnemo(url or "", api_key=api_key, timeout=timeout)
        self._async = async_client or AsyncMnemo(url or "", api_key=api_key, timeout=timeout)
        self._scope = {k: v for k, v in (("user_id", user_id), ("agent_id", agent_id)) if v is not None}
        self.memory_type = memory_type
        self.search_budget_tokens = search_budget_tokens
        self.index = index

    # --- requests, shaped once for both forms ------------------------------------------------

    def _memory(self, op: PutOp) -> dict[str, Any]:
        assert op.value is not None
        indexed = op.index is not False
        paths = op.index if isinstance(op.index, list) else self.index
        meta = {"namespace": list(op.namespace), "key": op.key, "value": dict(op.value),
                "indexed": indexed, "updated_at": datetime.now(UTC).isoformat()}  # fmt: skip
        return {
            "type": self.memory_type, "id": caller_id(self._scope, op.namespace, op.key),
            "content": _content(op.value, paths),
            "scope": {**self._scope, "namespace": encode_namespace(op.namespace)}, "metadata": {META: meta},
        }  # fmt: skip

    def _filters(self, namespace: tuple[str, ...] | None = None) -> dict[str, Any]:
        extra = {} if namespace is None else {"namespace": encode_namespace(namespace)}
        return {"type": self.memory_type, **self._scope, **extra, "limit": _PAGE}

    def _retrieve_args(self, candidates: list[SearchItem]) -> dict[str, Any]:
        scope = dict(self._scope)
        spaces = {item.namespace for item in candidates}
        if len(spaces) == 1:  # one namespace: let the retrieval look only there
            scope["namespace"] = encode_namespace(next(iter(spaces)))
        return {"scope": scope, "types": [self.memory_type], "budget_tokens": self.search_budget_tokens}

    @staticmethod
    def _key_of(records: Iterable[MemoryRecord], key: str) -> MemoryRecord | None:
        return next((r for r in records if _is_item(r) and _key(r) == key), None)

    @staticmethod
    def _candidates(records: Iterable[MemoryRecord], op: SearchOp) -> list[SearchItem]:
        items = [_item(r) for r in records if _is_item(r)]
        return [i for i in items if _under(i.namespace, op.namespace_prefix) and _passes(i.value, op.filter)]

    @staticmethod
    def _ranked(
        candidates: list[SearchItem], op: SearchOp, hits: list[tuple[Any, float]]
    ) -> list[SearchItem]:
        by_key = {(i.namespace, i.key): i for i in candidates}
        ranked, seen = [], set()
        for record_key, score in hits:
            item = by_key.get(record_key)
            if item is not None and record_key not in seen:
                seen.add(record_key)
                ranked.append(SearchItem(item.namespace, item.key, item.value, item.created_at,
                                         item.updated_at, score=score))  # fmt: skip
        return ranked[op.offset : op.offset + op.limit]

    # --- sync ----------------------------------------------------------------------------------

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        return [self._one(op) for op in ops]

    def _one(self, op: Op) -> Result:
        validate_op_namespace(op)
        if isinstance(op, GetOp):
            record = self._key_of(self._sync.list(**self._filters(op.namespace)), op.key)
            return None if record is None else _plain(_item(record))
        if isinstance(op, PutOp):
            if op.value is None:
                self._delete(op)
            else:
                self._sync.write(self._memory(op), prefilter=False, dedup=False)
            return None
        if isinstance(op, SearchOp):
            records = list(self._sync.list(**self._filters()))
            candidates = self._candidates(records, op)
            if not candidates:
                return []
            if not op.query:
                return list(_newest_first(candidates)[op.offset : op.offset + op.limit])
            result = self._sync.retrieve(op.query, **self._retrieve_args(candidates))
            return list(self._ranked(candidates, op, _hits(records, result.memories)))
        if isinstance(op, ListNamespacesOp):
            return _namespaces((_item(r) for r in self._sync.list(**self._filters()) if _is_item(r)), op)
        raise TypeError(f"unknown store operation {type(op).__name__}")

    def _delete(self, op: PutOp) -> None:
        record = self._key_of(self._sync.list(**self._filters(op.namespace)), op.key)
        if record is not None:
            with suppress(NotFound):  # deleted meanwhile: what was asked holds
                self._sync.delete(record.id)

    # --- async ---------------------------------------------------------------------------------

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        return [await self._aone(op) for op in ops]

    async def _alist(self, namespace: tuple[str, ...] | None = None) -> list[MemoryRecord]:
        return [r async for r in self._async.list(**self._filters(namespace))]

    async def _aone(self, op: Op) -> Result:
        validate_op_namespace(op)
        if isinstance(op, GetOp):
            record = self._key_of(await self._alist(op.namespace), op.key)
            return None if record is None else _plain(_item(record))
        if isinstance(op, PutOp):
            if op.value is None:
                record = self._key_of(await self._alist(op.namespace), op.key)
                if record is not None:
                    with suppress(NotFound):
                        await self._async.delete(record.id)
            else:
                await self._async.write(self._memory(op), prefilter=False, dedup=False)
            return None
        if isinstance(op, SearchOp):
            records = await self._alist()
            candidates = self._candidates(records, op)
            if not candidates:
                return []
            if not op.query:
                return list(_newest_first(candidates)[op.offset : op.offset + op.limit])
            result = await self._async.retrieve(op.query, **self._retrieve_args(candidates))
            return list(self._ranked(candidates, op, _hits(records, result.memories)))
        if isinstance(op, ListNamespacesOp):
            return _namespaces((_item(r) for r in await self._alist() if _is_item(r)), op)
        raise TypeError(f"unknown store operation {type(op).__name__}")

    def close(self) -> None:
        self._sync.close()

    async def aclose(self) -> None:
        await self._async.aclose()
