"""mnemo's MCP tools, over the Python client: one definition for both transports.

`mnemo-mcp` (stdio, mnemo_client/mcp/stdio.py; also `mnemo mcp`) gives them a client of a running
service; the service's own `/mcp` endpoint gives them a client of itself in-process, carrying the
caller's bearer key (the server's api/mcp/http.py). Either way every tool call is an ordinary API
request: validated, rate-limited and scoped to the key's tenant by the service, never by this module.
It lives in the light client (the `mcp` extra) and imports only `mcp` and `mnemo_client`: the stdio
server never loads the engines, nor torch.

Scope arguments are flat (`user_id`, `agent_id`, `thread_id`), which a model fills more reliably
than a nested object. Each tool answers text a model can read, with structured content alongside.

Size: a tool's signature is the schema the model reads (each argument described where it is declared),
and every tool is registered here, where the two transports take them from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent
from pydantic import Field

from ..async_client import AsyncMnemo
from ..errors import MnemoError
from ..models import (
    EVENT_TYPE,
    FACT_TYPE,
    INTENTION_TYPE,
    SCRATCHPAD_TYPE,
    TYPE_NOTES,
    MemoryType,
    RetrieveResult,
)

T = TypeVar("T")
ClientFor = Callable[[Context], AbstractAsyncContextManager[AsyncMnemo]]
UsersZone = Callable[[], str | None]

INSTRUCTIONS = (
    "Long-term memory for this conversation's user. Call `recall` with the user's request before "
    "answering anything that may depend on what they told you before; call `remember` for facts, "
    "preferences, decisions and commitments worth keeping; `forget` erases a memory for good by the "
    "id `recall` or `list_memories` showed; to forget everything about a topic, `forget_preview` it, "
    "show the user what would go, then `forget_confirm`. `working_*` is a scratchpad for the current task."
)

# Below this top confidence `recall` tells the model that memory may hold no answer, before the
# closest memories (a model reading a list cannot tell "nothing relevant" from "the answer"). The
# service's default floor already leaves out what is unlikely to be relevant; what clears it and is
# still less likely than this is worded as a doubt, not withheld.
LIKELY_NOTHING = 0.3
UserId = Annotated[str | None, Field(description="whose memory: the end user's id")]
AgentId = Annotated[str | None, Field(description="the agent's id, to keep agents' memories apart")]
ThreadId = Annotated[str | None, Field(description="a conversation id, to scope to one conversation")]
AsOf = Annotated[
    str | None, Field(description="ISO 8601 date-time with zone: what was true then instead of now")
]
TimeZone = Annotated[
    str | None,
    Field(
        description="the user's time zone (`Europe/Berlin`, `+05:30`): the days the query names are theirs"
    ),
]
AsOfView = Annotated[
    Literal["true", "known"],
    Field(description="with as_of: `true` (what held then) or `known` (what was known then)"),
]
TaskId = Annotated[str, Field(description="the task's id: 1-128 characters of [A-Za-z0-9._:@+-]")]
# What `remember` stores, its default first (a task's working memory has tools of its own), and what
# `list_memories` lists: the API's memory types as the client's models name them.
_STORED = (FACT_TYPE, *(t for t in MemoryType if t not in (FACT_TYPE, SCRATCHPAD_TYPE)))
_INTENTION_FIELDS = "give due_at or trigger"
REMEMBER = (
    "Store a memory. type: "
    + ", ".join(
        f"{t.value} ({TYPE_NOTES[t]}{': ' + _INTENTION_FIELDS if t is INTENTION_TYPE else ''})"
        for t in _STORED
    )
    + ". Rewriting the same fact updates it instead of duplicating it."
)
if TYPE_CHECKING:
    StoredType = str
    ListedType = str
else:
    StoredType = Literal[tuple(t.value for t in _STORED)]
    ListedType = StoredType | Literal[SCRATCHPAD_TYPE.value]


# One client call of a tool: `call(ctx, lambda mnemo: ...)`; mnemo's refusal becomes a tool error.
ToolCall = Callable[[Context, Callable[[AsyncMnemo], Awaitable[Any]]], Awaitable[Any]]


def _scope(user_id: str | None, agent_id: str | None, thread_id: str | None) -> dict[str, str]:
    given = {"user_id": user_id, "agent_id": agent_id, "thread_id": thread_id}
    return {k: v for k, v in given.items() if v is not None}


def _refused(error: MnemoError) -> ToolError:
    """What the model reads when mnemo refuses a call: the reason and the fields, so it can fix them."""
    fields = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in error.errors)
    return ToolError(f"mnemo refused ({error.code}): {error.detail}" + (f" [{fields}]" if fields else ""))


def _result(text: str, structured: dict[str, Any]) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


def _memory_line(memory: Any) -> str:
    stale = f" (stale: {memory.stale_cause})" if memory.stale else ""
    return f"- [{memory.type}] {memory.id}: {memory.content}{stale}"


def build_mcp_server(
    client_for: ClientFor, mask_sensitive: bool = False, users_zone: UsersZone = lambda: None
) -> MCPServer:
    """The MCP server with mnemo's tools; `client_for(ctx)` opens the client a call uses.
    `mask_sensitive`: what the tools return shows secrets and personal data as typed placeholders.
    `users_zone()`: the user's time zone where `recall` is not told one (the days a query names are
    read in it); none where the user's machine is not this one."""
    server = MCPServer("mnemo", instructions=INSTRUCTIONS, version="0.1.0")

    async def call(ctx: Context, action: Callable[[AsyncMnemo], Awaitable[T]]) -> T:
        """One client call; mnemo's refusal becomes a tool error the model can read and act on."""
        try:
            async with client_for(ctx) as mnemo:
                return await action(mnemo)
        except MnemoError as error:
            raise _refused(error) from None

    register_remember(server, call, mask_sensitive)
    register_recall(server, call, mask_sensitive, users_zone)
    register_changes(server, call, mask_sensitive)
    register_listing(server, call, mask_sensitive)
    register_forget_by_query(server, call, mask_sensitive)
    register_working_memory(server, call, mask_sensitive)
    _refuse_unknown_arguments(server)
    return server


