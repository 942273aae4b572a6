"""OpenAI Agents SDK: `MnemoSession` (a `Session`: the conversation kept in a mnemo thread) and
`mnemo_function_tools(...)` (remember, recall, forget as function tools). Extra `openai-agents`.

    session = MnemoSession("user_123", url="http://127.0.0.1:8080", api_key=..., user_id="alice")
    await Runner.run(agent, "Hi", session=session)    # the same id (and scope) is the same conversation
    agent = Agent(name="assistant", tools=mnemo_function_tools(url=..., api_key=..., user_id="alice"))

As with the SDK's own sessions (`SQLiteSession("user_123")`), the session id is the caller's: any
string. Its mnemo thread is created on first use, under the scope given, with an id derived from
the id and the scope (a UUID session id is the thread's id as it is), so that the same id and scope
find the same thread again. Each item is one turn of the thread, in order, as JSON (the
turn's role follows the item's); `pop_item` and `clear_session` append a marker turn that hides the
popped or cleared items (a thread is append-only: `mnemo forget` of the thread or its user erases
them), and turns that others appended as plain text read back as messages. A pop's marker is
appended only if no turn came after the history it read (a compare-and-append on the server), so
two concurrent pops take two items. The thread lives as long
as the server's thread TTL. A refusal of mnemo is the client's typed `MnemoError` from the session;
from a tool, the model reads it as the tool's answer, as the SDK does with tool errors.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from agents import FunctionTool, RunContextWrapper, function_tool
from agents.memory import SessionSettings
from agents.memory.session_settings import coerce_session_settings, resolve_session_limit

from mnemo_client.agent_tools import BorrowedClient, async_tool_functions, opened, scope_of
from mnemo_client.async_client import AsyncMnemo
from mnemo_client.errors import Conflict, MnemoError, NotFound
from mnemo_client.state_models import Turn

__all__ = ["MnemoSession", "mnemo_function_tools"]

ITEM, POPPED, CLEARED = "mnemo_session_item", "mnemo_session_popped", "mnemo_session_cleared"
_ROLES = {"user": "user", "assistant": "assistant", "system": "system", "developer": "system"}
_POP_TRIES = 50  # compare-and-append attempts of one pop, each after a fresh read
_ALL_TURNS = 200_000  # the largest history budget the server takes: every turn of a session
# Thread ids of caller-named sessions: uuid5 in a namespace of their own, of the scope and the name.
_SESSIONS = uuid.uuid5(uuid.NAMESPACE_URL, "urn:mnemo:openai-agents-session")


def thread_id_of(session_id: str, scope: Mapping[str, str]) -> str:
    """The mnemo thread of a session: a UUID session id as it is, else one derived from the id and
    the scope (two users' "default" sessions are two threads)."""
    try:
        return str(uuid.UUID(session_id)) if len(session_id) == 36 else _derived(session_id, scope)
    except ValueError:
        return _derived(session_id, scope)


def _derived(session_id: str, scope: Mapping[str, str]) -> str:
    key = json.dumps([session_id, dict(sorted(scope.items()))], separators=(",", ":"))
    return str(uuid.uuid5(_SESSIONS, key))


def _replay(turns: Sequence[Turn]) -> list[tuple[int, Any]]:
    """The session's live items, oldest first, as (turn seq, item)."""
    items: list[tuple[int, Any]] = []
    for turn in sorted(turns, key=lambda t: t.seq):
        try:
            body = json.loads(turn.content)
        except ValueError:
            body = None
        if not isinstance(body, dict) or not ({ITEM, POPPED, CLEARED} & body.keys()):
            items.append((turn.seq, {"role": turn.role.value, "content": turn.content}))
        elif ITEM in body:
            items.append((turn.seq, body[ITEM]))
        elif POPPED in body:
            items = [(seq, item) for seq, item in items if seq != body[POPPED]]
        else:
            items = [(seq, item) for seq, item in items if seq > body[CLEARED]]
    return items


def _settings(given: SessionSettings | Mapping[str, Any] | None) -> SessionSettings:
    """The SDK's own reading of session settings: a dict's unknown keys are a TypeError."""
    if given is None:
        return SessionSettings()
    return coerce_session_settings(dict(given) if isinstance(given, Mapping) else given)


def _thread_scope(user_id: str | None, agent_id: str | None, namespace: str | None) -> dict[str, str]:
    """A session thread's scope: the ids given, an empty one as none."""
    return {k: v for k, v in (("user_id", user_id), ("agent_id", agent_id), ("namespace", namespace)) if v}


class MnemoSession:
    """The Agents SDK's conversation memory in one mnemo thread, named by the caller's session id.
    `session_settings` as the SDK's own sessions take it (a `SessionSettings` or a dict): its `limit`
    is the default of `get_items`."""

    def __init__(
        self,
        session_id: str,
        *,
        url: str | None = None,
        api_key: str | None = None,
        client: AsyncMnemo | None = None,
        user_id: str | None = None,
        agent_id: str | None = None,
        namespace: str | None = None,
        session_settings: SessionSettings | Mapping[str, Any] | None = None,
    ) -> None:
        if url is None and client is None:
            raise TypeError("MnemoSession: give url (and api_key), or client")
        self.session_id = session_id
        self.session_settings: SessionSettings | None = _settings(session_settings)
        self._url, self._api_key, self._client = url, api_key, client
        self._scope = _thread_scope(user_id, agent_id, namespace)
        self._thread_id = thread_id_of(session_id, self._scope) if session_id else ""
        self._thread_ready = False

    @property
    def thread_id(self) -> str:
        """The mnemo thread that holds this session (for `mnemo forget --thread-id`)."""
        return self._thread_id

    def _mnemo(self) -> AsyncMnemo | BorrowedClient:
        return opened(self._url, self._api_key, self._client)

    @classmethod
    async def create(
        cls,
        *,
        url: str | None = None,
        api_key: str | None = None,
        client: AsyncMnemo | None = None,
        user_id: str | None = None,
        agent_id: str | None = None,
        namespace: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        session_settings: SessionSettings | Mapping[str, Any] | None = None,
    ) -> MnemoSession:
        """A new session in a new thread, scoped to `user_id` / `agent_id` / `namespace` (so that
        `mnemo forget` of that scope removes it)."""
        session = cls("", url=url, api_key=api_key, client=client, session_settings=session_settings)
        scope = _thread_scope(user_id, agent_id, namespace)
        async with session._mnemo() as mnemo:
            session.session_id = (await mnemo.threads.create(scope=scope or None, metadata=metadata)).id
        session._thread_id, session._scope, session._thread_ready = session.session_id, scope, True
        return session

    async def _ensure_thread(self, mnemo: AsyncMnemo) -> None:
        """Create the session's thread on first use (the server answers an existing one as it is)."""
        if not self._thread_ready:
            await mnemo.threads.create(thread_id=self._thread_id, scope=self._scope or None)
            self._thread_ready = True

    async def _history(self) -> tuple[list[tuple[int, Any]], int]:
        """The live items, and the seq of the thread's last turn (0: none)."""
        async with self._mnemo() as mnemo:
            await self._ensure_thread(mnemo)
            try:
                history = await mnemo.threads.history(self._thread_id, budget_tokens=_ALL_TURNS)
            except NotFound:  # expired (the server's thread TTL): an empty conversation
                self._thread_ready = False
                return [], 0
        own = [turn.seq for turn in history.turns if turn.thread_id == self._thread_id]
        return _replay(history.turns), max(own, default=0)

    async def _items(self) -> list[tuple[int, Any]]:
        return (await self._history())[0]

    async def _append(
        self, bodies: Sequence[tuple[str, Mapping[str, Any]]], if_last_seq: int | None = None
    ) -> None:
        """One turn per body, in order (the thread keeps the order); `if_last_seq`: a single turn,
        appended only if the thread's last turn is still that one (else `Conflict`)."""
        async with self._mnemo() as mnemo:
            await self._ensure_thread(mnemo)
            for role, body in bodies:
                content = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
                try:
                    await mnemo.threads.append(self._thread_id, role, content, if_last_seq=if_last_seq)
                except NotFound:  # expired since: started again under the same id
                    self._thread_ready = False
                    await self._ensure_thread(mnemo)
                    await mnemo.threads.append(self._thread_id, role, content, if_last_seq=if_last_seq)

    async def get_items(self, limit: int | None = None) -> list[Any]:
        """The conversation, oldest first; with `limit` (else `session_settings.limit`), its latest
        `limit` items."""
        limit = resolve_session_limit(limit, self.session_settings)
        items = [item for _, item in await self._items()]
        return items if limit is None else items[-limit:] if limit > 0 else []

    async def add_items(self, items: list[Any]) -> None:
        roles = [_ROLES.get(str(i.get("role")), "tool") if isinstance(i, Mapping) else "tool" for i in items]
        await self._append([(role, {ITEM: item}) for role, item in zip(roles, items, strict=True)])

    async def pop_item(self) -> Any | None:
        """The latest item, removed. Atomic: the marker turn is appended only if no other turn came
        after the history read (a compare-and-append on the server); else read again and retry."""
        for _ in range(_POP_TRIES):
            items, last_seq = await self._history()
            if not items:
                return None
            seq, item = items[-1]
            try:
                await self._append([("system", {POPPED: seq})], if_last_seq=last_seq)
            except Conflict:  # another writer appended first (or holds the thread's lock)
                await asyncio.sleep(random.uniform(0.0, 0.05))  # noqa: S311 - jitter, not secrets
                continue
            return item
        raise Conflict(f"session {self.session_id!r}: {_POP_TRIES} pops in a row lost to other writers")

    async def clear_session(self) -> None:
        items = await self._items()
        if items:
            await self._append([("system", {CLEARED: items[-1][0]})])


def _tell_the_model(ctx: RunContextWrapper[Any], error: Exception) -> str:
    if isinstance(error, MnemoError):
        return f"mnemo refused ({error.code}): {error.detail}"
    return "An error occurred while running the tool. Please try again."


def mnemo_function_tools(
    url: str | None = None,
    api_key: str | None = None,
    *,
    client: AsyncMnemo | None = None,
    user_id: str | None = None,
    agent_id: str | None = None,
    namespace: str | None = None,
    budget_tokens: int = 1000,
) -> list[FunctionTool]:
    """remember / recall / forget as Agents SDK function tools acting in one scope."""
    scope = scope_of(user_id, agent_id, namespace)
    functions = async_tool_functions("mnemo_function_tools", url, api_key, client, scope, budget_tokens)
    return [
        function_tool(
            fn,
            name_override=fn.__name__,
            description_override=text,
            failure_error_function=_tell_the_model,
            strict_mode=False,
        )
        for fn, text in functions
    ]
