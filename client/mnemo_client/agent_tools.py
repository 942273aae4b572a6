"""remember / recall / forget: the three memory tools the framework adapters give an agent.

Framework-free: `MemoryTools` holds the clients and the scope the tools act in (the model never
chooses whose memories it reads or forgets), and answers in text a model reads. Each adapter wraps
these in its framework's tool type (`mnemo_client.langchain.mnemo_tools`, `…openai_agents.
mnemo_function_tools`, `…pydantic_ai.mnemo_toolset`); a refusal of mnemo stays a typed `MnemoError`,
which each adapter turns into its framework's usual tool error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from mnemo_client.async_client import AsyncMnemo
from mnemo_client.errors import MnemoError, NotFound
from mnemo_client.models import (
    FACT_TYPE,
    SCRATCHPAD_TYPE,
    TYPE_NOTES,
    MemoryRecord,
    MemoryType,
    RetrieveResult,
)
from mnemo_client.sync_client import Mnemo

# The types a tool may write, the default first (a task's working memory is not the agent's to write).
_STORED = (FACT_TYPE, *(t for t in MemoryType if t not in (FACT_TYPE, SCRATCHPAD_TYPE)))
_TYPES = [f"{t.value} ({TYPE_NOTES[t]}{', the default' if t is FACT_TYPE else ''})" for t in _STORED]
REMEMBER = (
    "Store a fact, preference, event or instruction in long-term memory so that later conversations "
    "can recall it. `content`: one self-contained statement. `memory_type`: "
    + ", ".join(_TYPES[:-1])
    + f" or {_TYPES[-1]}."
)
DEFAULT_TYPE = FACT_TYPE.value
RECALL = (
    "Search long-term memory for what is relevant to `query`; answers the memories found, each with "
    "its id, most relevant first."
)
FORGET = "Delete one memory by the id that recall showed."


def scope_of(user_id: str | None, agent_id: str | None, namespace: str | None) -> dict[str, str]:
    fields = {"user_id": user_id, "agent_id": agent_id, "namespace": namespace}
    return {k: v for k, v in fields.items() if v is not None}


def clients_of(
    url: str | None, api_key: str | None, client: Mnemo | None, async_client: AsyncMnemo | None
) -> tuple[Mnemo | None, AsyncMnemo | None]:
    """The sync and the async client given; where one is not given and `url` is, one made from it."""
    if url is None:
        return client, async_client
    return client or Mnemo(url, api_key=api_key), async_client or AsyncMnemo(url, api_key=api_key)


class BorrowedClient:
    """A caller's client, used as is and never closed here."""

    def __init__(self, client: AsyncMnemo) -> None:
        self.client = client

    async def __aenter__(self) -> AsyncMnemo:
        return self.client

    async def __aexit__(self, *exc: object) -> None:
        return None


def opened(url: str | None, api_key: str | None, client: AsyncMnemo | None) -> AsyncMnemo | BorrowedClient:
    """The client of one call, to use as `async with`: the one given, kept open, else a client of its
    own, closed after the call. A framework may run tools and sessions on different event loops
    (`run_sync` in a thread), and an httpx client belongs to one loop."""
    return BorrowedClient(client) if client is not None else AsyncMnemo(url or "", api_key=api_key)


