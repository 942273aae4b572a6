"""`MnemoStore`: a LangGraph `BaseStore` whose items are mnemo memories (extra `langgraph`).

    store = MnemoStore("http://127.0.0.1:8080", api_key=..., user_id="alice")
    graph = builder.compile(store=store)          # nodes reach it through get_store()

An item is one memory of `memory_type` (semantic by default): its key is the memory's caller id, its
namespace the memory's `scope.namespace` (`lg/<label>/<label>…`, labels escaped to the scope
alphabet) beside the store's own `user_id` / `agent_id`, so `mnemo forget --user alice` removes the
store's items too. The value (as JSON text: any JSON document up to MAX_VALUE_CHARS), the namespace
and the update time ride in the memory's metadata; the memory's content (what is embedded and
searched, its first MAX_TEXT_CHARS characters) is the text at the `index` paths of the put, else
every string in the value. Memories are written with no prefilter and no dedup: a store keeps what
it is given, as given.

A search selects the store's items by namespace prefix and value filters (`{"k": v}`,
`$eq $ne $gt $gte $lt $lte`, dotted paths) here, over the store's memories, which the store lists
page by page: keep a store's scope to one user or agent where the tenant is large. With a query, the
selected items that are indexed come ranked by the cosine similarity of their text and the query
(`POST /v1/memories/rank`: every one scored, none dropped), `limit` after `offset`; without one,
newest first. TTL is not supported (`supports_ttl` is False: a put with a ttl is refused).

Concurrent async calls on one store in one event loop are gathered into one batch, as LangGraph's
own async stores batch theirs: one listing answers every read of the batch, identical searches are
ranked once, the writes go in a few requests and a few requests at most run at once. Reads in a
batch see the store as it was before the batch's writes. The store's clients retry 429 and 503
answers for up to `retry_deadline_s` (the server's `Retry-After`): a graph's parallel nodes wait for
the tenant's write slot rather than fail. Bad input keeps LangGraph's shape (`InvalidNamespaceError`);
a refusal of mnemo is the client's typed `MnemoError`.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from langgraph.store.base import (
    BaseStore,
    GetOp,
    InvalidNamespaceError,
    ListNamespacesOp,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
)

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
from mnemo_client.errors import MnemoError, NotFound
from mnemo_client.langgraph.items import (
    MAX_TEXT_CHARS,
    MAX_VALUE_CHARS,
    META,
    caller_id,
    encode_namespace,
    encode_value,
    indexed,
    is_item,
    matching_namespaces,
    newest_first,
    passes,
    plain,
    searchable_text,
    to_item,
    under,
)
from mnemo_client.models import FACT_TYPE, MemoryRecord
from mnemo_client.sync_client import Mnemo

__all__ = ["MAX_TEXT_CHARS", "MAX_VALUE_CHARS", "MnemoStore", "caller_id", "encode_namespace"]

_PAGE = 500  # memories per listed page, the server's most
_RANK_IDS = 10_000  # ids per rank request, the server's most
_WRITE_ITEMS = 100  # memories per write request
_WRITE_CHARS = 4_000_000  # JSON characters per write request, well inside the server's 8 MiB body
_IN_FLIGHT = 8  # requests of one async batch at once
_RETRY_DEADLINE_S = 120.0

Key = tuple[tuple[str, ...], str]
Rank = tuple[str, tuple[str, ...], int]  # (query, memory ids, how many best)
_Waiting = tuple[Op, "asyncio.Future[Result]"]  # an async op and its caller's future


@dataclass
class _Batch:
    """A batch's ops, checked, and what answering them needs. Reads are answered from one listing
    taken before the batch's writes; for each key only its last put counts."""

    ops: list[Op]
    failed: dict[int, Exception] = field(default_factory=dict)
    puts: dict[Key, PutOp] = field(default_factory=dict)
    listing: bool = False  # whether the store's items must be listed
    namespace: tuple[str, ...] | None = None  # the one namespace listed, where one is enough