def register_remember(server: MCPServer, call: ToolCall, mask_sensitive: bool) -> None:
    """`remember`: one memory written, its type, scope and the memories it replaces or derives from."""

    @server.tool(description=REMEMBER)
    async def remember(
        content: Annotated[str, Field(description="the memory, one self-contained statement")],
        ctx: Context,
        type: Annotated[StoredType, Field(description="the kind of memory")] = FACT_TYPE.value,
        user_id: UserId = None,
        agent_id: AgentId = None,
        thread_id: ThreadId = None,
        importance: Annotated[
            float | None, Field(ge=0, le=1, description="0..1; omit to let mnemo judge")
        ] = None,
        due_at: Annotated[
            str | None, Field(description=f"{INTENTION_TYPE.value}: ISO 8601 date-time with zone")
        ] = None,
        trigger: Annotated[
            str | None, Field(description=f"{INTENTION_TYPE.value}: a phrase that should recall it")
        ] = None,
        supersedes: Annotated[
            list[str] | None,
            Field(description="ids of the memories this one replaces (they stop being current)"),
        ] = None,
        depends_on: Annotated[
            list[str] | None,
            Field(description="ids of the memories this one was derived from (it goes stale if they change)"),
        ] = None,
    ) -> CallToolResult:
        memory: dict[str, Any] = {
            "type": type,
            "content": content,
            "scope": _scope(user_id, agent_id, thread_id),
        }
        optional = {
            "importance": importance,
            "due_at": due_at,
            "trigger": trigger,
            "supersedes": supersedes,
            "depends_on": depends_on,
        }
        memory |= {k: v for k, v in optional.items() if v is not None}
        (result,) = (await call(ctx, lambda m: m.write([memory]))).results
        text = f"{result.status}: memory {result.id}" + (f" ({result.reason})" if result.reason else "")
        return _result(text, result.model_dump(mode="json"))