@dataclass
class MemoryTools:
    """The tools' logic on a sync and/or async client, in one `scope` (`user_id`, `agent_id`,
    `namespace`, as `scope_of` gives it). `budget_tokens`: how much a recall may return."""

    client: Mnemo | None
    async_client: AsyncMnemo | None
    scope: dict[str, str]
    budget_tokens: int = 1000

    def _sync(self) -> Mnemo:
        if self.client is None:
            raise TypeError("these memory tools were given an async client only: call their async form")
        return self.client

    def _async(self) -> AsyncMnemo:
        if self.async_client is None:
            raise TypeError("these memory tools were given a sync client only: call their sync form")
        return self.async_client

    # --- the requests and the answers, shared by both forms --------------------------------------

    def _memory(self, content: str, memory_type: str) -> dict[str, Any]:
        return {"type": memory_type, "content": content, "scope": self.scope}

    def _retrieve_args(self) -> dict[str, Any]:
        return {"scope": self.scope, "budget_tokens": self.budget_tokens}

    def _mine(self, record: MemoryRecord) -> bool:
        given = record.scope.model_dump(exclude_none=True)
        return all(given.get(k) == v for k, v in self.scope.items())

    @staticmethod
    def _written(results: Any) -> str:
        result = results.results[0]
        if result.id is None:
            return f"Not remembered ({result.status}: {result.reason or 'refused'})."
        return f"Remembered (id {result.id}, {result.status})."

    @staticmethod
    def recalled(result: RetrieveResult) -> str:
        if not result.memories:
            return "No memories match."
        return "\n".join(
            f"- {m.content} (id {m.id}, {m.type.value}, score {m.score:.2f})" for m in result.memories
        )

    # --- sync ----------------------------------------------------------------------------------

    def remember(self, content: str, memory_type: str = DEFAULT_TYPE) -> str:
        return self._written(self._sync().write(self._memory(content, memory_type)))

    def recall(self, query: str) -> str:
        return self.recalled(self._sync().retrieve(query, **self._retrieve_args()))

    def forget(self, memory_id: str) -> str:
        client = self._sync()
        try:
            record = client.get(memory_id)
        except NotFound:
            return f"No memory {memory_id}."
        if not self._mine(record):
            return f"No memory {memory_id}."  # another scope's memory is not this agent's to forget
        client.forget(ids=[memory_id])  # erased from the service's files, not only deleted
        return f"Forgot {memory_id}."

    # --- async ---------------------------------------------------------------------------------

    async def aremember(self, content: str, memory_type: str = DEFAULT_TYPE) -> str:
        return self._written(await self._async().write(self._memory(content, memory_type)))

    async def arecall(self, query: str) -> str:
        return self.recalled(await self._async().retrieve(query, **self._retrieve_args()))

    async def aforget(self, memory_id: str) -> str:
        client = self._async()
        try:
            record = await client.get(memory_id)
        except NotFound:
            return f"No memory {memory_id}."
        if not self._mine(record):
            return f"No memory {memory_id}."
        await client.forget(ids=[memory_id])  # erased from the service's files, not only deleted
        return f"Forgot {memory_id}."


AsyncTool = Callable[..., Awaitable[str]]


def async_tool_functions(
    caller: str,
    url: str | None,
    api_key: str | None,
    client: AsyncMnemo | None,
    scope: dict[str, str],
    budget_tokens: int,
    on_error: Callable[[MnemoError], None] | None = None,
) -> list[tuple[AsyncTool, str]]:
    """remember / recall / forget as plain async functions with their descriptions, for the adapters
    that wrap functions (OpenAI Agents SDK, pydantic-ai; `caller`: the adapter's function, named when
    it is given neither `url` nor `client`). Each call has its client from `opened`; `on_error` may
    turn a refusal into the framework's own error by raising it, else the refusal is raised as it is."""
    if url is None and client is None:
        raise TypeError(f"{caller}: give url (and api_key), or client")

    async def run(call: Callable[[MemoryTools], Awaitable[str]]) -> str:
        try:
            async with opened(url, api_key, client) as mnemo:
                return await call(MemoryTools(None, mnemo, scope, budget_tokens))
        except MnemoError as error:
            if on_error is not None:
                on_error(error)
            raise

    async def remember(content: str, memory_type: str = DEFAULT_TYPE) -> str:
        return await run(lambda tools: tools.aremember(content, memory_type))

    async def recall(query: str) -> str:
        return await run(lambda tools: tools.arecall(query))

    async def forget(memory_id: str) -> str:
        return await run(lambda tools: tools.aforget(memory_id))

    return [(remember, REMEMBER), (recall, RECALL), (forget, FORGET)]