def _plan(ops: Iterable[Op]) -> _Batch:
    batch = _Batch(list(ops))
    spaces: set[tuple[str, ...]] = set()
    for i, op in enumerate(batch.ops):
        try:
            validate_op_namespace(op)
            if not isinstance(op, GetOp | PutOp | SearchOp | ListNamespacesOp):
                raise TypeError(f"unknown store operation {type(op).__name__}")
            if isinstance(op, GetOp | PutOp):
                encode_namespace(op.namespace)
            if isinstance(op, PutOp) and op.value is not None:
                encode_value(op.value)
        except (InvalidNamespaceError, TypeError, ValueError) as exc:
            batch.failed[i] = exc
            continue
        if isinstance(op, PutOp):
            batch.puts[(op.namespace, op.key)] = op
        if isinstance(op, GetOp) or (isinstance(op, PutOp) and op.value is None):
            spaces.add(op.namespace)
        elif not isinstance(op, PutOp):
            batch.listing = True
    if spaces and not batch.listing:
        batch.listing = True
        batch.namespace = next(iter(spaces)) if len(spaces) == 1 else None
    return batch


class _Snapshot:
    """The store's items as listed, by key."""

    def __init__(self, records: Iterable[MemoryRecord]) -> None:
        self.records = {
            (item.namespace, item.key): (r, item) for r in records if is_item(r) for item in [to_item(r)]
        }

    def selected(self, op: SearchOp) -> list[tuple[MemoryRecord, SearchItem]]:
        return [
            (record, item)
            for record, item in self.records.values()
            if under(item.namespace, op.namespace_prefix) and passes(item.value, op.filter)
        ]


def _rank_of(op: SearchOp, selected: list[tuple[MemoryRecord, SearchItem]]) -> Rank | None:
    ids = tuple(sorted(r.id for r, _ in selected if indexed(r)))
    return (op.query, ids, op.offset + op.limit) if op.query and ids else None


def _ranks(batch: _Batch, snapshot: _Snapshot) -> Iterable[Rank]:
    """The rankings the batch's searches need (the same search twice: the same ranking)."""
    for i, op in enumerate(batch.ops):
        if isinstance(op, SearchOp) and i not in batch.failed:
            rank = _rank_of(op, snapshot.selected(op))
            if rank is not None:
                yield rank


def _merged(parts: Iterable[Sequence[tuple[str, float]]], best: int) -> list[tuple[str, float]]:
    """The best of several rank answers, as one rank of all their ids would have answered."""
    return sorted((hit for part in parts for hit in part), key=lambda h: (-h[1], h[0]))[:best]


def _answer(op: Op, snapshot: _Snapshot, ranked: dict[Rank, list[tuple[str, float]]]) -> Result:
    if isinstance(op, GetOp):
        found = snapshot.records.get((op.namespace, op.key))
        return None if found is None else plain(found[1])
    if isinstance(op, ListNamespacesOp):
        return matching_namespaces((item for _, item in snapshot.records.values()), op)
    if isinstance(op, SearchOp):
        selected = snapshot.selected(op)
        rank = _rank_of(op, selected)
        if not op.query:
            return newest_first([item for _, item in selected])[op.offset : op.offset + op.limit]
        if rank is None:
            return []
        by_id = {record.id: item for record, item in selected}
        hits = ranked[rank][op.offset : op.offset + op.limit]
        return [
            SearchItem(item.namespace, item.key, item.value, item.created_at, item.updated_at, score=score)
            for memory_id, score in hits
            if (item := by_id.get(memory_id)) is not None
        ]
    return None  # a put


