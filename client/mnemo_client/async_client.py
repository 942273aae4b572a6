"""`AsyncMnemo`: the asynchronous client, and the source of the synchronous `Mnemo`: sync_client.py is
generated from this module by client/generate_sync_client.py (`make lint` checks that they agree).

Size: one public class with a short method per API call, each a thin wrapper over `_calls`; split
by topic, the methods of the one client a user reads would be scattered over mixins."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import httpx

from mnemo_client import _calls as calls
from mnemo_client import raw
from mnemo_client._calls import DEFAULT_URL, Call, RetryPolicy
from mnemo_client.errors import MnemoConnectionError, MnemoError
from mnemo_client.models import (
    Invalidated,
    MemoryIn,
    MemoryPage,
    MemoryRecord,
    MemoryType,
    RankingOptions,
    RankResults,
    RetrieveResult,
    Scope,
    SearchResults,
    WriteResponse,
)
from mnemo_client.raw import Limits, Reply
from mnemo_client.state_models import (
    AppendResult,
    ClearResult,
    DueList,
    ErasureStatus,
    ForgetPreview,
    ForgetReceipt,
    MemoryHistory,
    SigningKeys,
    Thread,
    ThreadHistory,
    Turn,
    WorkingItem,
    WorkingView,
)

T = TypeVar("T")


class AsyncMnemo:
    """A client of one mnemo service. Use it as an async context manager (or `await aclose()`).

    `timeout` bounds each request in seconds; `max_retries` retries of 429/503 answers, which wait
    for the server's `Retry-After`; `retry_deadline_s`: instead, retry them for up to that long.
    `transport` is any httpx transport (tests, in-process apps); `limits` the connection pool's
    (`Limits(max_connections=…, max_keepalive_connections=…)`).
    `http_client`: send through this `httpx.AsyncClient` instead (e.g. an app's test client); it keeps
    its own base URL, timeout, transport and limits, and closing it stays the caller's part.
    `request()` sends one raw request (no validation, no retries, no raising for a status).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        api_key: str | None = None,
        *,
        timeout: float = 10.0,
        max_retries: int = 2,
        retry_deadline_s: float | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        limits: Limits | None = None,
        # In process, without a socket: an ASGI application (a mnemo app) called through  # async only
        # httpx's ASGI transport; running its lifespan is the caller's part.  # async only
        app: Callable[..., Awaitable[None]] | None = None,  # async only
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.retry = RetryPolicy(max_retries=max_retries, deadline_s=retry_deadline_s)
        # Headers sent with each request: only through a borrowed client (an own one carries them).
        self._headers: dict[str, str] | None = None
        self._owns_http = http_client is None
        if http_client is None:
            if app is not None:  # async only
                transport = raw.asgi_transport(app, transport)  # async only
            options = raw.client_options(base_url, api_key, headers, timeout, transport, limits)
            self._http = httpx.AsyncClient(**options)
        else:
            self._headers = raw.borrowed_headers(
                api_key,
                headers,
                transport=transport,
                limits=limits,
                app=app,  # async only
            )
            self._http = http_client
        self.threads = AsyncThreads(self)

    async def __aenter__(self) -> AsyncMnemo:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _run(self, call: Call[T]) -> T:
        attempt, started = 0, time.monotonic()
        while True:
            try:
                response = await self._http.request(
                    call.method, call.path, headers=self._headers, **calls.request_args(call)
                )
            except calls.NO_ANSWER as exc:
                raise MnemoConnectionError(f"{call.method} {call.path}: {exc!r}") from exc
            try:
                return calls.result_of(call, response)
            except MnemoError as error:
                wait = self.retry.delay(attempt, error, time.monotonic() - started)
                if wait is None:
                    raise
            await asyncio.sleep(wait)
            attempt += 1

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - httpx's per-request timeout
    ) -> Reply:
        """One request exactly as given (`json` body, query `params`, extra `headers`, `timeout` in
        seconds instead of the client's): no validation, no retries, no error for a 4xx/5xx. The
        `Reply` has the status, the headers and the body; only no answer at all raises
        (`MnemoConnectionError`). For endpoints without a method and for measuring HTTP itself."""
        options = raw.request_options(json, params, headers, self._headers, timeout)
        try:
            response = await self._http.request(method, path, **options)
        except calls.NO_ANSWER as exc:
            raise MnemoConnectionError(f"{method} {path}: {exc!r}") from exc
        return Reply(response)

    # --- memories ------------------------------------------------------------------------------

    async def write(
        self, memories: MemoryIn | Mapping[str, Any] | Sequence[MemoryIn | Mapping[str, Any]], **options: Any
    ) -> WriteResponse:
        """Write one memory or several (`MemoryIn` or dicts); options: prefilter, dedup, agent,
        context, memory."""
        return await self._run(calls.write(memories, options))

    async def retrieve(
        self,
        query: str,
        *,
        scope: Scope | Mapping[str, str] | None = None,
        types: Sequence[MemoryType | str] | None = None,
        budget_tokens: int | None = None,
        model: str | None = None,
        task_id: str | None = None,
        explain: bool = False,
        now: datetime | str | None = None,
        ranking: RankingOptions | Mapping[str, Any] | None = None,
        agent: str | None = None,
        context: Mapping[str, str] | None = None,
        min_confidence: float | None = None,
        **more: Any,
    ) -> RetrieveResult:
        """Ranked memories for `query` packed into a token budget (`budget_tokens`, or a share of
        `model`'s context window); with `min_confidence`, only those at least that likely to be
        relevant (`metadata.top_confidence`: the best one's). `more`: allocation,
        include_superseded, as_of ({"at": …, "view": "true" | "known"}), working_budget_tokens,
        timezone (the asker's, `Europe/Berlin` or `+05:30`: the days the query names are theirs)."""
        fields = dict(
            scope=scope, types=types, budget_tokens=budget_tokens, model=model, task_id=task_id,
            explain=explain, now=now, ranking=ranking, agent=agent, context=context,
            min_confidence=min_confidence, **more,
        )  # fmt: skip
        return await self._run(calls.retrieve(query, fields))

    async def get(self, memory_id: str, *, mask_sensitive: bool = False) -> MemoryRecord:
        """One memory; `mask_sensitive`: its secrets and personal data as typed placeholders."""
        return await self._run(calls.get(memory_id, mask_sensitive))

    async def delete(self, memory_id: str) -> None:
        """A delete, not a forget: gone from reads, its text left in the service's files until they
        are next rewritten, no receipt. `forget(ids=[memory_id])` erases it for good."""
        await self._run(calls.delete(memory_id))

    async def list(self, **filters: Any) -> AsyncIterator[MemoryRecord]:
        """Every memory matching the filters (type, user_id, agent_id, thread_id, namespace,
        include_superseded, as_of, as_of_view; limit = page size), by type then id (no time order), page
        after page; by default what is current (`as_of`: what was true, or known, at that time)."""
        async for memory in self._every_page(filters, stale=False):
            yield memory

    async def _every_page(self, filters: Mapping[str, Any], stale: bool) -> AsyncIterator[MemoryRecord]:
        cursor: str | None = None
        while True:
            page = await self._run(calls.list_page(filters, cursor, stale))
            for memory in page.memories:
                yield memory
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    async def list_page(self, cursor: str | None = None, **filters: Any) -> MemoryPage:
        """One page of `list`: pass the page's `next_cursor` to get the next."""
        return await self._run(calls.list_page(filters, cursor))

    async def search(self, query: str, **filters: Any) -> SearchResults:
        """The memories that match `query` by relevance alone, best first (no recency or importance,
        nothing packed, no access counted). Filters: type, user_id, agent_id, thread_id, namespace,
        include_superseded, as_of, as_of_view, limit (at most 100)."""
        return await self._run(calls.search(query, filters))

    async def rank(
        self, query: str, ids: Sequence[str], *, memory_type: str, limit: int = 10, offset: int = 0
    ) -> RankResults:
        """The memories of `ids` (of `memory_type`) ranked by similarity to `query`, `limit` after
        `offset`: every one scored, none dropped (no budget, floor or near-copy removal). At most
        10,000 ids a call."""
        fields = dict(type=memory_type, ids=list(ids), limit=limit, offset=offset)
        return await self._run(calls.rank(query, fields))

    # --- lifecycles ------------------------------------------------------------------------------

    async def complete(self, memory_id: str) -> MemoryRecord:
        """Mark a prospective memory done."""
        return await self._run(calls.lifecycle(memory_id, "complete"))

    async def cancel(self, memory_id: str) -> MemoryRecord:
        """Cancel a prospective memory."""
        return await self._run(calls.lifecycle(memory_id, "cancel"))

    async def used(self, memory_id: str) -> MemoryRecord:
        """Count a use of a procedural memory."""
        return await self._run(calls.lifecycle(memory_id, "used"))

    async def due(self, **filters: Any) -> DueList:
        """Pending intentions due by `now` (+ `within_minutes`), by scope; `limit`; `as_of`: those
        pending at that time (done or cancelled only later)."""
        return await self._run(calls.due(filters))

    # --- time and truth --------------------------------------------------------------------------

    async def invalidate(
        self, memory_id: str, reason: str, *, valid_until: datetime | str | None = None
    ) -> Invalidated:
        """End a memory's validity (at `valid_until`, else now) without deleting it; the reason is
        kept in its history. Answers the memory and the ids of what was marked stale by it."""
        return await self._run(calls.invalidate(memory_id, reason, valid_until))

    async def confirm(self, memory_id: str) -> MemoryRecord:
        """A stale memory reviewed and still true: it leaves the review feed."""
        return await self._run(calls.lifecycle(memory_id, "confirm"))

    async def stale_page(self, cursor: str | None = None, **filters: Any) -> MemoryPage:
        """One page of `stale`: pass the page's `next_cursor` to get the next."""
        return await self._run(calls.list_page(filters, cursor, stale=True))

    async def stale(self, **filters: Any) -> AsyncIterator[MemoryRecord]:
        """The review feed: current memories marked stale (`stale_cause` says why), page after
        page. Filters: type, user_id, agent_id, thread_id, namespace; limit = page size."""
        async for memory in self._every_page(filters, stale=True):
            yield memory

    # --- governance ------------------------------------------------------------------------------

    async def history(self, memory_id: str) -> MemoryHistory:
        """The memory's change history, oldest first (never its content)."""
        return await self._run(calls.history(memory_id))

    async def forget(
        self,
        *,
        scope: Scope | Mapping[str, str] | None = None,
        user_id: str | None = None,
        agent_id: str | None = None,
        thread_id: str | None = None,
        namespace: str | None = None,
        ids: Sequence[str] | None = None,
        dry_run: bool = False,
        wait_for_erasure: bool = False,
    ) -> ForgetReceipt:
        """Remove every memory, working-memory task and thread of a scope, or the listed memory ids
        (not both); `dry_run` reports without removing. The receipt's digest proves what went.
        The scope is `scope`, or its fields given one by one (`user_id=`, …), not both.
        The removed text leaves the server's files by the receipt's `erase_by` (`erasure(digest)`
        says when it did); `wait_for_erasure` answers only once it has (up to minutes)."""
        fields = dict(
            scope=scope, user_id=user_id, agent_id=agent_id, thread_id=thread_id, namespace=namespace,
            ids=None if ids is None else list(ids), dry_run=dry_run, wait_for_erasure=wait_for_erasure,
        )  # fmt: skip
        return await self._run(calls.forget(fields))

    async def forget_preview(
        self,
        query: str | None = None,
        *,
        sensitive: Sequence[str] | None = None,
        scope: Scope | Mapping[str, str] | None = None,
        types: Sequence[MemoryType | str] | None = None,
        occurred_after: datetime | str | None = None,
        occurred_before: datetime | str | None = None,
        min_confidence: float | None = None,
        limit: int | None = None,
        near_misses: int | None = None,
        mask_sensitive: bool = False,
    ) -> ForgetPreview:
        """What forgetting the memories about `query` (or holding `sensitive` kinds, e.g. `["card"]`)
        would remove, with why each matched, and the near misses that stay; removes nothing. Pass
        its `preview_token` to `forget_previewed` to forget exactly those. `mask_sensitive`: their
        secrets and personal data shown as typed placeholders."""
        fields = dict(
            query=query, sensitive=None if sensitive is None else list(sensitive), scope=scope,
            types=None if types is None else list(types), occurred_after=occurred_after,
            occurred_before=occurred_before, min_confidence=min_confidence, limit=limit,
            near_misses=near_misses, mask_sensitive=mask_sensitive,
        )  # fmt: skip
        return await self._run(calls.forget_preview(fields))

    async def forget_previewed(
        self, preview_token: str, *, ids: Sequence[str] | None = None, wait_for_erasure: bool = False
    ) -> ForgetReceipt:
        """Forget what a preview showed (or only `ids` among it) before its token expires; the
        receipt records the query in `selected_by`."""
        fields = dict(
            preview_token=preview_token,
            ids=None if ids is None else list(ids),
            wait_for_erasure=wait_for_erasure,
        )
        return await self._run(calls.forget_previewed(fields))

    async def erasure(self, digest: str) -> ErasureStatus:
        """Where the erasure of a forget's removed text stands, by its receipt's digest."""
        return await self._run(calls.erasure(digest))

    async def signing_keys(self) -> SigningKeys:
        """The public keys the service signs forget receipts and backup manifests with."""
        return await self._run(calls.signing_keys())

    def working(self, task_id: str) -> AsyncWorking:
        """The working memory of one task."""
        return AsyncWorking(self, task_id)


