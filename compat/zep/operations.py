"""Zep's operations over mnemo's services: users (a profile memory per user), threads (mnemo's
threads, their turns episodic memories), a thread's context (mnemo's budgeted retrieval for the
thread's latest messages, in the user's scope), and graph search and add (facts are semantic
memories, episodes episodic ones)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from ...ingest.forget import Forgetter
from ...ingest.writes import MemoryWrites
from ...memtypes.errors import FieldProblem, InvalidInput, NotFound
from ...memtypes.governance.forget import ForgetRequest
from ...memtypes.queries import MemoryFilter
from ...memtypes.records import MemoryIn, MemoryRecord, utcnow
from ...memtypes.requests import RetrieveRequest
from ...memtypes.types import MemoryType
from ...retrieval.catalog import Catalog
from ...retrieval.memory_search import search_memories
from ...retrieval.pipeline import Retriever
from ...sessions.thread_writes import Threads
from ...sessions.threads import Thread, ThreadIn, ThreadScope, Turn, TurnIn
from ..edge import NotSupported, iso, memory_scope, records_in_scope, write
from .shapes import (
    ROLES,
    USER_FACT,
    VENDOR,
    AddMessagesIn,
    GraphAddIn,
    SearchIn,
    UserIn,
    edge_out,
    episode_out,
    thread_uuid,
    user_out,
    user_sentence,
)

# The latest messages of a thread that its context is retrieved for.
CONTEXT_MESSAGES = 4


async def user_record(catalog: Catalog, tenant: str, user_id: str) -> MemoryRecord:
    flt = MemoryFilter(tenant=tenant, scope=memory_scope(user_id=user_id), fact_key=USER_FACT)
    page = await catalog.page(flt, MemoryType.SEMANTIC, 1, None)
    if not page.records:
        raise NotFound(f"no user {user_id}")
    return page.records[0]


async def put_user(
    writes: MemoryWrites, catalog: Catalog, tenant: str, user_id: str, changes: UserIn
) -> MemoryRecord:
    """Add a user, or change the fields given (`metadata` merged into the user's)."""
    try:
        current = dict((await user_record(catalog, tenant, user_id)).metadata.get("zep_user") or {})
    except NotFound:
        current = {"user_id": user_id, "created_at": iso(utcnow())}
    given = changes.model_dump(exclude_none=True, exclude={"user_id"})
    if "metadata" in given:
        given["metadata"] = {**(current.get("metadata") or {}), **given["metadata"]}
    user = {**current, **given}
    profile = MemoryIn(
        type=MemoryType.SEMANTIC,
        content=user_sentence(user),
        scope=memory_scope(user_id=user_id),
        id=f"zep-user:{user_id}",
        fact_key=USER_FACT,
        tags=["zep-user"],
        metadata={"zep_user": user},
    )
    await write(writes, tenant, [profile], "user")
    return await user_record(catalog, tenant, user_id)


async def list_users(catalog: Catalog, tenant: str, page_number: int, page_size: int) -> dict[str, Any]:
    records = await records_in_scope(
        catalog, MemoryFilter(tenant=tenant, fact_key=USER_FACT), MemoryType.SEMANTIC
    )
    start = (page_number - 1) * page_size
    users = [user_out(r) for r in records[start : start + page_size]]
    return {"users": users, "row_count": len(users), "total_count": len(records)}


async def delete_scope(forgetter: Forgetter, tenant: str, **scope: str) -> None:
    """Everything of a user (memories, threads, working memory), forgotten."""
    await forgetter.forget(tenant, ForgetRequest(scope=memory_scope(**scope)))


async def create_thread(threads: Threads, tenant: str, thread_id: str, user_id: str) -> Thread:
    data = ThreadIn(
        id=uuid.UUID(thread_uuid(thread_id)),
        metadata={"zep_thread_id": thread_id},
        scope=ThreadScope(user_id=memory_scope(user_id=user_id).user_id),
    )
    return await threads.create(tenant, data)


async def thread_of(threads: Threads, tenant: str, thread_id: str) -> tuple[Thread, list[Turn]]:
    found = await threads.store.load(tenant, thread_uuid(thread_id))
    if found is None:
        raise NotFound(f"no thread {thread_id}")
    return found


async def user_threads(threads: Threads, tenant: str, user_id: str) -> list[Thread]:
    found = [
        await threads.store.thread(tenant, t)
        for t in await threads.store.in_scope(tenant, memory_scope(user_id=user_id))
    ]
    return [t for t in found if t is not None and t.metadata.get("zep_thread_id")]


async def delete_thread(threads: Threads, forgetter: Forgetter, tenant: str, thread_id: str) -> None:
    """The thread and its messages' memories, forgotten."""
    thread, _ = await thread_of(threads, tenant, thread_id)
    await forgetter.forget(tenant, ForgetRequest(scope=memory_scope(thread_id=thread.id)))
    await threads.store.delete(tenant, thread.id)


async def add_messages(
    threads: Threads, retriever: Retriever, catalog: Catalog, tenant: str, thread_id: str, body: AddMessagesIn
) -> dict[str, Any]:
    thread, _ = await thread_of(threads, tenant, thread_id)
    ignored = set(body.ignore_roles or [])
    added: list[str] = []
    for message in body.messages:
        role = ROLES.get(message.role)
        if role is None or message.role in ignored:
            continue
        turn = await threads.append(tenant, thread.id, TurnIn(role=role, content=message.content))
        added.append(turn.id)
    context = None
    if body.return_context:
        context = await thread_context(threads, retriever, catalog, tenant, thread_id)
    return {"message_uuids": added, "context": context}


async def thread_context(
    threads: Threads, retriever: Retriever, catalog: Catalog, tenant: str, thread_id: str
) -> str:
    """mnemo's context for what the thread is about now (its latest messages), from the user's
    memories of every thread, packed into the service's default budget. Like Zep's, it opens with
    who the user is (their profile, whatever the messages are about), its tokens taken from that
    budget, so that the whole never exceeds it."""
    thread, turns = await thread_of(threads, tenant, thread_id)
    recent = " ".join(t.content for t in turns[-CONTEXT_MESSAGES:])
    if not recent.strip():
        return ""
    user_id = thread.scope.user_id
    budget = retriever.config.default_budget_tokens
    counter = retriever.tokenizers.get(retriever.tokenizers.default)
    profile = await user_profile(catalog, tenant, user_id) if user_id else None
    summary = f"## The user\n{profile}\n\n" if profile else ""
    summary_tokens = counter.count(summary)
    if summary_tokens >= budget:
        summary, summary_tokens = "", 0
    scope = memory_scope(user_id=user_id)
    request = RetrieveRequest(query=recent[-8_000:], scope=scope, budget_tokens=budget - summary_tokens)
    context = (await retriever.retrieve(tenant, request)).context
    if not profile or not summary or profile in context or counter.count(summary + context) > budget:
        return context
    return summary + context


async def user_profile(catalog: Catalog, tenant: str, user_id: str) -> str | None:
    """Who the user is (their profile memory); none for a thread whose user was never added."""
    try:
        return (await user_record(catalog, tenant, user_id)).content
    except NotFound:
        return None


async def graph_search(retriever: Retriever, threads: Threads, tenant: str, body: SearchIn) -> dict[str, Any]:
    if body.graph_id is not None or body.user_id is None:
        raise NotSupported(VENDOR, "graph.search(graph_id)")
    if body.search_filters:
        raise NotSupported(VENDOR, "graph.search(search_filters)")
    kinds = {"edges": MemoryType.SEMANTIC, "episodes": MemoryType.EPISODIC}
    if body.scope not in kinds:
        raise NotSupported(VENDOR, f"graph.search(scope={body.scope})")
    scope = memory_scope(user_id=body.user_id)
    found = await search_memories(retriever, tenant, body.query, scope, kinds[body.scope], False, body.limit)
    if body.scope == "edges":
        return {"edges": [edge_out(r, s) for r, s in found if r.fact_key != USER_FACT]}
    names: dict[str, str | None] = {}
    for record, _ in found:
        if record.scope.thread_id and record.scope.thread_id not in names:
            thread = await threads.store.thread(tenant, record.scope.thread_id)
            names[record.scope.thread_id] = thread.metadata.get("zep_thread_id") if thread else None
    return {"episodes": [episode_out(r, s, names.get(r.scope.thread_id or "")) for r, s in found]}


async def graph_add(writes: MemoryWrites, catalog: Catalog, tenant: str, body: GraphAddIn) -> dict[str, Any]:
    """Data added to a user's graph, stored verbatim as one fact (Zep would extract facts from it)."""
    if body.graph_id is not None or body.user_id is None:
        raise NotSupported(VENDOR, "graph.add(graph_id)")
    if body.type == "json":
        try:
            json.loads(body.data)
        except ValueError:
            raise InvalidInput("data is not JSON", problems=[FieldProblem("data", "not JSON")]) from None
    item = MemoryIn.model_validate(
        {
            "type": "semantic",
            "content": body.data,
            "scope": {"user_id": body.user_id},
            "id": f"zep-graph:{uuid.uuid4()}",
            "occurred_at": body.created_at,
            "metadata": {"zep_type": body.type, "source_description": body.source_description},
        }
    )
    (result,) = await write(writes, tenant, [item], "data")
    return episode_out(await catalog.find(tenant, result.id or ""), None, None)