def register_recall(server: MCPServer, call: ToolCall, mask_sensitive: bool, users_zone: UsersZone) -> None:
    """`recall`: the memories that matter for a query, packed into a budget."""

    @server.tool(
        description="Recall what is known that is relevant to a query: the memories that fit a token "
        "budget, packed as context text, with their ids and each one's confidence (the estimated "
        "probability that it is relevant). Use the user's request (or a question) as the query. "
        "Memories unlikely to be relevant are left out by the service's default confidence floor; "
        "min_confidence sets another (0 keeps whatever fits the budget)."
    )
    async def recall(
        query: Annotated[str, Field(description="what to recall: a question or the user's request")],
        ctx: Context,
        user_id: UserId = None,
        agent_id: AgentId = None,
        thread_id: ThreadId = None,
        budget_tokens: Annotated[int | None, Field(ge=1, description="the context's token budget")] = None,
        model: Annotated[str | None, Field(description="or: budget a share of this model's window")] = None,
        types: Annotated[list[StoredType] | None, Field(description="memory types to search")] = None,
        task_id: Annotated[str | None, Field(description="put this task's working memory first")] = None,
        min_confidence: Annotated[
            float | None,
            Field(
                ge=0.0,
                le=1.0,
                description="leave out memories less likely than this to be relevant (default: the "
                "service's floor; 0: none left out)",
            ),
        ] = None,
        as_of: AsOf = None,
        as_of_view: AsOfView = "true",
        timezone: TimeZone = None,
    ) -> CallToolResult:
        scope = _scope(user_id, agent_id, thread_id)
        when: dict[str, Any] = {"as_of": {"at": as_of, "view": as_of_view}} if as_of else {}
        if zone := timezone or users_zone():
            when["timezone"] = zone
        found = await call(
            ctx,
            lambda m: m.retrieve(
                query,
                scope=scope,
                types=types,
                budget_tokens=budget_tokens,
                model=model,
                task_id=task_id,
                min_confidence=min_confidence,
                mask_sensitive=mask_sensitive,
                **when,
            ),
        )
        structured = {
            "context": found.context,
            "ids": [m.id for m in found.memories],
            "memories": [m.model_dump(mode="json", exclude_none=True) for m in found.memories],
            "metadata": found.metadata.model_dump(
                mode="json", include={"total_tokens", "budget", "encoding", "exact", "top_confidence"}
            ),
        }
        return _result(_recall_text(found), structured)


def _recall_text(found: RetrieveResult) -> str:
    """The packed context, said plainly when memory likely holds nothing, and the memories' ids."""
    top = found.metadata.top_confidence
    text = found.context or "No stored memory matches."
    if top > 0 and not found.memories:  # all below min_confidence
        text = f"Memory likely holds nothing that answers this (best confidence {top:.2f})."
    elif top < LIKELY_NOTHING and found.context:
        text = f"Memory may hold nothing that answers this (best confidence {top:.2f}).\n\n" + text
    if found.memories:
        text += "\n\nmemory ids: " + ", ".join(
            f"{m.id} ({m.type}, confidence {m.confidence:.2f}"
            + (f"; stale: {m.stale_cause}" if m.stale else "")
            + ")"
            for m in found.memories
        )
    return text