class AsyncWorking:
    def __init__(self, client: AsyncMnemo, task_id: str) -> None:
        self._client, self.task_id = client, task_id

    async def append(
        self,
        content: str,
        *,
        priority: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        agent: str | None = None,
        context: Mapping[str, str] | None = None,
        scope: Scope | Mapping[str, str] | None = None,
    ) -> AppendResult:
        """Append an item; `scope` records whose task this is (for forget)."""
        fields = dict(
            content=content, priority=priority, metadata=metadata, agent=agent, context=context, scope=scope
        )
        return await self._client._run(calls.working_append(self.task_id, fields))

    async def read(self, *, mask_sensitive: bool = False) -> WorkingView:
        """The task's items; `mask_sensitive`: their secrets and personal data as typed placeholders."""
        return await self._client._run(calls.working_read(self.task_id, mask_sensitive))

    async def items(self) -> list[WorkingItem]:
        """The task's live items, newest first."""
        return (await self.read()).items

    async def clear(self, *, force: bool = False) -> ClearResult:
        """Archive the task's items (as working memories) and drop the task. `force` also clears a
        task whose stored state cannot be read (the server answers 409 `unreadable_task` without it):
        its raw text is archived."""
        return await self._client._run(calls.working_clear(self.task_id, force))


class AsyncThreads:
    def __init__(self, client: AsyncMnemo) -> None:
        self._client = client

    async def create(
        self,
        *,
        parent_thread_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        scope: Mapping[str, str] | None = None,
        thread_id: str | None = None,
    ) -> Thread:
        """Start a thread; `scope` (user_id, agent_id, namespace) is whose it is (for forget).
        `thread_id` (a UUID) names it: created the first time, answered as it is after that."""
        fields = dict(id=thread_id, parent_thread_id=parent_thread_id, metadata=metadata, scope=scope)
        return await self._client._run(calls.thread_create(fields))

    async def append(
        self,
        thread_id: str,
        role: str,
        content: str,
        *,
        files: Sequence[str] | None = None,
        if_last_seq: int | None = None,
    ) -> Turn:
        """One turn after the thread's last. `if_last_seq`: only if the last turn has this seq (0:
        none yet), else `Conflict`: two callers acting on the same history cannot both append."""
        fields = dict(role=role, content=content, files=files, if_last_seq=if_last_seq)
        return await self._client._run(calls.thread_append(thread_id, fields))

    async def history(
        self, thread_id: str, *, budget_tokens: int | None = None, mask_sensitive: bool = False
    ) -> ThreadHistory:
        """The thread's chain under a budget; `mask_sensitive`: secrets and personal data masked."""
        return await self._client._run(calls.thread_history(thread_id, budget_tokens, mask_sensitive))