def _write_slices(memories: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    slices: list[list[dict[str, Any]]] = [[]]
    size = 0
    for memory in memories:
        chars = len(memory["content"]) + len(memory["metadata"][META]["value_json"]) * 2 + 1_000
        if slices[-1] and (len(slices[-1]) >= _WRITE_ITEMS or size + chars > _WRITE_CHARS):
            slices.append([])
            size = 0
        slices[-1].append(memory)
        size += chars
    return [s for s in slices if s]


class MnemoStore(BaseStore):
    """LangGraph's long-term memory store on mnemo. Give a URL (and `api_key`), or the clients.

    `user_id` / `agent_id`: the scope every item is written and read in (the store sees only its own
    scope). `memory_type`: the mnemo type items are (semantic). `index`: the default value paths
    that make an item's searchable text (a put's own `index` wins). `retry_deadline_s`: how long the
    store's own clients retry a busy server's 429 / 503 answers.
    """

    __slots__ = ("_async", "_queued", "_running", "_scope", "_sync", "index", "memory_type")

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        memory_type: str = FACT_TYPE.value,
        index: list[str] | None = None,
        client: Mnemo | None = None,
        async_client: AsyncMnemo | None = None,
        timeout: float = 30.0,
        retry_deadline_s: float = _RETRY_DEADLINE_S,
    ) -> None:
        if url is None and (client is None or async_client is None):
            raise TypeError("MnemoStore: give url (and api_key), or both client and async_client")
        self._sync = client or Mnemo(url or "", api_key, timeout=timeout, retry_deadline_s=retry_deadline_s)
        self._async = async_client or AsyncMnemo(
            url or "", api_key, timeout=timeout, retry_deadline_s=retry_deadline_s
        )
        self._scope = {k: v for k, v in (("user_id", user_id), ("agent_id", agent_id)) if v is not None}
        self.memory_type = memory_type
        self.index = index
        # Async ops waiting for their batch, per event loop; the batches' tasks, kept while they run.
        self._queued: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[_Waiting]] = (
            weakref.WeakKeyDictionary()
        )
        self._running: set[asyncio.Task[None]] = set()

    # --- requests, shaped once for both forms ------------------------------------------------

    def _memory(self, op: PutOp) -> dict[str, Any]:
        assert op.value is not None
        paths = op.index if isinstance(op.index, list) else self.index
        meta = {"namespace": list(op.namespace), "key": op.key, "value_json": encode_value(op.value),
                "indexed": op.index is not False, "updated_at": datetime.now(UTC).isoformat()}  # fmt: skip
        return {
            "type": self.memory_type, "id": caller_id(self._scope, op.namespace, op.key),
            "content": searchable_text(op.value, paths),
            "scope": {**self._scope, "namespace": encode_namespace(op.namespace)}, "metadata": {META: meta},
        }  # fmt: skip

    def _filters(self, namespace: tuple[str, ...] | None) -> dict[str, Any]:
        extra = {} if namespace is None else {"namespace": encode_namespace(namespace)}
        return {"type": self.memory_type, **self._scope, **extra, "limit": _PAGE}

    def _changes(self, batch: _Batch, snapshot: _Snapshot) -> tuple[list[PutOp], list[str]]:
        """The puts to write, and the ids of the memories to delete."""
        writes = [op for op in batch.puts.values() if op.value is not None]
        gone = [snapshot.records[key][0].id for key, op in batch.puts.items()
                if op.value is None and key in snapshot.records]  # fmt: skip
        return writes, gone

    # --- sync ----------------------------------------------------------------------------------

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        batch = _plan(ops)
        if batch.failed:
            raise next(iter(batch.failed.values()))
        records = self._sync.list(**self._filters(batch.namespace)) if batch.listing else ()
        snapshot = _Snapshot(records)
        ranked = {rank: self._rank(rank) for rank in _ranks(batch, snapshot)}
        results = [_answer(op, snapshot, ranked) for op in batch.ops]
        writes, gone = self._changes(batch, snapshot)
        for memories in _write_slices([self._memory(op) for op in writes]):
            self._sync.write(memories, prefilter=False, dedup=False)
        for memory_id in gone:
            with suppress(NotFound):  # deleted meanwhile: what was asked holds
                self._sync.delete(memory_id)
        return results

    def _rank(self, rank: Rank) -> list[tuple[str, float]]:
        query, ids, best = rank
        parts = []
        for start in range(0, len(ids), _RANK_IDS):
            chunk = ids[start : start + _RANK_IDS]
            found = self._sync.rank(query, chunk, memory_type=self.memory_type, limit=min(best, len(chunk)))
            parts.append([(h.id, h.score) for h in found.hits])
        return _merged(parts, best)

    # --- async ---------------------------------------------------------------------------------

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        loop = asyncio.get_running_loop()
        mine = [(op, loop.create_future()) for op in ops]
        queued = self._queued.get(loop)
        if queued is None:  # the first op of this turn of the loop: the batch starts on the next
            queued = self._queued[loop] = []
            loop.call_soon(self._start_batch, loop)
        queued.extend(mine)
        return list(await asyncio.gather(*(future for _, future in mine)))

    def _start_batch(self, loop: asyncio.AbstractEventLoop) -> None:
        task = loop.create_task(self._run_batch(self._queued.pop(loop, [])))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run_batch(self, queued: list[_Waiting]) -> None:
        batch = _plan(op for op, _ in queued)
        try:
            results = await self._abatch(batch)
        except Exception as exc:  # every waiting caller gets it
            results = [exc] * len(queued)
        for (_, future), result in zip(queued, results, strict=True):
            if future.done():  # its caller was cancelled
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def _abatch(self, batch: _Batch) -> list[Result | Exception]:
        gate = asyncio.Semaphore(_IN_FLIGHT)
        records = (
            [r async for r in self._async.list(**self._filters(batch.namespace))] if batch.listing else []
        )
        snapshot = _Snapshot(records)
        ranks = list(dict.fromkeys(_ranks(batch, snapshot)))
        answers = await asyncio.gather(*(self._arank(rank, gate) for rank in ranks))
        ranked = dict(zip(ranks, answers, strict=True))
        results: list[Result | Exception] = [
            batch.failed.get(i) or _answer(op, snapshot, ranked) for i, op in enumerate(batch.ops)
        ]
        writes, gone = self._changes(batch, snapshot)
        refused = await self._awrite(writes)
        for i, op in enumerate(batch.ops):
            if isinstance(op, PutOp) and (error := refused.get((op.namespace, op.key))) is not None:
                results[i] = error
        await asyncio.gather(*(self._adelete(memory_id, gate) for memory_id in gone))
        return results

    async def _arank(self, rank: Rank, gate: asyncio.Semaphore) -> list[tuple[str, float]]:
        query, ids, best = rank
        parts = []
        for start in range(0, len(ids), _RANK_IDS):
            chunk = ids[start : start + _RANK_IDS]
            async with gate:
                found = await self._async.rank(
                    query, chunk, memory_type=self.memory_type, limit=min(best, len(chunk))
                )
            parts.append([(h.id, h.score) for h in found.hits])
        return _merged(parts, best)

    async def _awrite(self, writes: list[PutOp]) -> dict[Key, MnemoError]:
        """Write the puts a slice at a time; a slice refused is written one by one, so that only the
        refused puts' callers get the refusal (by key)."""
        keys = {caller_id(self._scope, op.namespace, op.key): (op.namespace, op.key) for op in writes}
        refused: dict[Key, MnemoError] = {}
        for memories in _write_slices([self._memory(op) for op in writes]):
            try:
                await self._async.write(memories, prefilter=False, dedup=False)
            except MnemoError:
                for memory in memories:
                    try:
                        await self._async.write(memory, prefilter=False, dedup=False)
                    except MnemoError as error:
                        refused[keys[memory["id"]]] = error
        return refused

    async def _adelete(self, memory_id: str, gate: asyncio.Semaphore) -> None:
        async with gate:
            with suppress(NotFound):  # deleted meanwhile: what was asked holds
                await self._async.delete(memory_id)

    def close(self) -> None:
        self._sync.close()

    async def aclose(self) -> None:
        await self._async.aclose()