def register_changes(server: MCPServer, call: ToolCall, mask_sensitive: bool) -> None:
    """`forget` and `invalidate`: a memory removed, or no longer true."""

    @server.tool(
        description="Forget one memory for good, by the id `recall` or `list_memories` gave: it is "
        "removed and its text erased from the service's files (by the receipt's erase_by); the "
        "receipt's digest proves what was removed."
    )
    async def forget(
        id: Annotated[str, Field(description="the memory's id (a UUID)")], ctx: Context
    ) -> CallToolResult:
        # A forget, not a delete: a delete leaves the text in the store's files until they are
        # rewritten; a forget erases it and signs a receipt (POST /v1/forget).
        receipt = await call(ctx, lambda m: m.forget(ids=[id]))
        if not receipt.removed:
            text = f"no memory {id}: nothing was forgotten"
        else:
            by = f" by {receipt.erase_by.isoformat()}" if receipt.erase_by else ""
            erased = f"its text is erased from the service's files{by}"
            text = f"forgot memory {id}; {erased} (receipt {receipt.digest})"
        return _result(text, receipt.model_dump(mode="json", exclude_none=True))

    @server.tool(
        description="End a memory's validity without deleting it, by the id `recall` or `list_memories` "
        "gave: it is no longer true (say why). What depends on it is marked stale."
    )
    async def invalidate(
        id: Annotated[str, Field(description="the memory's id (a UUID)")],
        reason: Annotated[str, Field(description="why it no longer holds")],
        ctx: Context,
    ) -> CallToolResult:
        ended = await call(ctx, lambda m: m.invalidate(id, reason))
        stale = f"; marked stale: {', '.join(ended.stale)}" if ended.stale else ""
        return _result(f"invalidated memory {id}{stale}", ended.model_dump(mode="json", exclude_none=True))


def register_listing(server: MCPServer, call: ToolCall, mask_sensitive: bool) -> None:
    """`list_memories`: a scope's memories, page by page."""

    @server.tool(
        description="List stored memories by type, then id, a page at a time (pass next_cursor on): what "
        "is current, or what was true (or known) at `as_of`; `stale_only` lists the memories to review "
        "(something they depend on changed): `invalidate` what is no longer true."
    )
    async def list_memories(
        ctx: Context,
        type: Annotated[ListedType | None, Field(description="only this type")] = None,
        user_id: UserId = None,
        agent_id: AgentId = None,
        thread_id: ThreadId = None,
        limit: Annotated[int, Field(ge=1, le=100, description="memories per page")] = 20,
        cursor: Annotated[str | None, Field(description="next_cursor of the previous page")] = None,
        as_of: AsOf = None,
        as_of_view: AsOfView = "true",
        stale_only: Annotated[
            bool, Field(description="only the stale ones (something they depend on changed): review each")
        ] = False,
    ) -> CallToolResult:
        filters = {"type": type, "limit": limit, "mask_sensitive": mask_sensitive or None}
        filters |= _scope(user_id, agent_id, thread_id)
        if stale_only:  # the review feed: current memories only
            page = await call(ctx, lambda m: m.stale_page(cursor, **filters))
        else:
            when = {"as_of": as_of, "as_of_view": as_of_view} if as_of else {}
            page = await call(ctx, lambda m: m.list_page(cursor, **filters, **when))
        lines = [_memory_line(m) for m in page.memories] or ["No memories."]
        if page.next_cursor:
            lines.append(f"(more: next_cursor={page.next_cursor})")
        structured = {
            "memories": [m.model_dump(mode="json", exclude_none=True) for m in page.memories],
            "next_cursor": page.next_cursor,
        }
        return _result("\n".join(lines), structured)


def register_working_memory(server: MCPServer, call: ToolCall, mask_sensitive: bool) -> None:
    """A task's scratchpad: `working_append`, `working_get`, `working_clear`."""

    @server.tool(
        description="Add a note to a task's working memory (a scratchpad that `recall` with task_id "
        "puts first). Higher priority (0..10) survives longer when the scratchpad is full."
    )
    async def working_append(
        task_id: TaskId,
        content: Annotated[str, Field(description="the note")],
        ctx: Context,
        priority: Annotated[int, Field(ge=0, le=10, description="0..10")] = 5,
    ) -> CallToolResult:
        appended = await call(ctx, lambda m: m.working(task_id).append(content, priority=priority))
        text = f"added item {appended.item.id} ({appended.total_tokens}/{appended.max_tokens} tokens used)"
        if appended.evicted:
            text += f"; {len(appended.evicted)} older item(s) moved to {EVENT_TYPE.value} memory"
        return _result(text, appended.model_dump(mode="json"))

    @server.tool(description="Read a task's working memory, newest first.")
    async def working_get(task_id: TaskId, ctx: Context) -> CallToolResult:
        view = await call(ctx, lambda m: m.working(task_id).read(mask_sensitive=mask_sensitive))
        lines = [f"- [p{i.priority}] {i.content}" for i in view.items] or ["(empty)"]
        text = f"Working memory of task {task_id} ({len(view.items)} items):\n" + "\n".join(lines)
        return _result(text, view.model_dump(mode="json"))

    @server.tool(description="Clear a task's working memory when the task is done (its items are archived).")
    async def working_clear(task_id: TaskId, ctx: Context) -> CallToolResult:
        cleared = await call(ctx, lambda m: m.working(task_id).clear())
        return _result(
            f"cleared task {task_id}: {cleared.archived} item(s) archived", cleared.model_dump(mode="json")
        )


def register_forget_by_query(server: MCPServer, call: ToolCall, mask_sensitive: bool) -> None:
    """Forget by topic, preview first: the model sees (and shows the user) what would go before it
    can ask for it to go, and the confirmation forgets exactly what the preview listed."""

    @server.tool(
        description="Find what forgetting everything about a topic would remove (nothing is removed): "
        "the matching memories with why each matched, and the near misses that would stay. Show the "
        "user the list; if they agree, call forget_confirm with the preview_token (and the ids to "
        "keep left out of `ids`, if they want some kept)."
    )
    async def forget_preview(
        about: Annotated[str, Field(description="the topic, in the user's words: 'my divorce', 'tennis'")],
        ctx: Context,
        user_id: UserId = None,
        agent_id: AgentId = None,
        thread_id: ThreadId = None,
    ) -> CallToolResult:
        scope = _scope(user_id, agent_id, thread_id)
        shown = await call(ctx, lambda m: m.forget_preview(about, scope=scope, mask_sensitive=mask_sensitive))
        rows = [f"- {m.id} [{m.type}] {m.content} ({m.why})" for m in shown.matches]
        stay = [f"- [{m.type}] {m.content} ({m.why})" for m in shown.near_misses]
        if not rows:
            text = "No memory is about this: nothing to forget."
        else:
            text = f"Would forget {len(rows)} memories:\n" + "\n".join(rows)
            if stay:
                text += "\n\nWould keep (nearly matched):\n" + "\n".join(stay)
            text += f"\n\npreview_token (valid until {shown.expires_at}): {shown.preview_token}"
        structured = {
            "ids": [m.id for m in shown.matches],
            "preview_token": shown.preview_token,
            "near_miss_ids": [m.id for m in shown.near_misses],
        }
        return _result(text, structured)

    @server.tool(
        description="Forget what forget_preview listed, once the user agreed: all of it, or only `ids` "
        "among it. Nothing that the preview did not list can be forgotten this way."
    )
    async def forget_confirm(
        preview_token: Annotated[str, Field(description="forget_preview's preview_token")],
        ctx: Context,
        ids: Annotated[
            list[str] | None, Field(description="only these of the preview's ids (default: all of them)")
        ] = None,
    ) -> CallToolResult:
        receipt = await call(ctx, lambda m: m.forget_previewed(preview_token, ids=ids))
        text = f"forgot {receipt.removed} memories (receipt digest {receipt.digest})"
        return _result(
            text, {"removed": receipt.removed, "memory_ids": receipt.memory_ids, "digest": receipt.digest}
        )


def _refuse_unknown_arguments(server: MCPServer) -> None:
    """An argument a tool does not take is refused, named, as the API refuses an unknown field: a
    model that misspells `user_id` must not have its call run unscoped. The library ignores them,
    and offers no public way to its tools' argument models."""
    for tool in server._tool_manager.list_tools():
        tool.fn_metadata.arg_model.model_config["extra"] = "forbid"
        tool.fn_metadata.arg_model.model_rebuild(force=True)
        tool.parameters["additionalProperties"] = False


TOOL_NAMES: Sequence[str] = (
    "remember", "recall", "forget", "invalidate", "list_memories", "forget_preview", "forget_confirm",
    "working_append", "working_get", "working_clear",
)  # fmt: skip
